import { type Envelope, encodeEnvelopeWithoutNonce } from '@hush/envelope'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { estimateSealTime, measureHashRate, requiredLeadingZeroBits } from '../src/index.ts'

const envelopeWith = (dataLength: number, ttl: number): Envelope => ({
  expiry: 1_764_072_050,
  ttl,
  topic: new Uint8Array(4),
  data: new Uint8Array(dataLength),
  nonce: 0n,
})

describe('measureHashRate', () => {
  it.each(['wasm', 'ts'] as const)('measures a positive nonce rate (%s)', (backend) => {
    expect(measureHashRate({ durationMs: 30, backend })).toBeGreaterThan(1000)
  })
  it('rejects a bad duration', () => {
    expect(() => measureHashRate({ durationMs: 0 })).toThrow(expect.objectContaining({ name: 'RangeError', message: expect.stringContaining('durationMs') }))
  })
})

describe('estimateSealTime', () => {
  it('is the expectation of a geometric distribution: 2^bits / (rate × workers)', () => {
    const e = estimateSealTime({ sizeBytes: 1024, ttl: 50, targetPow: 0.2, hashRate: 1e6 })
    const len = encodeEnvelopeWithoutNonce(envelopeWith(1004, 50)).length
    expect(e.leadingZeroBits).toBe(requiredLeadingZeroBits(0.2, len, 50))
    expect(e.expectedAttempts).toBe(2 ** e.leadingZeroBits)
    expect(e.expectedMs).toBeCloseTo((2 ** e.leadingZeroBits / 1e6) * 1000, 9)
    expect(e.medianMs).toBeCloseTo(e.expectedMs * Math.LN2, 9)
    expect(e.p90Ms).toBeCloseTo(e.expectedMs * Math.LN10, 9)
    const two = estimateSealTime({ sizeBytes: 1024, ttl: 50, targetPow: 0.2, hashRate: 1e6, workers: 2 })
    expect(two.expectedMs).toBeCloseTo(e.expectedMs / 2, 9)
  })

  it('gives the same answer from size and TTL as from the envelope', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 70_000 }), fc.integer({ min: 1, max: 0xffff_ffff }), (dataLength, ttl) => {
        const input = { targetPow: 0.5, hashRate: 2e6 }
        const bySize = estimateSealTime({ ...input, sizeBytes: 20 + dataLength, ttl })
        const byEnvelope = estimateSealTime({ ...input, envelope: envelopeWith(dataLength, ttl) })
        expect(bySize).toEqual(byEnvelope)
      }),
      { numRuns: 200 }
    )
  })

  it('doubles when the hash tail needs two permutations', () => {
    // RLP length % 136 ≥ 128 → two permutations per nonce.
    const one = envelopeWith(100, 50) // RLP 113
    const two = envelopeWith(115, 50) // RLP 128
    expect(encodeEnvelopeWithoutNonce(two).length % 136).toBeGreaterThanOrEqual(128)
    const a = estimateSealTime({ envelope: one, targetPow: 1, hashRate: 1e6 })
    const b = estimateSealTime({ envelope: two, targetPow: 1, hashRate: 1e6 })
    expect(b.expectedMs / 2 ** b.leadingZeroBits).toBeCloseTo((2 * a.expectedMs) / 2 ** a.leadingZeroBits, 12)
  })

  const good = { sizeBytes: 1024, ttl: 50, targetPow: 0.2, hashRate: 1e6 }
  const cases: [string, unknown, string, string][] = [
    ['input null', null, 'TypeError', 'input'],
    ['sizeBytes missing', { ...good, sizeBytes: undefined }, 'TypeError', 'input.sizeBytes'],
    ['sizeBytes < 20', { ...good, sizeBytes: 19 }, 'RangeError', 'input.sizeBytes'],
    ['ttl 0', { ...good, ttl: 0 }, 'RangeError', 'input.ttl'],
    ['targetPow 0', { ...good, targetPow: 0 }, 'RangeError', 'input.targetPow'],
    ['hashRate NaN', { ...good, hashRate: Number.NaN }, 'TypeError', 'input.hashRate'],
    ['workers 0', { ...good, workers: 0 }, 'RangeError', 'input.workers'],
    ['envelope TTL 0', { targetPow: 1, hashRate: 1, envelope: envelopeWith(1, 0) }, 'RangeError', 'ttl'],
  ]
  it.each(cases)('rejects %s', (_label, input, name, arg) => {
    expect(() => estimateSealTime(input as never)).toThrow(expect.objectContaining({ name, message: expect.stringContaining(arg) }))
  })
})
