import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ExpiryIndex } from '../src/expiry-index.ts'

describe('expiry index', () => {
  it('keeps a lower bound on the earliest expiry, and a scan finds exactly the expired slots', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ slot: fc.nat({ max: 63 }), second: fc.integer({ min: 0, max: 12 }) }),
            fc.record({ now: fc.integer({ min: 0, max: 14 }) })
          ),
          { maxLength: 400 }
        ),
        (ops) => {
          const index = new ExpiryIndex(4)
          index.reserve(64)
          const seconds = new Map<number, number>()
          for (const op of ops) {
            if ('now' in op) {
              const expected = [...seconds].filter(([, s]) => s < op.now).map(([slot]) => slot).sort((a, b) => a - b)
              const expired = index.expired(op.now, 64)
              expect(expired).toEqual(expected)
              for (const slot of expired) {
                index.remove(slot)
                seconds.delete(slot)
              }
              // After a scan the bound is exact.
              expect(index.earliest()).toBe(seconds.size === 0 ? Infinity : Math.min(...seconds.values()))
              continue
            }
            const { slot, second } = op
            if (seconds.has(slot)) {
              index.remove(slot)
              seconds.delete(slot)
            } else {
              index.insert(slot, second)
              seconds.set(slot, second)
            }
            // Never above an expiry held.
            for (const s of seconds.values()) expect(index.earliest()).toBeLessThanOrEqual(s)
          }
        }
      ),
      { numRuns: 300 }
    )
  })

  it('scans only the slots it is told of, and an empty scan leaves the bound at Infinity', () => {
    const index = new ExpiryIndex(8)
    expect(index.earliest()).toBe(Infinity)
    index.insert(0, 5)
    index.insert(3, 2)
    index.insert(6, 9)
    expect(index.earliest()).toBe(2)
    expect(index.expired(10, 4)).toEqual([0, 3])
    // Slot 6 was not scanned: the bound covers the scanned slots only.
    expect(index.earliest()).toBe(Infinity)
    index.remove(0)
    index.remove(3)
    expect(index.expired(10, 8)).toEqual([6])
    index.remove(6)
    expect(index.expired(100, 8)).toEqual([])
    expect(index.earliest()).toBe(Infinity)
  })
})
