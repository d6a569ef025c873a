import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SlotHeap } from '../src/slot-heap.ts'

/** A heap over slots 0..n-1 with keys from `keys` (ties broken by slot number). */
function heapOver(capacity: number) {
  const pos = new Int32Array(capacity).fill(-1)
  const heap = new SlotHeap((a, b) => a < b, () => pos, capacity)
  return { heap, pos }
}

describe('slot heap', () => {
  it('pops in (key, tie) order after random pushes and removals, and walks in the same order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 200 }),
        fc.array(fc.nat(), { maxLength: 100 }),
        fc.nat({ max: 250 }),
        (keys, removals, walkLimit) => {
          const { heap, pos } = heapOver(keys.length)
          keys.forEach((k, slot) => heap.push(slot, k))
          const live = new Set(keys.map((_, slot) => slot))
          for (const r of removals) {
            const slot = r % keys.length
            if (!live.has(slot)) continue
            heap.remove(slot)
            live.delete(slot)
            expect(pos[slot]).toBe(-1)
          }
          const expected = [...live].sort((a, b) => keys[a] - keys[b] || a - b)
          const walked: number[] = []
          heap.walk((slot) => (walked.push(slot), walked.length < walkLimit))
          expect(walked).toEqual(expected.slice(0, Math.max(1, walkLimit)).slice(0, expected.length))
          expect(heap.size).toBe(live.size)
          const popped: number[] = []
          while (heap.size > 0) {
            expect(heap.peekKey()).toBe(keys[heap.peek()])
            const slot = heap.peek()
            heap.remove(slot)
            popped.push(slot)
          }
          expect(popped).toEqual(expected)
          expect(heap.peek()).toBe(-1)
          expect(heap.peekKey()).toBe(Infinity)
        }
      )
    )
  })

  it('refuses to grow past its capacity', () => {
    const { heap } = heapOver(20)
    for (let slot = 0; slot < 20; slot++) heap.push(slot, slot)
    expect(() => heap.push(0, 0)).toThrow(RangeError)
  })
})
