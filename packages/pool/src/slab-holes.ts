/**
 * The freed rooms of a `SlabStore`'s slabs ("holes"), for reuse by newcomers of their size
 * class. Holes are kept on a stack per class, as `(slab, prefix offset, generation)` triples; the
 * last freed one is kept out of the stacks, so that in a flood (every add evicting one envelope of
 * about the same size) the next newcomer takes it at once. A hole stays valid for the life of its
 * slab's buffer (holes are never split or merged); a per-slab generation number tells the stacks'
 * leftovers from a dropped or compacted slab, and the stacks are rebuilt when such leftovers
 * outnumber the live holes.
 */
/** Freed rooms by size class, with the slab each lies in. */
export class HoleStacks {
  /** Valid holes in all, the last freed one included. */
  count = 0
  /** The slab of the hole the last successful {@link take} returned. */
  takenSlab = -1
  /** Generation of each slab number: changes when its buffer is replaced, dropped or compacted. */
  private readonly gens: number[] = []
  /** Valid holes per slab. */
  private readonly holesIn: number[] = []
  /** Holes by room: stacks of `(slab, prefix offset, generation)` triples, some stale. */
  private readonly stacks = new Map<number, number[]>()
  /** The last freed hole (slab, prefix offset, generation, room; slab -1 for none), not on a stack. */
  private lastSlab = -1
  private lastAt = 0
  private lastGen = 0
  private lastRoom = 0
  /** Triples in all the stacks, valid or stale. */
  private stacked = 0

  /** Valid holes in slab `s`. */
  holesOf(s: number): number {
    return this.holesIn[s] ?? 0
  }

  /**
   * Takes a valid hole of class `room`: returns its prefix offset (its slab in `takenSlab`), or -1
   * when there is none. O(1) amortised.
   */
  take(room: number): number {
    const last = this.lastSlab
    if (last >= 0 && this.lastRoom === room) {
      this.lastSlab = -1
      if (this.gens[last] === this.lastGen) return this.taken(last, this.lastAt)
    }
    if (this.count > 0) {
      const stack = this.stacks.get(room)
      if (stack !== undefined) {
        while (stack.length > 0) {
          const gen = stack.pop() as number
          const at = stack.pop() as number
          const s = stack.pop() as number
          this.stacked--
          if (this.gens[s] === gen) return this.taken(s, at)
        }
      }
    }
    return -1
  }

  /** Makes the room at `at` in slab `s` a hole: the last freed one, moving the previous one to its stack. */
  push(room: number, s: number, at: number): void {
    const last = this.lastSlab
    if (last >= 0 && this.gens[last] === this.lastGen) this.stack(this.lastRoom, last, this.lastAt, this.lastGen)
    this.lastSlab = s
    this.lastAt = at
    this.lastGen = this.gens[s]
    this.lastRoom = room
    this.count++
    this.holesIn[s]++
  }

  /** Invalidates the holes of slab `s` (its buffer is new, going, or being emptied). */
  forget(s: number): void {
    this.gens[s] = (this.gens[s] ?? 0) + 1
    this.count -= this.holesIn[s] ?? 0
    this.holesIn[s] = 0
    if (this.stacked > 2 * this.count + 1024) {
      // Stale triples dominate: keep only the valid ones. O(stacked), amortised over the frees.
      let kept = 0
      for (const stack of this.stacks.values()) {
        let n = 0
        for (let i = 0; i < stack.length; i += 3) {
          if (this.gens[stack[i]] !== stack[i + 2]) continue
          stack[n++] = stack[i]
          stack[n++] = stack[i + 1]
          stack[n++] = stack[i + 2]
        }
        stack.length = n
        kept += n / 3
      }
      this.stacked = kept
    }
  }

  /** Calls `visit` with the room, slab and prefix offset of every valid hole. For checks; O(stacked). */
  forEach(visit: (room: number, s: number, at: number) => void): void {
    if (this.lastSlab >= 0 && this.gens[this.lastSlab] === this.lastGen) visit(this.lastRoom, this.lastSlab, this.lastAt)
    for (const [room, stack] of this.stacks) {
      for (let i = 0; i < stack.length; i += 3) if (this.gens[stack[i]] === stack[i + 2]) visit(room, stack[i], stack[i + 1])
    }
  }

  private taken(s: number, at: number): number {
    this.count--
    this.holesIn[s]--
    this.takenSlab = s
    return at
  }

  private stack(room: number, s: number, at: number, gen: number): void {
    let stack = this.stacks.get(room)
    if (stack === undefined) {
      stack = []
      this.stacks.set(room, stack)
    }
    stack.push(s, at, gen)
    this.stacked++
  }
}
