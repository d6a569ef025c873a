import type { Envelope } from '@hush/envelope'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { type SealProgress, powOf, sealEnvelopeAsync } from '../src/index.ts'
import { liveWorkers } from '../src/worker-pool.ts'

const base: Envelope = {
  expiry: 1_764_072_050,
  ttl: 50,
  topic: Uint8Array.of(1, 2, 3, 4),
  data: new Uint8Array(1004).fill(7),
  nonce: 0n,
}
/** Far beyond reach (about 2^60 nonces): only an abort or a budget ends it. */
const HOPELESS = 2 ** 60 / 1030 / 50

async function rejectionOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p
  } catch (err) {
    return err
  }
  throw new Error('expected a rejection')
}

afterEach(() => {
  expect(liveWorkers.size).toBe(0)
})

describe('sealEnvelopeAsync on worker threads', () => {
  it('seals to small targets on 2 workers: PoW ≥ t, and no worker left running', async () => {
    await fc.assert(
      fc.asyncProperty(fc.double({ min: 0.01, max: 2, noNaN: true }), fc.integer({ min: 1, max: 300 }), async (target, ttl) => {
        const r = await sealEnvelopeAsync({ ...base, ttl }, { targetPow: target, workers: 2 })
        expect(r.pow).toBeGreaterThanOrEqual(target)
        expect(powOf(r.envelope)).toBe(r.pow)
        expect(liveWorkers.size).toBe(0)
      }),
      { numRuns: 5 }
    )
  })

  it.each([
    ['a two-permutation tail', 115],
    ['a prefix larger than the kernel buffer', 70_000],
  ])('seals with %s (data %i bytes)', async (_label, dataLength) => {
    const e = { ...base, data: new Uint8Array(dataLength).fill(3) }
    const r = await sealEnvelopeAsync(e, { targetPow: 2 ** 10 / (dataLength + 30) / e.ttl, workers: 2 })
    expect(powOf(r.envelope)).toBe(r.pow)
    expect(r.leadingZeroBits).toBeGreaterThanOrEqual(10)
  })

  it('reports progress: attempts, best PoW, hash rate, time left', async () => {
    const seen: SealProgress[] = []
    const r = await sealEnvelopeAsync(base, { workTimeMs: 350, workers: 2, progressIntervalMs: 50, onProgress: (p) => seen.push(p) })
    expect(seen.length).toBeGreaterThanOrEqual(2)
    const last = seen[seen.length - 1]
    expect(last.attempts).toBeGreaterThan(0)
    expect(last.hashRate).toBeGreaterThan(0)
    expect(last.bestPow).toBeGreaterThan(0)
    expect(last.estimatedMsLeft).toBeLessThanOrEqual(350)
    expect(r.attempts).toBeGreaterThanOrEqual(last.attempts)
    expect(r.pow).toBeGreaterThanOrEqual(last.bestPow)
    expect(r.envelope.expiry).toBe(base.expiry + 1)
  })

  it('abort rejects with the signal’s reason, promptly, and terminates every worker', async () => {
    const controller = new AbortController()
    const p = sealEnvelopeAsync(base, { targetPow: HOPELESS, workers: 2, signal: controller.signal })
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(liveWorkers.size).toBe(2)
    const t0 = performance.now()
    controller.abort()
    const err = await rejectionOf(p)
    expect(performance.now() - t0).toBeLessThan(1000) // generous bound; the bench reports the real figure
    expect((err as Error).name).toBe('AbortError')
    expect(liveWorkers.size).toBe(0)
  })

  it('AbortSignal.timeout rejects with TimeoutError', async () => {
    const err = await rejectionOf(sealEnvelopeAsync(base, { targetPow: HOPELESS, workers: 2, signal: AbortSignal.timeout(100) }))
    expect((err as Error).name).toBe('TimeoutError')
  })

  it('an already aborted signal rejects before any worker starts', async () => {
    const reason = new Error('stop')
    const err = await rejectionOf(sealEnvelopeAsync(base, { targetPow: 1, signal: AbortSignal.abort(reason) }))
    expect(err).toBe(reason)
  })

  it('an error thrown by onProgress rejects and terminates the workers', async () => {
    const boom = new Error('boom')
    const err = await rejectionOf(
      sealEnvelopeAsync(base, { targetPow: HOPELESS, workers: 2, progressIntervalMs: 20, onProgress: () => { throw boom } })
    )
    expect(err).toBe(boom)
  })

  it('a missed target within a budget rejects with PowTargetNotReachedError', async () => {
    const err = await rejectionOf(sealEnvelopeAsync(base, { targetPow: HOPELESS, workTimeMs: 100, workers: 2 }))
    expect((err as Error).name).toBe('PowTargetNotReachedError')
    const err2 = await rejectionOf(sealEnvelopeAsync(base, { targetPow: HOPELESS, maxIterations: 50_000, workers: 2 }))
    expect(err2).toMatchObject({ name: 'PowTargetNotReachedError', attempts: 50_000 })
  })

  it('defaults to one worker per core', async () => {
    const r = await sealEnvelopeAsync(base, { targetPow: 0.5 })
    expect(r.pow).toBeGreaterThanOrEqual(0.5)
  })
})

describe('sealEnvelopeAsync time-sliced on the calling thread (workers: 0)', () => {
  it.each(['wasm', 'ts'] as const)('seals to a target (%s)', async (backend) => {
    const r = await sealEnvelopeAsync(base, { targetPow: 0.3, workers: 0, backend })
    expect(r.pow).toBeGreaterThanOrEqual(0.3)
  })

  it('yields to the event loop, so a timer can abort it', async () => {
    let ticks = 0
    const timer = setInterval(() => ticks++, 5)
    const err = await rejectionOf(sealEnvelopeAsync(base, { targetPow: HOPELESS, workers: 0, signal: AbortSignal.timeout(120) }))
    clearInterval(timer)
    expect((err as Error).name).toBe('TimeoutError')
    // The abort alone shows it yields (blocking, it would never end). Two ticks show it yields
    // again and again, not once; more depends on the machine's load (three seen under load).
    expect(ticks).toBeGreaterThanOrEqual(2)
  })

  it('reports progress and keeps the best nonce in work-time mode', async () => {
    const seen: SealProgress[] = []
    const r = await sealEnvelopeAsync(base, { workTimeMs: 120, workers: 0, progressIntervalMs: 30, onProgress: (p) => seen.push(p) })
    expect(seen.length).toBeGreaterThan(0)
    expect(powOf(r.envelope)).toBe(r.pow)
  })
})

describe('sealEnvelopeAsync invalid arguments (as rejections)', () => {
  const cases: [string, () => Promise<unknown>, string, string][] = [
    ['TTL 0', () => sealEnvelopeAsync({ ...base, ttl: 0 }, { targetPow: 1 }), 'RangeError', 'envelope.ttl'],
    ['workers negative', () => sealEnvelopeAsync(base, { targetPow: 1, workers: -1 }), 'RangeError', 'options.workers'],
    ['workers fractional', () => sealEnvelopeAsync(base, { targetPow: 1, workers: 1.5 }), 'TypeError', 'options.workers'],
    ['signal', () => sealEnvelopeAsync(base, { targetPow: 1, signal: {} as never }), 'TypeError', 'options.signal'],
    ['onProgress', () => sealEnvelopeAsync(base, { targetPow: 1, onProgress: 1 as never }), 'TypeError', 'options.onProgress'],
    ['progressIntervalMs', () => sealEnvelopeAsync(base, { targetPow: 1, progressIntervalMs: 0 }), 'RangeError', 'options.progressIntervalMs'],
    ['no mode', () => sealEnvelopeAsync(base, {}), 'TypeError', 'targetPow'],
  ]
  it.each(cases)('%s', async (_label, fn, name, arg) => {
    await expect(fn()).rejects.toThrow(expect.objectContaining({ name, message: expect.stringContaining(arg) }))
  })
})
