import { RLP } from '@ethereumjs/rlp'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bytesToUint, decodeRlp, encodeRlp, uintToBytes, type RlpItem } from '../src/index.ts'

const arbItem: fc.Arbitrary<RlpItem> = fc.letrec<{ item: RlpItem }>((tie) => ({
  item: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.uint8Array({ maxLength: 80 }),
    fc.array(tie('item'), { maxLength: 5 })
  ),
})).item

describe('rlp', () => {
  it('encodes exactly as @ethereumjs/rlp and round-trips', () => {
    fc.assert(
      fc.property(arbItem, (item) => {
        const ours = encodeRlp(item)
        expect(bytesToHex(ours)).toBe(bytesToHex(RLP.encode(item)))
        expect(decodeRlp(ours)).toEqual(item)
      })
    )
  })
  it('encodes long strings and lists with length-of-length headers', () => {
    const long = new Uint8Array(1024).fill(9)
    expect(bytesToHex(encodeRlp(long).subarray(0, 3))).toBe('b90400')
    expect(bytesToHex(encodeRlp([long]).subarray(0, 6))).toBe('f90403b90400')
  })
  it('round-trips minimal unsigned integers', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (v) => {
        const b = uintToBytes(v)
        expect(b.length === 0 || b[0] !== 0).toBe(true)
        expect(bytesToUint(b, 8)).toBe(v)
      })
    )
    expect(uintToBytes(0)).toEqual(new Uint8Array(0))
    expect(() => uintToBytes(-1)).toThrow(RangeError)
  })

  const malformed: [string, string][] = [
    ['empty input', ''],
    ['prefixed single byte below 0x80', '8100'],
    ['prefixed single byte 0x7f', '817f'],
    ['long string form for a short length', 'b80100'],
    ['long list form for a short length', 'f80100'],
    ['length with a leading zero', 'b90001' + '00'.repeat(1)],
    ['string overruns input', '83aabb'],
    ['list overruns input', 'c3aabb'],
    ['child overruns its list', 'c283aabbcc'],
    ['trailing bytes', '8000'],
    ['truncated length of length', 'b9'],
    ['truncated long-form length', 'b904'],
  ]
  it.each(malformed)('rejects %s with InvalidRlpError', (_, h) => {
    expect(() => decodeRlp(hexToBytes(h))).toThrow(expect.objectContaining({ name: 'InvalidRlpError' }))
  })
  it('bounds depth and list length', () => {
    let nested: RlpItem = []
    for (let i = 0; i < 20; i++) nested = [nested]
    expect(() => decodeRlp(encodeRlp(nested))).toThrow(expect.objectContaining({ name: 'InvalidRlpError' }))
    expect(() => decodeRlp(encodeRlp([Uint8Array.of(1), Uint8Array.of(2)]), { maxListItems: 1 })).toThrow(
      expect.objectContaining({ name: 'InvalidRlpError' })
    )
  })
  it('rejects non-canonical integers', () => {
    expect(() => bytesToUint(Uint8Array.of(0, 1), 8)).toThrow(expect.objectContaining({ name: 'InvalidRlpError' }))
    expect(() => bytesToUint(new Uint8Array(9).fill(1), 8)).toThrow(expect.objectContaining({ name: 'InvalidRlpError' }))
  })
  it('never throws anything but InvalidRlpError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          decodeRlp(bytes)
        } catch (err) {
          expect((err as Error).name).toBe('InvalidRlpError')
        }
      }),
      { numRuns: 2000 }
    )
  })
})
