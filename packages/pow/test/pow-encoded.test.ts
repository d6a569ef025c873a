import { type Envelope, encodeEnvelope } from '@hush/envelope'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { powOf, powOfEncoded } from '../src/index.ts'

const arbEnvelope: fc.Arbitrary<Envelope> = fc.record({
  expiry: fc.integer({ min: 0, max: 0xffff_ffff }),
  ttl: fc.integer({ min: 1, max: 0xffff_ffff }),
  topic: fc.uint8Array({ minLength: 4, maxLength: 4 }),
  data: fc.oneof(fc.uint8Array({ maxLength: 60 }), fc.uint8Array({ minLength: 200, maxLength: 5000 })),
  // Nonces below 2^53 take a Number path, the rest BigInt: both, and the edges between them.
  nonce: fc.oneof(
    fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    fc.bigInt({ min: 0n, max: 1n << 54n }),
    fc.constantFrom(0n, 0x7fn, 0x80n, 0xffn, 0x100n, (1n << 32n) - 1n, 1n << 32n, (1n << 53n) - 1n, 1n << 53n, (1n << 53n) + 1n, (1n << 64n) - 1n)
  ),
})

describe('powOfEncoded', () => {
  it('equals powOf for every envelope and future allowance', () => {
    fc.assert(
      fc.property(arbEnvelope, fc.integer({ min: 0, max: 11 }), (e, extra) => {
        expect(powOfEncoded(encodeEnvelope(e), e, extra)).toBe(powOf(e, { extraTtlSeconds: extra }))
      }),
      { numRuns: 300 }
    )
  })
  it('matches the geth vector (expiry 0, ttl 1, data deadbeef, nonce 276 → 256/13)', () => {
    const e: Envelope = { expiry: 0, ttl: 1, topic: new Uint8Array(4), data: Uint8Array.of(0xde, 0xad, 0xbe, 0xef), nonce: 276n }
    expect(powOfEncoded(encodeEnvelope(e), e)).toBe(19.692307692307693)
  })
  it('works for envelopes larger than its scratch buffer and views into larger buffers', () => {
    const e: Envelope = { expiry: 5, ttl: 5, topic: new Uint8Array(4), data: new Uint8Array(70_000).fill(3), nonce: 9n }
    const raw = encodeEnvelope(e)
    const framed = new Uint8Array(raw.length + 10)
    framed.set(raw, 7)
    expect(powOfEncoded(framed.subarray(7, 7 + raw.length), e)).toBe(powOf(e))
  })
  it('rejects bad arguments', () => {
    const e: Envelope = { expiry: 5, ttl: 5, topic: new Uint8Array(4), data: new Uint8Array(1), nonce: 9n }
    expect(() => powOfEncoded('x' as unknown as Uint8Array, e)).toThrow(TypeError)
    expect(() => powOfEncoded(encodeEnvelope(e), e, -1)).toThrow(RangeError)
  })
})
