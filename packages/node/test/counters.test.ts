import { topicFromString } from '@hush/envelope'
import type { Metrics } from '@libp2p/interface'
import { describe, expect, it } from 'vitest'
import { WhisperCounters } from '../src/counters.ts'
import { type PeerCounters, emptyCounters } from '../src/peer-counters.ts'
import { stopAfterEach } from './fixtures/cleanup.ts'
import { connect, startNodes, waitFor } from './fixtures/network.ts'

/**
 * A libp2p `Metrics` that records what the node registers: histogram observations and the
 * functions of calculated groups. Anything else libp2p itself registers gets an inert object.
 */
function recordingMetrics(): {
  metrics: Metrics
  observed: Map<string, number[]>
  histogramOptions: Map<string, { buckets?: number[] }>
  calculated: Map<string, () => Record<string, number>>
} {
  const observed = new Map<string, number[]>()
  const histogramOptions = new Map<string, { buckets?: number[] }>()
  const calculated = new Map<string, () => Record<string, number>>()
  const inert: any = new Proxy(function () {}, { get: (_t, p) => (p === 'then' ? undefined : inert), apply: () => inert })
  const keep = (name: string, options?: { calculate?: () => Record<string, number> }) => {
    if (options?.calculate !== undefined) calculated.set(name, options.calculate)
    return inert
  }
  const known = {
    registerHistogram(name: string, options: { buckets?: number[] } = {}) {
      histogramOptions.set(name, options)
      const values: number[] = []
      observed.set(name, values)
      return { observe: (v: number) => values.push(v), reset() {}, timer: () => () => undefined }
    },
    registerCounterGroup: keep,
    registerMetricGroup: keep,
    trackProtocolStream() {},
    trackMultiaddrConnection() {},
    traceFunction: (_name: string, fn: unknown) => fn,
  }
  const metrics = new Proxy(known, { get: (t: any, p) => (p in t ? t[p] : p === 'then' ? undefined : () => inert) }) as unknown as Metrics
  return { metrics, observed, histogramOptions, calculated }
}

describe('WhisperCounters', () => {
  it('without metrics, counting and seal times cost nothing and throw nothing', () => {
    const counters = new WhisperCounters()
    counters.register(undefined, { state: () => ({}), traffic: emptyCounters })
    counters.sealed(0.5)
    counters.drop('low-pow')
    expect(counters.drops['low-pow']).toBe(1)
  })

  it('records seal times in a histogram whose buckets go up to minutes', () => {
    const { metrics, observed, histogramOptions } = recordingMetrics()
    const counters = new WhisperCounters()
    counters.register(metrics, { state: () => ({}), traffic: emptyCounters })
    counters.sealed(0.25)
    counters.sealed(3)
    expect(observed.get('hush_whisper_seal_seconds')).toEqual([0.25, 3])
    const buckets = histogramOptions.get('hush_whisper_seal_seconds')?.buckets ?? []
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b))
    expect(buckets[0]).toBeLessThanOrEqual(0.01)
    expect(buckets.at(-1)).toBeGreaterThanOrEqual(60)
  })

  it('hands libp2p the traffic since the last scrape, so the exported counter is the running total, also across a restart', () => {
    const { metrics, calculated } = recordingMetrics()
    const totals: PeerCounters = emptyCounters()
    const counters = new WhisperCounters()
    counters.register(metrics, { state: () => ({}), traffic: () => ({ ...totals }) })
    const scrape = calculated.get('hush_whisper_traffic_total')
    if (scrape === undefined) throw new Error('no traffic group registered')
    totals.envelopesIn = 3
    totals.envelopesOut = 2
    totals.bytesOut = 100
    expect(scrape()).toMatchObject({ envelopes_in: 3, envelopes_out: 2, bytes_out: 100, duplicates_in: 0 })
    expect(Object.values(scrape()).every((v) => v === 0)).toBe(true)
    totals.envelopesOut = 7
    expect(scrape()).toMatchObject({ envelopes_in: 0, envelopes_out: 5, bytes_out: 0 })
    // A stop zeroes the totals; after a restart, what they count again is all new, never negative.
    Object.assign(totals, emptyCounters(), { envelopesOut: 1 })
    expect(scrape()).toMatchObject({ envelopes_in: 0, envelopes_out: 1, bytes_out: 0 })
    expect(Object.values(scrape()).every((v) => v === 0)).toBe(true)
  })
})

describe('metrics of a running node', () => {
  const started = stopAfterEach()

  it('observes one seal time per sealed post, none for a post aborted while sealing; traffic and state on scrape', async () => {
    const { metrics, observed, calculated } = recordingMetrics()
    started.nodes = [...(await startNodes(1, { libp2p: { metrics: () => metrics } })), ...(await startNodes(1))]
    const [a, b] = started.nodes
    await connect(a, b)
    const shh = a.services.shh
    const sym = shh.newSymKey()
    const topic = topicFromString('seal')
    expect(observed.get('hush_whisper_seal_seconds')).toEqual([])

    await shh.post({ symKeyID: sym, topic, payload: new Uint8Array(8), powTarget: 0.5, powTime: 10 })
    const seconds = observed.get('hush_whisper_seal_seconds') ?? []
    expect(seconds).toHaveLength(1)
    expect(seconds[0]).toBeGreaterThan(0)

    const ac = new AbortController()
    const posting = shh.post({ symKeyID: sym, topic, payload: new Uint8Array(8), powTarget: 1e9 }, { signal: ac.signal })
    setTimeout(() => ac.abort(), 100)
    await expect(posting).rejects.toThrow(expect.objectContaining({ name: 'AbortError' }))
    expect(observed.get('hush_whisper_seal_seconds')).toHaveLength(1)

    await shh.postEnvelope({ topic, data: new Uint8Array(8), ttlSeconds: 50 }, { powTarget: 0.5, powTimeMs: 10_000 })
    expect(observed.get('hush_whisper_seal_seconds')).toHaveLength(2)

    await waitFor(() => b.services.shh.info().envelopes === 2, 10_000, 'both envelopes at b')
    const traffic = calculated.get('hush_whisper_traffic_total')?.()
    expect(traffic).toMatchObject({ envelopes_out: 2, envelopes_in: 0 })
    expect(calculated.get('hush_whisper_state')?.()).toEqual({ pool_envelopes: 2, pool_bytes: shh.info().memory, peers: 1, filters: 0 })
  })
})
