import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createSeenCache, hashKey } from '../src/index.ts'

/** A 32-character hash key made from a short name. */
const k = (name: string): string => name.padEnd(32, '.')

describe('seen cache', () => {
  it('remembers a hash until expiry + allowance, and prune forgets it after', () => {
    const seen = createSeenCache({ allowanceSeconds: 20 })
    seen.add(k('k'), 100)
    expect(seen.has(k('k'), 120)).toBe(true)
    expect(seen.has(k('k'), 121)).toBe(false)
    expect(seen.prune(120)).toBe(0)
    expect(seen.prune(121)).toBe(1)
    expect(seen.size).toBe(0)
  })

  it('keeps the later expiry when a hash is added again', () => {
    const seen = createSeenCache({ allowanceSeconds: 0 })
    seen.add(k('k'), 100)
    seen.add(k('k'), 90)
    expect(seen.has(k('k'), 100)).toBe(true)
    seen.add(k('k'), 110)
    expect(seen.prune(105)).toBe(0)
    expect(seen.has(k('k'), 110)).toBe(true)
    expect(seen.size).toBe(1)
  })

  it('forgets the earliest expiry first when over its count bound', () => {
    const seen = createSeenCache({ maxCount: 3, allowanceSeconds: 0 })
    seen.add(k('c'), 30)
    seen.add(k('a'), 10)
    seen.add(k('d'), 40)
    seen.add(k('b'), 20)
    expect(seen.size).toBe(3)
    expect([k('a'), k('b'), k('c'), k('d')].filter((k) => seen.has(k, 0))).toEqual([k('b'), k('c'), k('d')])
  })

  it('takes a hash or its key interchangeably', () => {
    const seen = createSeenCache()
    const hash = new Uint8Array(32).fill(9)
    seen.add(hash, 100)
    expect(seen.has(hashKey(hash), 100)).toBe(true)
    expect(seen.delete(hashKey(hash))).toBe(true)
    expect(seen.has(hash, 100)).toBe(false)
  })

  it('deletes, clears, and is disabled by maxCount 0', () => {
    const seen = createSeenCache()
    seen.add(k('k'), 100)
    expect(seen.delete(k('k'))).toBe(true)
    expect(seen.delete(k('k'))).toBe(false)
    seen.add(k('j'), 100)
    seen.clear()
    expect(seen.has(k('j'), 0)).toBe(false)
    const off = createSeenCache({ maxCount: 0 })
    off.add(k('k'), 100)
    expect(off.has(k('k'), 0)).toBe(false)
  })

  it('stays consistent through many deletes (compaction of stale bucket entries)', () => {
    const seen = createSeenCache({ allowanceSeconds: 0 })
    for (let i = 0; i < 5_000; i++) seen.add(k(`k${i}`), 1_000 + (i % 7))
    for (let i = 0; i < 5_000; i += 2) seen.delete(k(`k${i}`))
    for (let i = 0; i < 5_000; i++) seen.add(k(`k${i}`), 2_000 + (i % 5))
    expect(seen.size).toBe(5_000)
    expect(seen.prune(2_003)).toBe(3_000)
    expect(seen.prune(3_000)).toBe(2_000)
  })

  it('rejects bad arguments', () => {
    expect(() => createSeenCache({ maxCount: 1.5 })).toThrow(/init\.maxCount/)
    expect(() => createSeenCache({ allowanceSeconds: -1 })).toThrow(/init\.allowanceSeconds/)
    const seen = createSeenCache()
    expect(() => seen.add(1 as never, 5)).toThrow(/hash/)
    expect(() => seen.add('short', 5)).toThrow(RangeError)
    expect(() => seen.has(new Uint8Array(31), 5)).toThrow(RangeError)
    expect(() => seen.add(k('k'), Number.NaN)).toThrow(/expiry/)
    expect(() => seen.prune(-1)).toThrow(/now/)
  })

  it('matches a map-based model under random add / delete / prune', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), key: fc.nat({ max: 15 }), expiry: fc.integer({ min: 0, max: 40 }) }),
      fc.record({ kind: fc.constant('delete' as const), key: fc.nat({ max: 15 }) }),
      fc.record({ kind: fc.constant('prune' as const), now: fc.integer({ min: 0, max: 60 }) })
    )
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 10 }), fc.array(op, { maxLength: 60, size: 'max' }), (maxCount, allowance, ops) => {
        const seen = createSeenCache({ maxCount, allowanceSeconds: allowance })
        const model = new Map<string, number>()
        for (const o of ops) {
          if (o.kind === 'add') {
            const key = k(`k${o.key}`)
            const known = model.get(key)
            if (known === undefined || known < o.expiry) model.set(key, o.expiry)
            seen.add(key, o.expiry)
            if (model.size > maxCount) {
              // The model drops one of the earliest-expiring keys; which one among equal expiries
              // is the cache's choice, so follow it.
              const earliest = Math.min(...model.values())
              const candidates = [...model].filter(([, e]) => e === earliest).map(([k]) => k)
              const victim = candidates.find((k) => !seen.has(k, -Infinity))
              expect(victim).toBeDefined()
              model.delete(victim as string)
            }
          } else if (o.kind === 'delete') {
            expect(seen.delete(k(`k${o.key}`))).toBe(model.delete(k(`k${o.key}`)))
          } else {
            let removed = 0
            for (const [k, e] of model) if (e + allowance < o.now) (model.delete(k), removed++)
            expect(seen.prune(o.now)).toBe(removed)
          }
          expect(seen.size).toBe(model.size)
          expect(seen.size).toBeLessThanOrEqual(maxCount)
          for (let n = 0; n < 16; n++) {
            const e = model.get(k(`k${n}`))
            expect(seen.has(k(`k${n}`), 0)).toBe(e !== undefined)
          }
        }
      }),
      { numRuns: 300 }
    )
  })
})
