import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SLAB_PREFIX_BYTES, SlabStore } from '../src/slab-store.ts'

/** Distinct bytes for a slot and a generation, so a misplaced or stale copy shows. */
const bytesFor = (slot: number, gen: number, length: number): Uint8Array =>
  new Uint8Array(length).map((_, i) => (slot * 7 + gen * 13 + i) & 0xff)

describe('slab store', () => {
  it('never compacts when entries leave in arrival order', () => {
    const store = new SlabStore(400, { slabBytes: 256 })
    for (let slot = 0; slot < 400; slot++) {
      store.put(slot, bytesFor(slot, 0, 10))
      if (slot >= 100) store.free(slot - 100)
    }
    expect(store.movedBytes).toBe(0)
    store.verify([...Array(100).keys()].map((i) => 300 + i))
  })

  it('keeps every live entry intact through random puts and frees, within its memory bound', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(16, 64, 256, 1024),
        fc.constantFrom(0.25, 0.5, 0.75),
        fc.array(fc.record({ slot: fc.nat({ max: 39 }), length: fc.oneof(fc.nat({ max: 40 }), fc.nat({ max: 1500 })) }), { maxLength: 300 }),
        (slabBytes, threshold, ops) => {
          const store = new SlabStore(40, { slabBytes, threshold })
          const held = new Map<number, Uint8Array>()
          ops.forEach(({ slot, length }, gen) => {
            if (gen % 3 === 0) store.recycle()
            if (held.has(slot)) {
              store.free(slot)
              held.delete(slot)
            } else {
              const bytes = bytesFor(slot, gen, length)
              store.put(slot, bytes)
              bytes.fill(0xee) // the store holds its own copy
              held.set(slot, bytesFor(slot, gen, length))
            }
            store.verify(held.keys())
            for (const [s, bytes] of held) expect(store.view(s)).toEqual(bytes)
            const live = [...held.values()].reduce((sum, b) => sum + SLAB_PREFIX_BYTES + b.length, 0)
            expect(store.liveBytes).toBe(live)
            // Sealed slabs are at least `threshold` live; the current one and two spares are a slab each.
            expect(store.allocatedBytes).toBeLessThanOrEqual(live / threshold + 3 * slabBytes)
          })
        }
      ),
      { numRuns: 150 }
    )
  })

  it('compacts the sparsest slab when the sealed slabs fall below 3/4 live, and leaves old views intact', () => {
    const store = new SlabStore(64, { slabBytes: 256 })
    // 10-byte entries, 14 bytes with the prefix: 18 per 256-byte slab.
    for (let slot = 0; slot < 54; slot++) store.put(slot, bytesFor(slot, 0, 10))
    expect(store.slabCount).toBe(3)
    const before = store.view(15)
    // Sealed: slabs 0 and 1, 504 of 512 bytes live. Eight frees leave 392 ≥ 384 (3/4): nothing moves.
    for (let slot = 0; slot < 8; slot++) store.free(slot)
    expect(store.movedBytes).toBe(0)
    store.free(8) // 378 < 384: slab 0 (126 of 256 live) is the sparsest and is compacted
    expect(store.movedBytes).toBe(90)
    expect(store.slabCount).toBe(3)
    store.verify([...Array(54).keys()].slice(9))
    expect(store.view(15)).toEqual(bytesFor(15, 0, 10))
    expect(store.view(15).buffer).not.toBe(before.buffer)
    expect(before).toEqual(bytesFor(15, 0, 10))
  })

  it('gives an entry larger than a slab its own buffer and drops it when freed', () => {
    const store = new SlabStore(4, { slabBytes: 1024 })
    store.put(0, bytesFor(0, 0, 10))
    store.put(1, bytesFor(1, 0, 2000))
    expect(store.slabCount).toBe(2)
    expect(store.allocatedBytes).toBe(1024 + 2004)
    store.free(1)
    expect(store.allocatedBytes).toBe(1024)
    store.put(2, bytesFor(2, 0, 10))
    store.verify([0, 2])
  })

  it('starts small and doubles its slabs up to the slab size', () => {
    const store = new SlabStore(512, { slabBytes: 4 * 1024 * 1024 })
    store.put(0, new Uint8Array(100))
    expect(store.allocatedBytes).toBe(64 * 1024)
    for (let slot = 1; slot < 512; slot++) store.put(slot, new Uint8Array(1000))
    expect(store.allocatedBytes).toBe((64 + 128 + 256 + 512) * 1024)
  })

  it('reuses dropped full-size slabs only after recycle()', () => {
    const store = new SlabStore(64, { slabBytes: 256 })
    for (let slot = 0; slot < 36; slot++) store.put(slot, bytesFor(slot, 0, 10)) // two full slabs
    const old = store.view(0)
    for (let slot = 0; slot < 18; slot++) store.free(slot) // slab 0 empties and is retired
    expect(store.allocatedBytes).toBe(3 * 256)
    for (let slot = 0; slot < 18; slot++) store.put(slot, bytesFor(slot, 1, 10)) // fills slab 2, opens a fourth
    expect(store.allocatedBytes).toBe(4 * 256)
    expect(old).toEqual(bytesFor(0, 0, 10)) // not reused before recycle()
    for (let slot = 18; slot < 36; slot++) store.free(slot)
    store.recycle()
    for (let slot = 18; slot < 40; slot++) store.put(slot, bytesFor(slot, 2, 10))
    expect(store.allocatedBytes).toBe(4 * 256)
    store.verify([...Array(40).keys()])
  })

  it('rejects bad settings', () => {
    expect(() => new SlabStore(1, { slabBytes: 8 })).toThrow(RangeError)
    expect(() => new SlabStore(1, { threshold: 0.8 })).toThrow(RangeError)
  })
})
