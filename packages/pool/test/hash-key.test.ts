import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { hashKey, keyToHash } from '../src/index.ts'

describe('hash keys', () => {
  it('round-trips every 32-byte hash and keeps distinct hashes distinct', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (a, b) => {
        const key = hashKey(a)
        expect(key).toHaveLength(32)
        expect(keyToHash(key)).toEqual(a)
        expect(hashKey(b) === key).toBe(a.every((x, i) => x === b[i]))
      })
    )
  })

  it('does not share memory with the hash', () => {
    const hash = new Uint8Array(32).fill(1)
    const key = hashKey(hash)
    hash[0] = 2
    expect(keyToHash(key)[0]).toBe(1)
  })

  it('rejects malformed input', () => {
    expect(() => hashKey(new Uint8Array(31))).toThrow(RangeError)
    expect(() => hashKey([1, 2] as never)).toThrow(TypeError)
    expect(() => keyToHash('abc')).toThrow(RangeError)
    expect(() => keyToHash('\u0100'.repeat(32))).toThrow(RangeError)
    expect(() => keyToHash(5 as never)).toThrow(TypeError)
  })
})
