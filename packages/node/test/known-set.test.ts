import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ClaimSet } from '../src/claim-set.ts'
import { FROM_PEER, KnownSet, TOLD_PEER } from '../src/known-set.ts'

describe('KnownSet', () => {
  it('keeps flags per hash and adds them up', () => {
    const k = new KnownSet()
    expect(k.flags('a')).toBe(0)
    k.mark('a', 100, FROM_PEER)
    k.mark('a', 100, TOLD_PEER)
    expect(k.flags('a')).toBe(FROM_PEER | TOLD_PEER)
    expect(k.has('a')).toBe(true)
    expect(k.size).toBe(1)
  })
  it('prunes exactly what expired before the cut-off, whatever the order of marking', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 60 })), { maxLength: 200 }), fc.integer({ min: 0, max: 60 }), (marks, cut) => {
        const k = new KnownSet()
        const expiryOf = new Map<string, number>()
        for (const [id, expiry] of marks) {
          const key = `h${id}`
          if (!expiryOf.has(key)) expiryOf.set(key, expiry)
          k.mark(key, expiryOf.get(key) as number, FROM_PEER)
        }
        const removed = k.prune(cut)
        const kept = [...expiryOf].filter(([, e]) => e >= cut)
        expect(removed).toBe(expiryOf.size - kept.length)
        expect(k.size).toBe(kept.length)
        for (const [key, e] of expiryOf) expect(k.has(key)).toBe(e >= cut)
      })
    )
  })
})

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
