import { type Envelope, encodeEnvelopeWithoutNonce } from '@hush/envelope'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { PowTargetNotReachedError, powOf, requiredLeadingZeroBits, sealEnvelope } from '../src/index.ts'

const base: Envelope = { expiry: 1_764_072_050, ttl: 50, topic: Uint8Array.of(1, 2, 3, 4), data: new Uint8Array(100).fill(7), nonce: 0n }

const arbEnvelope = fc.record({
  expiry: fc.integer({ min: 0, max: 0xffff_0000 }),
  ttl: fc.integer({ min: 1, max: 1000 }),
  topic: fc.uint8Array({ minLength: 4, maxLength: 4 }),
  data: fc.uint8Array({ maxLength: 400 }),
  nonce: fc.constant(0n),
})

describe.each(['wasm', 'ts'] as const)('sealEnvelope (%s)', (backend) => {
  it('reaches the target: PoW ≥ t, and receivers compute the same value', () => {
    fc.assert(
      fc.property(arbEnvelope, fc.double({ min: 1e-7, max: 1, noNaN: true }), (e, factor) => {
        // Small targets: at most 12 leading zero bits, so each seal is quick.
        const len = encodeEnvelopeWithoutNonce(e).length
        const target = (2 ** 12 * factor) / len / e.ttl
        const r = sealEnvelope(e, { targetPow: target, backend })
        expect(r.pow).toBeGreaterThanOrEqual(target)
        expect(powOf(r.envelope)).toBe(r.pow)
        expect(r.leadingZeroBits).toBeGreaterThanOrEqual(requiredLeadingZeroBits(target, len, e.ttl))
        expect({ ...r.envelope, nonce: 0n }).toEqual(e)
        expect(r.attempts).toBeGreaterThan(0)
      }),
      { numRuns: backend === 'ts' ? 25 : 60 }
    )
  })

  it('starts from the given nonce and is then deterministic', () => {
    const a = sealEnvelope(base, { targetPow: 0.5, startNonce: 123_456n, backend })
    const b = sealEnvelope(base, { targetPow: 0.5, startNonce: 123_456n, backend })
    expect(a.envelope.nonce).toBe(b.envelope.nonce)
    expect(a.envelope.nonce - 123_456n).toBe(BigInt(a.attempts - 1))
  })

  it('wraps around at 2^64', () => {
    const r = sealEnvelope(base, { targetPow: 1, startNonce: (1n << 64n) - 3n, backend })
    expect(powOf(r.envelope)).toBeGreaterThanOrEqual(1)
  })
})

describe('sealEnvelope modes', () => {
  it('starts from a random nonce, not 0', () => {
    const nonces = new Set(Array.from({ length: 4 }, () => sealEnvelope(base, { targetPow: 1e-9 }).envelope.nonce))
    expect(nonces.size).toBe(4)
  })

  it('targetPow 0: no work, nonce 0 (geth)', () => {
    const r = sealEnvelope(base, { targetPow: 0 })
    expect(r.envelope.nonce).toBe(0n)
    expect(r.attempts).toBe(0)
    expect(r.pow).toBe(powOf({ ...base, nonce: 0n }))
  })

  it('work-time mode: moves the expiry by the work time, keeps the best nonce', () => {
    const r = sealEnvelope(base, { workTimeMs: 30 })
    expect(r.envelope.expiry).toBe(base.expiry + 1)
    expect(r.elapsedMs).toBeGreaterThanOrEqual(30)
    expect(powOf(r.envelope)).toBe(r.pow)
    const r2 = sealEnvelope(base, { workTimeMs: 2500, maxIterations: 5000 })
    expect(r2.envelope.expiry).toBe(base.expiry + 3)
    expect(r2.attempts).toBe(5000)
  })

  it('with a target and a budget: fails with PowTargetNotReachedError when the budget runs out', () => {
    let caught: unknown
    try {
      sealEnvelope(base, { targetPow: 1e12, maxIterations: 2000 })
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(PowTargetNotReachedError)
    expect((caught as PowTargetNotReachedError).name).toBe('PowTargetNotReachedError')
    expect((caught as PowTargetNotReachedError).attempts).toBe(2000)
    expect((caught as PowTargetNotReachedError).bestPow).toBeGreaterThan(0)
    expect(() => sealEnvelope(base, { targetPow: 1e12, workTimeMs: 20 })).toThrow(
      expect.objectContaining({ name: 'PowTargetNotReachedError' })
    )
  })

  it('does not modify its input', () => {
    const e = { ...base, data: base.data.slice() }
    sealEnvelope(e, { targetPow: 0.1 })
    expect(e).toEqual(base)
  })
})

describe('sealEnvelope invalid arguments', () => {
  const cases: [string, () => unknown, string, string][] = [
    ['TTL 0 (spec §2.6)', () => sealEnvelope({ ...base, ttl: 0 }, { targetPow: 1 }), 'RangeError', 'envelope.ttl'],
    ['no mode', () => sealEnvelope(base, {}), 'TypeError', 'targetPow'],
    ['options null', () => sealEnvelope(base, null as never), 'TypeError', 'options'],
    ['targetPow negative', () => sealEnvelope(base, { targetPow: -1 }), 'RangeError', 'options.targetPow'],
    ['targetPow NaN', () => sealEnvelope(base, { targetPow: Number.NaN }), 'TypeError', 'options.targetPow'],
    ['targetPow Infinity', () => sealEnvelope(base, { targetPow: Infinity }), 'RangeError', 'options.targetPow'],
    ['targetPow unreachable', () => sealEnvelope(base, { targetPow: 1e300 }), 'RangeError', 'targetPow'],
    ['targetPow string', () => sealEnvelope(base, { targetPow: '1' as never }), 'TypeError', 'options.targetPow'],
    ['workTimeMs 0', () => sealEnvelope(base, { workTimeMs: 0 }), 'RangeError', 'options.workTimeMs'],
    ['maxIterations 0', () => sealEnvelope(base, { targetPow: 1, maxIterations: 0 }), 'RangeError', 'options.maxIterations'],
    ['startNonce number', () => sealEnvelope(base, { targetPow: 1, startNonce: 1 as never }), 'TypeError', 'options.startNonce'],
    ['startNonce ≥ 2^64', () => sealEnvelope(base, { targetPow: 1, startNonce: 1n << 64n }), 'RangeError', 'options.startNonce'],
    ['expiry overflow', () => sealEnvelope({ ...base, expiry: 0xffff_ffff }, { workTimeMs: 1000 }), 'RangeError', 'expiry'],
    ['envelope.data', () => sealEnvelope({ ...base, data: [1] as never }, { targetPow: 1 }), 'TypeError', 'envelope.data'],
    ['envelope null', () => sealEnvelope(null as never, { targetPow: 1 }), 'TypeError', 'envelope'],
    ['backend', () => sealEnvelope(base, { targetPow: 1, backend: 'gpu' as never }), 'TypeError', 'backend'],
  ]
  it.each(cases)('%s', (_label, fn, name, arg) => {
    expect(fn).toThrow(expect.objectContaining({ name, message: expect.stringContaining(arg) }))
  })
})
