/**
 * The orders the pool keeps, over slots of an {@link EntryTable}. Rank, lowest first: by rating,
 * then earlier expiry (less life left), then earlier insertion. Eviction takes the lowest rank;
 * forwarding order is its exact reverse. Each heap stores its primary key inline (rating, minus
 * rating, or expiry) and uses these tie-breaks only when the keys are equal.
 */
import type { EntryTable } from './entry-table.ts'
import type { SlotTieBreak } from './slot-heap.ts'

/** Tie-breaks for the heaps over one table. */
export interface RankOrders {
  /** Lowest rank first, key `rating`: earlier expiry, then earlier insertion. */
  readonly lowestFirst: SlotTieBreak
  /** Highest rank first, key `-rating`: later expiry, then later insertion. */
  readonly highestFirst: SlotTieBreak
  /** Earliest expiry first, key `expiry`: no tie-break (any order within a second will do). */
  readonly expiryFirst: SlotTieBreak
}

/** Builds the tie-breaks for `table` (they read its arrays as they are at call time). */
export function rankOrders(table: EntryTable): RankOrders {
  return {
    lowestFirst: (a, b) => {
      const e = table.expiry
      return e[a] !== e[b] ? e[a] < e[b] : table.seq[a] < table.seq[b]
    },
    highestFirst: (a, b) => {
      const e = table.expiry
      return e[a] !== e[b] ? e[a] > e[b] : table.seq[a] > table.seq[b]
    },
    expiryFirst: () => false,
  }
}

/**
 * Whether the entry in slot `victim` may be evicted for a newcomer with `rating` and `expiry`:
 * strictly lower rating, or equal rating and earlier expiry (nim-eth's tie rule). A full tie never
 * evicts (Parity's rule: nothing rated at least as high as the newcomer goes).
 */
export function mayEvictFor(table: EntryTable, victim: number, rating: number, expiry: number): boolean {
  const r = table.rating[victim]
  return r < rating || (r === rating && table.expiry[victim] < expiry)
}
