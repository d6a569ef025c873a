import { keccak256 } from '@hush/envelope'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { rangeDigest } from '../src/index.ts'

describe('rangeDigest', () => {
  it('is Keccak-256 of the hashes laid end to end (of nothing for an empty page)', () => {
    const a = new Uint8Array(32).fill(1)
    const b = new Uint8Array(32).fill(2)
    const both = new Uint8Array(64)
    both.set(a)
    both.set(b, 32)
    expect(rangeDigest([a, b])).toEqual(keccak256(both))
    expect(rangeDigest([])).toEqual(keccak256(new Uint8Array(0)))
  })

  it('tells apart lists that differ by a dropped, added or reordered hash (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.uint8Array({ minLength: 32, maxLength: 32 }), { minLength: 2, maxLength: 20, selector: (h) => h.join() }), (hashes) => {
        const d = rangeDigest(hashes)
        expect(rangeDigest(hashes.slice(1))).not.toEqual(d)
        expect(rangeDigest([...hashes, hashes[0]])).not.toEqual(d)
        expect(rangeDigest([hashes[1], hashes[0], ...hashes.slice(2)])).not.toEqual(d)
      })
    )
  })

  it('refuses items that are not 32-byte arrays, naming the item', () => {
    expect(() => rangeDigest([new Uint8Array(32), new Uint8Array(31)])).toThrow(expect.objectContaining({ name: 'RangeError', message: expect.stringContaining('hashes[1]') }))
    expect(() => rangeDigest(['x' as unknown as Uint8Array])).toThrow(TypeError)
    expect(() => rangeDigest('x' as unknown as Uint8Array[])).toThrow(TypeError)
  })
})
