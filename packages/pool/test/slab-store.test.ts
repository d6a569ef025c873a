import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { roomFor } from '../src/slab-room.ts'
import { SlabStore } from '../src/slab-store.ts'

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
            const live = [...held.values()].reduce((sum, b) => sum + roomFor(b.length), 0)
            expect(store.liveBytes).toBe(live)
            // Sealed slabs are at least `threshold` live; the current one and the spare are a slab each.
            expect(store.allocatedBytes).toBeLessThanOrEqual(live / threshold + 2 * slabBytes)
          })
        }
      ),
      { numRuns: 150 }
    )
  })

  it('rounds each room up to its size class: 8-byte steps, then 1/64 of the size', () => {
    expect([0, 4, 5, 12, 13, 508].map(roomFor)).toEqual([8, 8, 16, 16, 24, 512])
    // 1,046 bytes of RLP (a 1 KiB envelope): 1,050 with the prefix, in a 16-byte step.
    expect(roomFor(1046)).toBe(1056)
    expect(roomFor(1047)).toBe(1056)
    expect(roomFor(1052)).toBe(1056)
    expect(roomFor(1053)).toBe(1072)
    for (let length = 0; length < 70_000; length += 97) {
      const room = roomFor(length)
      expect(room % 8).toBe(0)
      expect(room).toBeGreaterThanOrEqual(length + 4)
      expect(room).toBeLessThanOrEqual(Math.max(length + 4 + 7, (length + 4) * (1 + 1 / 64)))
    }
  })

  it('gives a freed room to the next entry of its class, so equal-size churn neither grows nor compacts', () => {
    const store = new SlabStore(200, { slabBytes: 4096 })
    for (let slot = 0; slot < 100; slot++) store.put(slot, bytesFor(slot, 0, 101 + (slot % 3))) // all 112-byte rooms
    const allocated = store.allocatedBytes
    let gen = 1
    for (let round = 0; round < 2_000; round++) {
      const victim = (round * 7919) % 100
      store.free(victim)
      expect(store.holeTotal).toBe(1)
      store.put(victim, bytesFor(victim, gen++, 101 + (round % 3)))
      expect(store.holeTotal).toBe(0)
    }
    expect(store.allocatedBytes).toBe(allocated)
    expect(store.movedBytes).toBe(0)
    store.verify([...Array(100).keys()])
  })

  it('compacts the sparsest slab when the sealed slabs fall below 3/4 live, and leaves old views intact', () => {
    const store = new SlabStore(64, { slabBytes: 256 })
    // 10-byte entries take 16-byte rooms: 16 per 256-byte slab.
    for (let slot = 0; slot < 40; slot++) store.put(slot, bytesFor(slot, 0, 10))
    expect(store.slabCount).toBe(3)
    const before = store.view(15)
    // Sealed: slabs 0 and 1, 512 of 512 bytes live. Eight frees leave 384 = 3/4: nothing moves.
    for (let slot = 0; slot < 8; slot++) store.free(slot)
    expect(store.movedBytes).toBe(0)
    store.free(8) // 368 < 384: slab 0 (7 entries, 112 of 256 live) is the sparsest and is compacted
    expect(store.movedBytes).toBe(70)
    expect(store.slabCount).toBe(2)
    expect(store.holeTotal).toBe(0) // slab 0's holes went with it
    store.verify([...Array(40).keys()].slice(9))
    expect(store.view(15)).toEqual(bytesFor(15, 0, 10))
    expect(store.view(15).buffer).not.toBe(before.buffer)
    expect(before).toEqual(bytesFor(15, 0, 10))
  })

  it('gives an entry larger than a slab its own buffer and drops it when freed', () => {
    const store = new SlabStore(4, { slabBytes: 1024 })
    store.put(0, bytesFor(0, 0, 10))
    store.put(1, bytesFor(1, 0, 2000))
    expect(store.slabCount).toBe(2)
    expect(store.allocatedBytes).toBe(1024 + roomFor(2000))
    store.free(1)
    expect(store.allocatedBytes).toBe(1024)
    expect(store.holeTotal).toBe(0)
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

  it('keeps one dropped full-size slab, and reuses it only after recycle()', () => {
    // A low threshold, so that emptying a slab one entry at a time does not compact it first.
    const store = new SlabStore(64, { slabBytes: 256, threshold: 0.25 })
    for (let slot = 0; slot < 48; slot++) store.put(slot, bytesFor(slot, 0, 10)) // three full slabs
    const old = store.view(0)
    for (let slot = 0; slot < 16; slot++) store.free(slot) // slab 0 empties and is retired
    expect(store.movedBytes).toBe(0)
    expect(store.allocatedBytes).toBe(3 * 256)
    for (let slot = 0; slot < 16; slot++) store.put(slot, bytesFor(slot, 1, 10)) // a fourth slab, not the retired one
    expect(store.allocatedBytes).toBe(4 * 256)
    expect(old).toEqual(bytesFor(0, 0, 10)) // not reused before recycle()
    for (let slot = 16; slot < 32; slot++) store.free(slot) // slab 1 empties: one spare is kept already
    expect(store.allocatedBytes).toBe(3 * 256)
    store.recycle()
    for (let slot = 16; slot < 32; slot++) store.put(slot, bytesFor(slot, 2, 10)) // into the recycled slab
    expect(store.allocatedBytes).toBe(3 * 256)
    expect(old).not.toEqual(bytesFor(0, 0, 10)) // which is why views must not be held
    store.verify([...Array(48).keys()])
  })

  it('rejects bad settings', () => {
    expect(() => new SlabStore(1, { slabBytes: 8 })).toThrow(RangeError)
    expect(() => new SlabStore(1, { threshold: 0.8 })).toThrow(RangeError)
  })
})
