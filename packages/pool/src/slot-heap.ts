/**
 * An indexed 4-ary min-heap of slot numbers (see `entry-table.ts`) with each slot's primary key
 * stored inline in a `Float64Array` beside it. Comparisons read two adjacent typed arrays instead
 * of chasing object pointers, and a tie on the key is settled by a comparator over the slots. Each
 * slot's position lives in a position array indexed by slot (owned by the entry table), so removing
 * an arbitrary slot is O(log n) with no search and no lazy deletion.
 */

/** Settles a tie on the primary key: true when slot `a` comes out before slot `b`. */
export type SlotTieBreak = (a: number, b: number) => boolean

/**
 * A 4-ary min-heap of slots by `(key, tie)`: half the depth of a binary heap, and the four
 * children of a node sit side by side in memory, so a sift touches fewer cache lines. `push`, `pop` and `remove` are O(log n); `peek` O(1);
 * `walk` O(k log k) for k slots visited.
 */
export class SlotHeap {
  private slots: Int32Array
  private keys: Float64Array
  private count = 0
  private readonly tie: SlotTieBreak
  private readonly positions: () => Int32Array
  private readonly maxCapacity: number

  /**
   * @param tie settles equal keys
   * @param positions returns the current slot → position array (the table may replace it as it grows)
   * @param maxCapacity the most slots the heap will ever hold (its arrays grow no further)
   */
  constructor(tie: SlotTieBreak, positions: () => Int32Array, maxCapacity: number = Number.MAX_SAFE_INTEGER) {
    this.tie = tie
    this.positions = positions
    this.maxCapacity = maxCapacity
    const initial = Math.min(16, maxCapacity)
    this.slots = new Int32Array(initial)
    this.keys = new Float64Array(initial)
  }

  /** Number of slots in the heap. */
  get size(): number {
    return this.count
  }

  /** The first slot, or -1 when empty. O(1). */
  peek(): number {
    return this.count > 0 ? this.slots[0] : -1
  }

  /** The key of the first slot (`Infinity` when empty). */
  peekKey(): number {
    return this.count > 0 ? this.keys[0] : Infinity
  }

  /** Inserts `slot` (not in this heap) with primary key `key`. O(log n). */
  push(slot: number, key: number): void {
    if (this.count === this.slots.length) this.grow()
    this.siftUp(this.count++, slot, key, this.positions())
  }

  /** Removes `slot` (in this heap). O(log n). */
  remove(slot: number): void {
    const pos = this.positions()
    const i = pos[slot]
    pos[slot] = -1
    const n = --this.count
    if (i === n) return
    const last = this.slots[n]
    const key = this.keys[n]
    if (i > 0 && this.lessThan(key, last, (i - 1) >> 2)) this.siftUp(i, last, key, pos)
    else this.siftDown(i, last, key, pos)
  }

  /**
   * Visits slots in heap order without changing the heap, until `visit` returns false:
   * best-first search over the heap tree with a small frontier heap of positions, O(k log k) for
   * k slots visited whatever the heap's size. The heap must not change during the walk.
   */
  walk(visit: (slot: number) => boolean): void {
    const n = this.count
    if (n === 0) return
    const frontier: number[] = [0]
    while (frontier.length > 0) {
      const top = frontier[0]
      const last = frontier.pop() as number
      const f = frontier.length
      if (f > 0) {
        let i = 0
        for (;;) {
          const l = 2 * i + 1
          if (l >= f) break
          const c = l + 1 < f && this.before(frontier[l + 1], frontier[l]) ? l + 1 : l
          if (!this.before(frontier[c], last)) break
          frontier[i] = frontier[c]
          i = c
        }
        frontier[i] = last
      }
      if (!visit(this.slots[top])) return
      for (let child = 4 * top + 1; child <= 4 * top + 4 && child < n; child++) {
        let i = frontier.length
        frontier.push(child)
        while (i > 0) {
          const p = (i - 1) >> 1
          if (!this.before(child, frontier[p])) break
          frontier[i] = frontier[p]
          i = p
        }
        frontier[i] = child
      }
    }
  }

  /** True when the item at heap position `i` comes before the one at `j`. */
  private before(i: number, j: number): boolean {
    const ki = this.keys[i]
    const kj = this.keys[j]
    return ki < kj || (ki === kj && this.tie(this.slots[i], this.slots[j]))
  }

  /** True when (`key`, `slot`) comes before the item at heap position `j`. */
  private lessThan(key: number, slot: number, j: number): boolean {
    const kj = this.keys[j]
    return key < kj || (key === kj && this.tie(slot, this.slots[j]))
  }

  private siftUp(i: number, slot: number, key: number, pos: Int32Array): void {
    const slots = this.slots
    const keys = this.keys
    while (i > 0) {
      const p = (i - 1) >> 2
      if (!this.lessThan(key, slot, p)) break
      const ps = slots[p]
      slots[i] = ps
      keys[i] = keys[p]
      pos[ps] = i
      i = p
    }
    slots[i] = slot
    keys[i] = key
    pos[slot] = i
  }

  /**
   * Fills the hole at position `i` with (`slot`, `key`), which belongs at or below it: the hole
   * first sinks to a leaf along the smallest children (three comparisons per level, none against
   * `key`), then `key` rises from there, but not above `i` (Floyd's bottom-up heap repair). It
   * rarely rises: it came from the last leaf, so it is usually among the largest.
   */
  private siftDown(i: number, slot: number, key: number, pos: Int32Array): void {
    const slots = this.slots
    const keys = this.keys
    const tie = this.tie
    const n = this.count
    let h = i
    for (;;) {
      const first = 4 * h + 1
      if (first >= n) break
      // The smallest of up to four children, adjacent in both arrays.
      let c = first
      let ck = keys[first]
      let cs = slots[first]
      const end = first + 4 < n ? first + 4 : n
      for (let j = first + 1; j < end; j++) {
        const kj = keys[j]
        if (kj < ck || (kj === ck && tie(slots[j], cs))) {
          c = j
          ck = kj
          cs = slots[j]
        }
      }
      slots[h] = cs
      keys[h] = ck
      pos[cs] = h
      h = c
    }
    while (h > i) {
      const p = (h - 1) >> 2
      const pk = keys[p]
      const ps = slots[p]
      if (!(key < pk || (key === pk && tie(slot, ps)))) break
      slots[h] = ps
      keys[h] = pk
      pos[ps] = h
      h = p
    }
    slots[h] = slot
    keys[h] = key
    pos[slot] = h
  }

  private grow(): void {
    const capacity = Math.min(this.maxCapacity, Math.max(16, this.slots.length * 2))
    if (capacity <= this.slots.length) throw new RangeError('heap is full')
    const slots = new Int32Array(capacity)
    const keys = new Float64Array(capacity)
    slots.set(this.slots)
    keys.set(this.keys)
    this.slots = slots
    this.keys = keys
  }
}
