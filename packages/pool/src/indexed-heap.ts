/**
 * An indexed binary heap: each item stores its own position (through the `getPos`/`setPos`
 * accessors), so removing an arbitrary item is O(log n) without a search and without lazy
 * deletion. The pool keeps one per order it needs (lowest rating, highest rating, earliest
 * expiry, and lowest rating per peer) over the same entry objects, with one position field per
 * heap in each entry: no per-entry closures or maps.
 */

/** Reads and writes the position of an item in one heap; -1 means "not in this heap". */
export interface HeapPosition<T> {
  /** The item's position in the heap's array, or -1. */
  get(item: T): number
  /** Records the item's position in the heap's array (-1 on removal). */
  set(item: T, pos: number): void
}

/**
 * A binary min-heap ordered by `before` (true when `a` must come out before `b`). Every
 * operation is O(log n) except {@link IndexedHeap.peek} (O(1)) and {@link IndexedHeap.walk}.
 */
export class IndexedHeap<T> {
  /** The heap array: `items[0]` comes first; children of `i` are `2i + 1` and `2i + 2`. */
  readonly items: T[] = []
  private readonly before: (a: T, b: T) => boolean
  private readonly pos: HeapPosition<T>

  /** Creates an empty heap with the given order and position accessors. */
  constructor(before: (a: T, b: T) => boolean, pos: HeapPosition<T>) {
    this.before = before
    this.pos = pos
  }

  /** Number of items. */
  get size(): number {
    return this.items.length
  }

  /** The first item in order, without removing it. O(1). */
  peek(): T | undefined {
    return this.items[0]
  }

  /** Inserts an item that is not in the heap. O(log n). */
  push(item: T): void {
    this.items.push(item)
    this.siftUp(this.items.length - 1, item)
  }

  /** Removes and returns the first item. O(log n). */
  pop(): T | undefined {
    const first = this.items[0]
    if (first !== undefined) this.remove(first)
    return first
  }

  /** Removes an item that is in the heap (found through its stored position). O(log n). */
  remove(item: T): void {
    const items = this.items
    const i = this.pos.get(item)
    const last = items.pop() as T
    this.pos.set(item, -1)
    if (i === items.length) return
    items[i] = last
    if (i > 0 && this.before(last, items[(i - 1) >> 1])) this.siftUp(i, last)
    else this.siftDown(i, last)
  }

  /**
   * Visits items in heap order without changing the heap, until `visit` returns false.
   * Best-first search over the heap tree with a small frontier heap: visiting k items costs
   * O(k log k), whatever the heap's size. The heap must not change during the walk.
   */
  walk(visit: (item: T) => boolean): void {
    const items = this.items
    if (items.length === 0) return
    const before = this.before
    // Frontier: a binary heap of positions in `items`, ordered by the items they point at.
    const frontier: number[] = [0]
    while (frontier.length > 0) {
      const top = frontier[0]
      const last = frontier.pop() as number
      if (frontier.length > 0) {
        let i = 0
        const n = frontier.length
        const lastItem = items[last]
        for (;;) {
          const l = 2 * i + 1
          if (l >= n) break
          const r = l + 1
          const c = r < n && before(items[frontier[r]], items[frontier[l]]) ? r : l
          if (!before(items[frontier[c]], lastItem)) break
          frontier[i] = frontier[c]
          i = c
        }
        frontier[i] = last
      }
      if (!visit(items[top])) return
      for (let child = 2 * top + 1; child <= 2 * top + 2 && child < items.length; child++) {
        let i = frontier.length
        frontier.push(child)
        const childItem = items[child]
        while (i > 0) {
          const p = (i - 1) >> 1
          if (!before(childItem, items[frontier[p]])) break
          frontier[i] = frontier[p]
          i = p
        }
        frontier[i] = child
      }
    }
  }

  private siftUp(i: number, item: T): void {
    const items = this.items
    while (i > 0) {
      const p = (i - 1) >> 1
      const parent = items[p]
      if (!this.before(item, parent)) break
      items[i] = parent
      this.pos.set(parent, i)
      i = p
    }
    items[i] = item
    this.pos.set(item, i)
  }

  private siftDown(i: number, item: T): void {
    const items = this.items
    const n = items.length
    for (;;) {
      const l = 2 * i + 1
      if (l >= n) break
      const r = l + 1
      const c = r < n && this.before(items[r], items[l]) ? r : l
      const child = items[c]
      if (!this.before(child, item)) break
      items[i] = child
      this.pos.set(child, i)
      i = c
    }
    items[i] = item
    this.pos.set(item, i)
  }
}
