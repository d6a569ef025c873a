import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { KnownSet } from '../src/known-set.ts'

describe('KnownSet', () => {
  it('holds each hash once', () => {
    const k = new KnownSet()
    expect(k.has('a')).toBe(false)
    k.add('a', 100)
    k.add('a', 100)
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
          k.add(key, expiryOf.get(key) as number)
        }
        const removed = k.prune(cut)
        const kept = [...expiryOf].filter(([, e]) => e >= cut)
        expect(removed).toBe(expiryOf.size - kept.length)
        expect(k.size).toBe(kept.length)
        for (const [key, e] of expiryOf) expect(k.has(key)).toBe(e >= cut)
      })
    )
  })

  it('agrees with a model under adds and prunes interleaved (a pruned second may come back)', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), id: fc.integer({ min: 0, max: 30 }), expiry: fc.integer({ min: 0, max: 8 }) }),
      fc.record({ kind: fc.constant('prune' as const), cut: fc.integer({ min: 0, max: 9 }) })
    )
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const k = new KnownSet()
        const model = new Map<string, number>()
        for (const o of ops) {
          if (o.kind === 'add') {
            const key = `h${o.id}`
            // An envelope's expiry never changes while it is held: reuse the held one.
            const expiry = model.get(key) ?? o.expiry
            model.set(key, expiry)
            k.add(key, expiry)
          } else {
            let expected = 0
            for (const [key, e] of model) {
              if (e < o.cut) {
                model.delete(key)
                expected++
              }
            }
            expect(k.prune(o.cut)).toBe(expected)
          }
          expect(k.size).toBe(model.size)
        }
        for (let id = 0; id <= 30; id++) expect(k.has(`h${id}`)).toBe(model.has(`h${id}`))
      }),
      { numRuns: 300 }
    )
  })
})
