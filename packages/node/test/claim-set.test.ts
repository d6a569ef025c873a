import { describe, expect, it } from 'vitest'
import { ClaimSet } from '../src/claim-set.ts'

describe('ClaimSet', () => {
  it('holds at most its capacity, dropping the oldest first', () => {
    const c = new ClaimSet(3, 1000)
    for (const key of ['a', 'b', 'c', 'd']) c.add(key, 0)
    expect(c.size).toBe(3)
    expect(c.has('a')).toBe(false)
    expect(c.has('d')).toBe(true)
    // Claiming again makes a claim the newest.
    c.add('b', 0)
    c.add('e', 0)
    expect(c.has('b')).toBe(true)
    expect(c.has('c')).toBe(false)
  })
  it('forgets claims once they lapse, oldest first, and keeps the rest', () => {
    const c = new ClaimSet(10, 1000)
    c.add('a', 0)
    c.add('b', 500)
    c.prune(1000)
    expect(c.has('a')).toBe(false)
    expect(c.has('b')).toBe(true)
    c.prune(1500)
    expect(c.size).toBe(0)
  })
  it('rejects bad bounds', () => {
    expect(() => new ClaimSet(0, 1)).toThrow(RangeError)
    expect(() => new ClaimSet(1, 0)).toThrow(RangeError)
  })
})
