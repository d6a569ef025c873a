/**
 * Each slot's expiry second, for `prune` and for sweeping expired entries when room is needed,
 * with a lower bound on the earliest one. Inserting and removing a slot write one number (no list,
 * map or heap: an evicting `add` touches one line here instead of five). Finding the expired slots
 * is a sequential scan of the slots, O(n) for n slots ever used, and it runs only when the bound
 * says some slot may have expired: after a scan the bound is exact, an insert can only lower it,
 * and a removal leaves it as it is (still a lower bound). So with a clock that moves forward, a scan
 * that finds nothing is followed by no other until `now` passes the earliest expiry held then: at
 * most one scan per expiry second, on top of the scans that do remove entries. The node prunes once
 * a second, which at 100k slots costs one scan of 800 KB (about 0.1–0.2 ms).
 */
import { grown } from './typed-array.ts'

/** A slot's expiry when it holds none (a free slot). */
const NONE = Infinity

/** Expiry seconds by slot, with a lower bound on the earliest. */
export class ExpiryIndex {
  /** Per slot: its expiry, unix seconds, or `Infinity` for none. */
  private expiries: Float64Array
  /** At most every expiry held; exact after a scan (`Infinity` when none is held). */
  private bound = NONE

  /** An empty index with room for `capacity` slots before its array grows. */
  constructor(capacity: number) {
    this.expiries = new Float64Array(capacity).fill(NONE)
  }

  /** Makes the per-slot array hold at least `capacity` slots. */
  reserve(capacity: number): void {
    if (capacity > this.expiries.length) this.expiries = grown(this.expiries, capacity, NONE)
  }

  /** Records `second` as the expiry of `slot` (which holds none). O(1). */
  insert(slot: number, second: number): void {
    this.expiries[slot] = second
    if (second < this.bound) this.bound = second
  }

  /** Forgets the expiry of `slot`. O(1). */
  remove(slot: number): void {
    this.expiries[slot] = NONE
  }

  /**
   * A lower bound on the earliest expiry held: no slot expires before it. `Infinity` when no slot
   * has been inserted since a scan found none held. O(1).
   */
  earliest(): number {
    return this.bound
  }

  /**
   * The slots below `slots` whose expiry is before `now`, in slot order (the caller removes
   * them); the bound becomes the earliest expiry of the others. O(slots).
   */
  expired(now: number, slots: number): number[] {
    const expiries = this.expiries
    const out: number[] = []
    let earliest = NONE
    for (let slot = 0; slot < slots; slot++) {
      const second = expiries[slot]
      if (second < now) out.push(slot)
      else if (second < earliest) earliest = second
    }
    this.bound = earliest
    return out
  }
}
