import { encodeEnvelope, topicFromString } from '@hush/envelope'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { MeasuredFileError, parsePoint, readMeasuredInputs, readNetworkMeasurements } from '../measured.ts'

const file = new URL('../measured.json', import.meta.url).pathname
const networkFile = new URL('../network.json', import.meta.url).pathname
const good = { router: 'hush', nodes: 50, degree: 6, envelopeBytes: 1000, deliveryRatio: 1, p50Ms: 1, p99Ms: 2, bytesPerDelivery: 3, copiesPerDelivery: null, cpuUsPerDelivery: 4, memoryPerNodeBytes: null, source: 'a run' }

describe('measured.json', () => {
  it('parses, and every point and cost names its source', () => {
    const inputs = readMeasuredInputs(file)
    expect(inputs.points.length).toBeGreaterThan(0)
    for (const p of inputs.points) expect(p.source.length).toBeGreaterThan(10)
    for (const c of Object.values(inputs.costs)) expect(c.source.length).toBeGreaterThan(10)
  })

  it('holds the envelope overhead @hush/envelope really encodes (TTL 50, 4-byte expiry)', () => {
    const { costs } = readMeasuredInputs(file)
    for (const data of [300, 1000, 4096]) {
      const raw = encodeEnvelope({ expiry: 1_764_072_050, ttl: 50, topic: topicFromString('model'), data: new Uint8Array(data), nonce: 0xabcdefn })
      expect(raw.length - data).toBe(costs.envelopeOverheadBytes.value)
    }
  })

  it('holds the per-delivery bytes of the 2026-12-04 N=50 run (used when no network file replaces them)', () => {
    const { points } = readMeasuredInputs(file)
    const at50 = (router: string) => points.find((p) => p.router === router && p.nodes === 50 && p.envelopeBytes === 1000)?.bytesPerDelivery
    expect(at50('hush')).toBe(2512)
    expect(at50('gossipsub-nosign')).toBe(4405)
  })
})

describe('network.json', () => {
  it('holds the network bench points of N=20 to 1000, both sizes where measured, each naming its run and load', () => {
    const { points } = readNetworkMeasurements(networkFile)
    const sizes = (router: string, bytes: number) => points.filter((p) => p.router === router && p.envelopeBytes === bytes).map((p) => p.nodes)
    for (const router of ['hush', 'gossipsub-nosign', 'naive-flood']) {
      expect(sizes(router, 1000)).toEqual([20, 50, 200])
      expect(sizes(router, 300)).toEqual([20, 50, 200, 500, 1000])
    }
    for (const p of points) {
      expect(p.source).toMatch(/load average \d/)
      expect(p.rate).toBeGreaterThan(0)
      expect(p.deliveryRatio).toBe(1)
    }
  })
})

describe('parsePoint', () => {
  it('accepts a well-formed point and rejects each malformed field with MeasuredFileError', () => {
    expect(parsePoint(good, 'x')).toEqual(good)
    const bad: Record<string, unknown>[] = [
      { ...good, rate: 0 },
      { ...good, messages: '100' },
      { ...good, router: 'floodsub' },
      { ...good, nodes: 0 },
      { ...good, envelopeBytes: '1000' },
      { ...good, p50Ms: Number.NaN },
      { ...good, bytesPerDelivery: undefined },
      { ...good, source: '' },
    ]
    for (const b of bad) expect(() => parsePoint(b, 'x')).toThrow(MeasuredFileError)
    expect(() => parsePoint(null, 'x')).toThrow(MeasuredFileError)
  })

  it('accepts what the network bench writes: gossipsub-sign points (BENCH_SIGNED=1), rate and messages', () => {
    const signed = { ...good, router: 'gossipsub-sign', rate: 0.4, messages: 50 }
    expect(parsePoint(signed, 'x')).toEqual(signed)
  })
})

describe('readNetworkMeasurements', () => {
  it('reads a file of the shape the network bench writes, and names the file when it is broken', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hush-model-'))
    const ok = join(dir, 'network.json')
    writeFileSync(ok, JSON.stringify({ measuredAt: '2026-12-05', machine: 'test', points: [good] }))
    expect(readNetworkMeasurements(ok).points).toEqual([good])
    const broken = join(dir, 'broken.json')
    writeFileSync(broken, '{"measuredAt": 1}')
    expect(() => readNetworkMeasurements(broken)).toThrow(/broken\.json: needs measuredAt/)
    writeFileSync(broken, 'not json')
    expect(() => readNetworkMeasurements(broken)).toThrow(MeasuredFileError)
  })
})
