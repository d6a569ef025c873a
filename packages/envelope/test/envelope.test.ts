import { RLP } from '@ethereumjs/rlp'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type Envelope,
  decodeEnvelope,
  encodeEnvelope,
  encodeEnvelopeWithoutNonce,
  encodeRlp,
  envelopeHash,
  envelopeSize,
  keccak256,
  uintToBytes,
} from '../src/index.ts'

const arbEnvelope: fc.Arbitrary<Envelope> = fc.record({
  expiry: fc.integer({ min: 0, max: 0xffff_ffff }),
  ttl: fc.integer({ min: 0, max: 0xffff_ffff }),
  topic: fc.uint8Array({ minLength: 4, maxLength: 4 }),
  data: fc.uint8Array({ maxLength: 600 }),
  nonce: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
})

/** An envelope assembled item by item with a reference RLP encoder, to build malformed cases. */
const raw = (items: unknown[]): Uint8Array => RLP.encode(items as never)

describe('envelope worked examples', () => {
  it('spec §2.8: Expiry 100000, TTL 30, Data 0x09×256, Nonce 1010101', () => {
    const e: Envelope = {
      expiry: 100000,
      ttl: 30,
      topic: new Uint8Array(4),
      data: new Uint8Array(256).fill(9),
      nonce: 1010101n,
    }
    const bytes = encodeEnvelope(e)
    expect(bytes.length).toBe(276)
    expect(bytesToHex(bytes.subarray(0, 16))).toBe('f90111830186a01e8400000000b90100')
    expect(bytesToHex(bytes.subarray(272))).toBe('830f69b5')
    expect(bytesToHex(envelopeHash(e))).toBe('8aa530cd0338af856377c1ea9434c18df3562217f3f468a87eb077db2af259cf')
    const short = encodeEnvelopeWithoutNonce(e)
    expect(short.length).toBe(272)
    expect(bytesToHex(short.subarray(0, 16))).toBe('f9010d830186a01e8400000000b90100')
    expect(envelopeSize(e)).toBe(276)
  })
  it('design §2: {expiry 1764072050, ttl 50, topic deadbeef, data 010203, nonce 7}', () => {
    const e: Envelope = {
      expiry: 1764072050,
      ttl: 50,
      topic: hexToBytes('deadbeef'),
      data: hexToBytes('010203'),
      nonce: 7n,
    }
    expect(bytesToHex(encodeEnvelope(e))).toBe('d08469259a723284deadbeef8301020307')
  })
  it('encodes zero integers as 0x80 and single small bytes bare', () => {
    const e: Envelope = { expiry: 0, ttl: 1, topic: new Uint8Array(4), data: Uint8Array.of(5), nonce: 0n }
    expect(bytesToHex(encodeEnvelope(e))).toBe('c98001840000000005' + '80')
  })
})

describe('envelope codec properties', () => {
  it('encodes exactly as a reference RLP encoder and decodes back', () => {
    fc.assert(
      fc.property(arbEnvelope, (e) => {
        const bytes = encodeEnvelope(e)
        const reference = RLP.encode([e.expiry, e.ttl, e.topic, e.data, e.nonce])
        expect(bytesToHex(bytes)).toBe(bytesToHex(reference))
        expect(decodeEnvelope(bytes)).toEqual(e)
        const short = RLP.encode([e.expiry, e.ttl, e.topic, e.data])
        expect(bytesToHex(encodeEnvelopeWithoutNonce(e))).toBe(bytesToHex(short))
        expect(envelopeHash(e)).toEqual(keccak256(bytes))
      })
    )
  })
  it('decodes views into the input without copying', () => {
    const e: Envelope = { expiry: 9, ttl: 9, topic: Uint8Array.of(1, 2, 3, 4), data: new Uint8Array(10), nonce: 1n }
    const bytes = encodeEnvelope(e)
    expect(decodeEnvelope(bytes).data.buffer).toBe(bytes.buffer)
  })
})

describe('decodeEnvelope rejects malformed input', () => {
  const topic = new Uint8Array(4)
  const ok = [1, 2, topic, Uint8Array.of(1, 2, 3), 7]
  const cases: [string, Uint8Array][] = [
    ['empty input', new Uint8Array(0)],
    ['a byte string, not a list', raw([Uint8Array.of(1, 2, 3)]).subarray(1)],
    ['four items', raw(ok.slice(0, 4))],
    ['six items', raw([...ok, 1])],
    ['topic of 3 bytes', raw([1, 2, Uint8Array.of(1, 2, 3), Uint8Array.of(1), 7])],
    ['topic of 5 bytes', raw([1, 2, new Uint8Array(5), Uint8Array.of(1), 7])],
    ['expiry of 5 bytes', raw([0x1_0000_0000, 2, topic, Uint8Array.of(1), 7])],
    ['ttl of 5 bytes', raw([1, 0x1_0000_0000, topic, Uint8Array.of(1), 7])],
    ['nonce of 9 bytes', raw([1, 2, topic, Uint8Array.of(1), 1n << 64n])],
    ['expiry with a leading zero', raw([Uint8Array.of(0, 1), 2, topic, Uint8Array.of(1), 7])],
    ['ttl with a leading zero', raw([1, Uint8Array.of(0), topic, Uint8Array.of(1), 7])],
    ['nonce with a leading zero', raw([1, 2, topic, Uint8Array.of(1), Uint8Array.of(0, 7)])],
    ['a list as data', raw([1, 2, topic, [Uint8Array.of(1)], 7])],
    ['a list as topic', raw([1, 2, [1, 2, 3, 4], Uint8Array.of(1), 7])],
    ['trailing bytes', Uint8Array.of(...raw(ok), 0)],
    ['truncated', raw(ok).subarray(0, 10)],
    ['non-canonical prefixed single byte', hexToBytes('ca8102028400000000' + '8007')],
    ['non-canonical long list header', hexToBytes('f80c01028400000000830102' + '0307')],
  ]
  it('the canonical forms of the hand-written cases decode', () => {
    expect(decodeEnvelope(hexToBytes('c9' + '02028400000000' + '8007')).expiry).toBe(2)
    expect(decodeEnvelope(hexToBytes('cc01028400000000830102' + '0307')).nonce).toBe(7n)
  })
  it.each(cases)('%s → InvalidEnvelopeError', (_, bytes) => {
    expect(() => decodeEnvelope(bytes)).toThrow(expect.objectContaining({ name: 'InvalidEnvelopeError' }))
  })
  it('enforces the caller-given size limit on size() = 20 + data', () => {
    const e: Envelope = { expiry: 1, ttl: 1, topic, data: new Uint8Array(100), nonce: 0n }
    const bytes = encodeEnvelope(e)
    expect(decodeEnvelope(bytes, { maxSizeBytes: 120 })).toEqual(e)
    expect(() => decodeEnvelope(bytes, { maxSizeBytes: 119 })).toThrow(
      expect.objectContaining({ name: 'InvalidEnvelopeError' })
    )
    const huge = encodeRlp([Uint8Array.of(1), Uint8Array.of(1), topic, new Uint8Array(2_000_000), Uint8Array.of(1)])
    expect(() => decodeEnvelope(huge)).toThrow(expect.objectContaining({ name: 'InvalidEnvelopeError' }))
  })
  it('accepts TTL 0 and expiry 0 (well-formed; validation is the node’s job, spec §2.6)', () => {
    const e: Envelope = { expiry: 0, ttl: 0, topic, data: new Uint8Array(0), nonce: 0n }
    expect(decodeEnvelope(encodeEnvelope(e))).toEqual(e)
  })
  it('rejects bad arguments with TypeError/RangeError', () => {
    expect(() => decodeEnvelope('00' as unknown as Uint8Array)).toThrow(TypeError)
    expect(() => decodeEnvelope(new Uint8Array(1), { maxSizeBytes: -1 })).toThrow(RangeError)
    const e: Envelope = { expiry: 1, ttl: 1, topic, data: new Uint8Array(1), nonce: 0n }
    expect(() => encodeEnvelope({ ...e, expiry: 2 ** 32 })).toThrow(/envelope\.expiry/)
    expect(() => encodeEnvelope({ ...e, ttl: 1.5 })).toThrow(TypeError)
    expect(() => encodeEnvelope({ ...e, topic: new Uint8Array(3) })).toThrow(/envelope\.topic/)
    expect(() => encodeEnvelope({ ...e, nonce: 1 as unknown as bigint })).toThrow(TypeError)
    expect(() => encodeEnvelope({ ...e, nonce: -1n })).toThrow(RangeError)
    expect(() => encodeEnvelope(null as unknown as Envelope)).toThrow(TypeError)
  })
})

describe('decodeEnvelope fuzz', () => {
  const expectOnlyNamed = (bytes: Uint8Array): void => {
    try {
      const e = decodeEnvelope(bytes)
      // Whatever decodes must be canonical: re-encoding gives the same bytes.
      expect(bytesToHex(encodeEnvelope(e))).toBe(bytesToHex(bytes))
    } catch (err) {
      expect((err as Error).name).toBe('InvalidEnvelopeError')
    }
  }
  it('random bytes never raise anything but InvalidEnvelopeError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), expectOnlyNamed), { numRuns: 3000 })
  })
  it('mutated valid envelopes never raise anything but InvalidEnvelopeError', () => {
    fc.assert(
      fc.property(
        arbEnvelope,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        fc.nat(),
        (e, edits, cut) => {
          const bytes = encodeEnvelope(e).slice()
          for (const [at, value] of edits) bytes[at % bytes.length] = value
          expectOnlyNamed(bytes)
          expectOnlyNamed(bytes.subarray(0, cut % (bytes.length + 1)))
        }
      ),
      { numRuns: 2000 }
    )
  })
  it('uintToBytes agrees with the codec for all uint32 widths', () => {
    for (const v of [0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x1_0000, 0xff_ffff, 0x100_0000, 0xffff_ffff]) {
      const e: Envelope = { expiry: v, ttl: 1, topic: new Uint8Array(4), data: new Uint8Array(0), nonce: BigInt(v) }
      const bytes = encodeEnvelope(e)
      expect(bytesToHex(bytes)).toBe(bytesToHex(RLP.encode([uintToBytes(v), 1, e.topic, e.data, uintToBytes(v)])))
    }
  })
})
