import type { Envelope } from '@hush/envelope'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { powFromLeadingZeroBits, powOf, ratingOf } from '../src/index.ts'

const arbBits = fc.integer({ min: 0, max: 255 })
const arbSize = fc.integer({ min: 1, max: 1 << 23 })
const arbTtl = fc.integer({ min: 1, max: 1 << 24 })

describe('ratingOf', () => {
  it('is log2(pow) = bits − log2(size) − log2(ttl)', () => {
    expect(ratingOf({ leadingZeroBits: 20, sizeBytes: 1024, ttl: 64 })).toBe(4)
    expect(ratingOf({ pow: 1 })).toBe(0)
    fc.assert(
      fc.property(arbBits, arbSize, arbTtl, (bits, size, ttl) => {
        const a = ratingOf({ leadingZeroBits: bits, sizeBytes: size, ttl })
        const b = ratingOf({ pow: powFromLeadingZeroBits(bits, size, ttl) })
        expect(Math.abs(a - b)).toBeLessThan(1e-9)
      })
    )
  })

  it('rates more work higher, and a larger size or a longer TTL lower', () => {
    fc.assert(
      fc.property(arbBits, arbSize, arbTtl, (bits, size, ttl) => {
        const r = ratingOf({ leadingZeroBits: bits, sizeBytes: size, ttl })
        expect(ratingOf({ leadingZeroBits: bits + 1, sizeBytes: size, ttl })).toBeCloseTo(r + 1, 9)
        expect(ratingOf({ leadingZeroBits: bits, sizeBytes: size + 1, ttl })).toBeLessThan(r)
        expect(ratingOf({ leadingZeroBits: bits, sizeBytes: size, ttl: ttl + 1 })).toBeLessThan(r)
      })
    )
  })

  it('orders envelopes exactly as their PoW values do', () => {
    const arbEnvelope = fc.record({
      expiry: fc.integer({ min: 0, max: 0xffff_ffff }),
      ttl: fc.integer({ min: 1, max: 10_000 }),
      topic: fc.uint8Array({ minLength: 4, maxLength: 4 }),
      data: fc.uint8Array({ maxLength: 300 }),
      nonce: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    })
    fc.assert(
      fc.property(arbEnvelope, arbEnvelope, (a: Envelope, b: Envelope) => {
        const [pa, pb] = [powOf(a), powOf(b)]
        expect(Math.sign(ratingOf({ pow: pa }) - ratingOf({ pow: pb }))).toBe(Math.sign(pa - pb))
      })
    )
  })

  const cases: [string, unknown, string, string][] = [
    ['null', null, 'TypeError', 'input'],
    ['pow 0', { pow: 0 }, 'RangeError', 'input.pow'],
    ['pow Infinity (TTL 0)', { pow: Infinity }, 'RangeError', 'input.pow'],
    ['pow string', { pow: '1' }, 'TypeError', 'input.pow'],
    ['bits 257', { leadingZeroBits: 257, sizeBytes: 1, ttl: 1 }, 'RangeError', 'input.leadingZeroBits'],
    ['size 0', { leadingZeroBits: 1, sizeBytes: 0, ttl: 1 }, 'RangeError', 'input.sizeBytes'],
    ['ttl 0', { leadingZeroBits: 1, sizeBytes: 1, ttl: 0 }, 'RangeError', 'input.ttl'],
  ]
  it.each(cases)('rejects %s', (_label, input, name, arg) => {
    expect(() => ratingOf(input as never)).toThrow(expect.objectContaining({ name, message: expect.stringContaining(arg) }))
  })
})
