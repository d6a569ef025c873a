import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ExpiryIndex } from '../src/expiry-index.ts'

/** Drains `index` earliest second first, as `prune` does, returning [slot, second] pairs. */
function drain(index: ExpiryIndex, seconds: Map<number, number>): Array<[number, number]> {
  const out: Array<[number, number]> = []
  for (let second = index.earliest(); second < Infinity; second = index.earliest()) {
    const slot = index.first(second)
    expect(seconds.get(slot)).toBe(second)
    index.remove(slot, second)
    seconds.delete(slot)
    out.push([slot, second])
  }
  return out
}

describe('expiry index', () => {
  it('agrees with a map under random inserts and removals, and drains in expiry order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ slot: fc.nat({ max: 63 }), second: fc.integer({ min: 0, max: 12 }) }), { maxLength: 400 }),
        (ops) => {
          const index = new ExpiryIndex(4)
          index.reserve(64)
          const seconds = new Map<number, number>()
          for (const { slot, second } of ops) {
            const held = seconds.get(slot)
            if (held !== undefined) {
              index.remove(slot, held)
              seconds.delete(slot)
            } else {
              index.insert(slot, second)
              seconds.set(slot, second)
            }
            const expected = seconds.size === 0 ? Infinity : Math.min(...seconds.values())
            expect(index.earliest()).toBe(expected)
            if (expected < Infinity) expect(seconds.get(index.first(expected))).toBe(expected)
          }
          const drained = drain(index, seconds)
          for (let i = 1; i < drained.length; i++) expect(drained[i - 1][1]).toBeLessThanOrEqual(drained[i][1])
          expect(index.earliest()).toBe(Infinity)
          expect(index.first(0)).toBe(-1)
        }
      ),
      { numRuns: 300 }
    )
  })

  it('keeps its heap of seconds small when seconds come and go', () => {
    const index = new ExpiryIndex(8)
    // One slot re-added under a new second each time: every list is created once and emptied.
    for (let second = 0; second < 10_000; second++) {
      index.insert(0, second)
      expect(index.earliest()).toBe(second)
      index.remove(0, second)
    }
    expect(index.earliest()).toBe(Infinity)
    // Leftover seconds are dropped from the top or by a rebuild: the heap stays within 2 × live + 64.
    expect((index as unknown as { seconds: number[] }).seconds.length).toBeLessThanOrEqual(65)
    index.insert(1, 5)
    index.insert(2, 5)
    index.insert(3, 3)
    expect(drain(index, new Map([[1, 5], [2, 5], [3, 3]])).map(([, s]) => s)).toEqual([3, 5, 5])
  })
})
