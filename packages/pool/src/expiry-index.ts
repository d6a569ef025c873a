/**
 * Slots by expiry second, for `prune` and for sweeping expired entries when room is needed.
 * Expiries are whole unix seconds (Whisper's `expiry` is a uint32), and many entries share one,
 * so instead of a heap over every slot this keeps one doubly linked list of slots per second
 * (intrusive: a `next` and a `prev` slot per slot, side by side in one typed array) and a small min-heap of the
 * seconds that have a list. Inserting and removing a slot are O(1), plus O(log s) when a second's
 * list is created (s = distinct seconds held, a few hundred for usual TTLs); finding the earliest
 * second is O(1) amortised. The order within a second is unspecified.
 *
 * The heap of seconds is lazy: a second whose list emptied stays in it until it reaches the top,
 * and a second whose list is created again is pushed again; the heap is rebuilt from the lists
 * when such leftovers outnumber the live seconds.
 */
import { popMin, pushMin } from './min-heap.ts'
import { grown } from './typed-array.ts'

const NONE = -1

/** Slots grouped by expiry second. */
export class ExpiryIndex {
  /**
   * Per slot, at `2 * slot`: the next slot in the same second's list, or -1; at `2 * slot + 1`:
   * the previous one, or -1 at the head.
   */
  private links: Int32Array
  /** Head slot of each second's list. */
  private readonly heads = new Map<number, number>()
  /** Min-heap of seconds; may hold seconds whose list is gone, and duplicates (see above). */
  private seconds: number[] = []

  /** An empty index with room for `capacity` slots before its arrays grow. */
  constructor(capacity: number) {
    this.links = new Int32Array(2 * capacity)
  }

  /** Makes the per-slot arrays hold at least `capacity` slots. */
  reserve(capacity: number): void {
    if (2 * capacity > this.links.length) this.links = grown(this.links, 2 * capacity)
  }

  /** Adds `slot` (not indexed) under `second`. O(1), or O(log s) for a new second. */
  insert(slot: number, second: number): void {
    const head = this.heads.get(second)
    const links = this.links
    if (head === undefined) {
      this.heads.set(second, slot)
      links[2 * slot] = NONE
      links[2 * slot + 1] = NONE
      pushMin(this.seconds, second)
      if (this.seconds.length > 2 * this.heads.size + 64) this.rebuild()
      return
    }
    // After the head, so the map is not written.
    const after = links[2 * head]
    links[2 * slot] = after
    links[2 * slot + 1] = head
    if (after !== NONE) links[2 * after + 1] = slot
    links[2 * head] = slot
  }

  /** Removes `slot`, indexed under `second`. O(1). */
  remove(slot: number, second: number): void {
    const links = this.links
    const n = links[2 * slot]
    const p = links[2 * slot + 1]
    if (n !== NONE) links[2 * n + 1] = p
    if (p !== NONE) links[2 * p] = n
    else if (n !== NONE) this.heads.set(second, n)
    else this.heads.delete(second)
  }

  /** The earliest second that has slots, or `Infinity`. O(1) amortised. */
  earliest(): number {
    const seconds = this.seconds
    while (seconds.length > 0) {
      const second = seconds[0]
      if (this.heads.has(second)) return second
      popMin(seconds)
    }
    return Infinity
  }

  /** A slot of `second`, or -1 when it has none. */
  first(second: number): number {
    return this.heads.get(second) ?? NONE
  }

  /** Rebuilds the heap of seconds from the live lists. O(s). */
  private rebuild(): void {
    const seconds = [...this.heads.keys()].sort((a, b) => a - b)
    this.seconds = seconds // a sorted array is a valid min-heap
  }
}
