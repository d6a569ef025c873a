import { encodeEnvelopeWithoutNonce, keccak256, type Envelope } from '@hush/envelope'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  leadingZeroBits,
  powFromLeadingZeroBits,
  powFromRlp,
  powOf,
  powToFirstBit,
  requiredLeadingZeroBits,
} from '../src/index.ts'
import vectors from './vectors/pow.json' with { type: 'json' }

// Buffer, not @noble/hashes: pow does not depend on noble.
const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.startsWith('0x') ? s.slice(2) : s, 'hex'))
const bytesToHex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const byKind = (kind: string) => vectors.vectors.filter((v) => v.kind === kind) as any[]
const float64Bits = (x: number): string => {
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, x)
  return `0x${view.getBigUint64(0).toString(16).padStart(16, '0')}`
}
const envelopeOf = (v: any): Envelope => ({
  expiry: v.expiry,
  ttl: v.ttl,
  topic: hex(v.topic),
  data: hex(v.data),
  nonce: BigInt(v.nonce),
})
const powHash = (e: Envelope): Uint8Array => {
  const rlp = encodeEnvelopeWithoutNonce(e)
  const buf = new Uint8Array(rlp.length + 8)
  buf.set(rlp)
  new DataView(buf.buffer).setBigUint64(rlp.length, e.nonce)
  return keccak256(buf)
}

describe('pow vectors (geth v1.9.20 envelope_test.go, nim-eth, Parity)', () => {
  const geth = byKind('pow').filter((v) => v.do_not_implement !== true && v.non_geth_semantics !== true)
  it.each(geth)('$name: geth v1.9 value, bit for bit', (v) => {
    const e = envelopeOf(v)
    expect(`0x${bytesToHex(powHash(e))}`).toBe(v.expected_pow_hash)
    expect(powOf(e)).toBe(v.expected_pow)
    expect(float64Bits(powOf(e))).toBe(v.expected_pow_float64_bits)
    expect(powFromRlp(encodeEnvelopeWithoutNonce(e), e.nonce, e.ttl)).toBe(v.expected_pow)
  })

  it.each(byKind('pow').filter((v) => v.do_not_implement === true))('$name: negative, not that variant', (v) => {
    expect(powOf(envelopeOf(v))).not.toBe(v.expected_pow_under_that_variant)
  })

  it.each(byKind('pow').filter((v) => v.non_geth_semantics === true))('$name: negative, nim-eth size rule', (v) => {
    const e = envelopeOf(v)
    expect(powOf(e)).not.toBe(v.expected_pow)
    // Same hash and bits, nim-eth's divisor 20 + len(data): their value.
    const bits = leadingZeroBits(powHash(e))
    expect(powFromLeadingZeroBits(bits, 20 + e.data.length, e.ttl)).toBe(v.expected_pow)
    expect(powOf(e)).toBe(powFromLeadingZeroBits(bits, encodeEnvelopeWithoutNonce(e).length, e.ttl))
  })

  it.each(byKind('pow_formula'))('$name', (v) => {
    const pow = powFromLeadingZeroBits(leadingZeroBits(hex(v.pow_hash)), v.size, v.ttl)
    expect(pow).toBe(v.expected_pow)
    expect(float64Bits(pow)).toBe(v.expected_pow_float64_bits)
  })
})

describe('leadingZeroBits', () => {
  it('counts from the most significant end', () => {
    expect(leadingZeroBits(new Uint8Array(32))).toBe(256)
    expect(leadingZeroBits(Uint8Array.of(0x80, ...new Array(31).fill(0)))).toBe(0)
    expect(leadingZeroBits(Uint8Array.of(0, 0x01, ...new Array(30).fill(0xff)))).toBe(15)
  })
  it('is 256 − bitLength of the big-endian number', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (h) => {
        const n = BigInt(`0x${bytesToHex(h)}`)
        expect(leadingZeroBits(h)).toBe(n === 0n ? 256 : 256 - n.toString(2).length)
      })
    )
  })
})

describe('PoW value', () => {
  const arbSize = fc.integer({ min: 1, max: 10 * 1024 * 1024 })
  const arbTtl = fc.integer({ min: 1, max: 0xffff_ffff })

  it('is strictly monotonic in leading zero bits (fixed size and TTL)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), arbSize, arbTtl, (bits, size, ttl) => {
        expect(powFromLeadingZeroBits(bits + 1, size, ttl)).toBeGreaterThan(powFromLeadingZeroBits(bits, size, ttl))
      })
    )
  })

  it('divides by the length first, then by the TTL (geth order)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 256 }), arbSize, arbTtl, (bits, size, ttl) => {
        expect(powFromLeadingZeroBits(bits, size, ttl)).toBe(2 ** bits / size / ttl)
      })
    )
  })

  it('is Infinity for TTL 0 (geth divides by zero; sealers and nodes reject TTL 0)', () => {
    expect(powFromLeadingZeroBits(3, 13, 0)).toBe(Infinity)
  })

  it('adds extraTtlSeconds to the TTL for future-dated envelopes', () => {
    const e = envelopeOf(byKind('pow')[1])
    expect(powOf(e, { extraTtlSeconds: 3 })).toBe(256 / 13 / 4)
  })

  it('powOf equals powFromRlp on random envelopes', () => {
    fc.assert(
      fc.property(
        fc.record({
          expiry: fc.integer({ min: 0, max: 0xffff_ffff }),
          ttl: fc.integer({ min: 1, max: 0xffff_ffff }),
          topic: fc.uint8Array({ minLength: 4, maxLength: 4 }),
          data: fc.uint8Array({ maxLength: 600 }),
          nonce: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        }),
        (e) => {
          expect(powOf(e)).toBe(powFromRlp(encodeEnvelopeWithoutNonce(e), e.nonce, e.ttl))
          expect(powOf(e)).toBe(powFromLeadingZeroBits(leadingZeroBits(powHash(e)), encodeEnvelopeWithoutNonce(e).length, e.ttl))
        }
      ),
      { numRuns: 200 }
    )
  })
})

describe('target → bits', () => {
  it('powToFirstBit is geth’s max(1, ceil(log2(P × size × TTL)))', () => {
    expect(powToFirstBit(0.2, 1024, 50)).toBe(14) // 0.2 × 1024 × 50 = 10240 → 13.32 → 14
    expect(powToFirstBit(0.001, 20, 1)).toBe(1)
    expect(powToFirstBit(1, 256, 1)).toBe(8)
  })

  it('requiredLeadingZeroBits is the fewest bits whose checked value reaches the target', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
        fc.integer({ min: 1, max: 2_000_000 }),
        fc.integer({ min: 1, max: 100_000 }),
        (target, len, ttl) => {
          const bits = requiredLeadingZeroBits(target, len, ttl)
          expect(powFromLeadingZeroBits(bits, len, ttl)).toBeGreaterThanOrEqual(target)
          if (bits > 0) expect(powFromLeadingZeroBits(bits - 1, len, ttl)).toBeLessThan(target)
        }
      )
    )
  })

  it('fixes geth’s under-shoot when the RLP is > 20 bytes longer than the data (spec §3.3)', () => {
    // 4-byte expiry, TTL ≥ 2^24, data ≥ 64 KiB: RLP = 4 + 5 + 5 + 5 + (4 + 70000) = 70023 > size() = 70020.
    const e: Envelope = { expiry: 0xffff_ffff, ttl: 0x100_0000, topic: new Uint8Array(4), data: new Uint8Array(70_000), nonce: 0n }
    const len = encodeEnvelopeWithoutNonce(e).length
    const size = 20 + e.data.length
    expect(len).toBeGreaterThan(size)
    const target = 2 ** 40 / len / e.ttl
    const gethBits = powToFirstBit(target * (1 + 1e-9), size, e.ttl)
    expect(powFromLeadingZeroBits(gethBits, len, e.ttl)).toBeLessThan(target * (1 + 1e-9))
    const ours = requiredLeadingZeroBits(target * (1 + 1e-9), len, e.ttl)
    expect(powFromLeadingZeroBits(ours, len, e.ttl)).toBeGreaterThanOrEqual(target * (1 + 1e-9))
  })

  it('refuses an unreachable target', () => {
    expect(() => requiredLeadingZeroBits(1e300, 1000, 1000)).toThrow(RangeError)
  })
})

describe('invalid arguments', () => {
  const e: Envelope = { expiry: 1, ttl: 1, topic: new Uint8Array(4), data: new Uint8Array(3), nonce: 0n }
  const cases: [string, () => unknown, string, string][] = [
    ['leadingZeroBits(non-bytes)', () => leadingZeroBits([0] as unknown as Uint8Array), 'TypeError', 'hash'],
    ['bits > 256', () => powFromLeadingZeroBits(257, 1, 1), 'RangeError', 'bits'],
    ['bits fractional', () => powFromLeadingZeroBits(1.5, 1, 1), 'TypeError', 'bits'],
    ['rlpLength 0', () => powFromLeadingZeroBits(1, 0, 1), 'RangeError', 'rlpLength'],
    ['ttl negative', () => powFromLeadingZeroBits(1, 1, -1), 'RangeError', 'ttlSeconds'],
    ['rlp not bytes', () => powFromRlp('x' as unknown as Uint8Array, 0n, 1), 'TypeError', 'rlpWithoutNonce'],
    ['nonce not bigint', () => powFromRlp(new Uint8Array(1), 0 as unknown as bigint, 1), 'TypeError', 'nonce'],
    ['nonce ≥ 2^64', () => powFromRlp(new Uint8Array(1), 1n << 64n, 1), 'RangeError', 'nonce'],
    ['envelope.ttl', () => powOf({ ...e, ttl: -1 }), 'RangeError', 'envelope.ttl'],
    ['envelope.topic', () => powOf({ ...e, topic: new Uint8Array(3) }), 'RangeError', 'envelope.topic'],
    ['extraTtlSeconds', () => powOf(e, { extraTtlSeconds: -1 }), 'RangeError', 'extraTtlSeconds'],
    ['powToFirstBit pow 0', () => powToFirstBit(0, 1, 1), 'RangeError', 'pow'],
    ['powToFirstBit NaN', () => powToFirstBit(Number.NaN, 1, 1), 'TypeError', 'pow'],
    ['required target Infinity', () => requiredLeadingZeroBits(Infinity, 1, 1), 'RangeError', 'targetPow'],
    ['required ttl 0', () => requiredLeadingZeroBits(1, 1, 0), 'RangeError', 'ttlSeconds'],
  ]
  it.each(cases)('%s', (_label, fn, name, arg) => {
    expect(fn).toThrow(expect.objectContaining({ name, message: expect.stringContaining(arg) }))
  })
})
