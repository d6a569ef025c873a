/**
 * The rank order over slots of an {@link EntryTable}. Rank, lowest first: by rating, then earlier
 * expiry (less life left), then earlier insertion. Eviction takes the lowest rank (the heaps store
 * the rating inline and use the tie-break below only when ratings are equal); forwarding order is
 * its exact reverse (see `select.ts`).
 */
import { EXPIRY, RATING, RECORD, SEQ, type EntryTable } from './entry-table.ts'
import type { SlotTieBreak } from './slot-heap.ts'

/** The tie-break of the lowest-rank-first heaps over `table`: earlier expiry, then earlier insertion. */
export function lowestFirstTie(table: EntryTable): SlotTieBreak {
  return (a, b) => {
    const num = table.num
    const ea = num[a * RECORD + EXPIRY]
    const eb = num[b * RECORD + EXPIRY]
    return ea !== eb ? ea < eb : num[a * RECORD + SEQ] < num[b * RECORD + SEQ]
  }
}

/**
 * Whether the entry in slot `victim` may be evicted for a newcomer with `rating` and `expiry`:
 * strictly lower rating, or equal rating and earlier expiry (nim-eth's tie rule). A full tie never
 * evicts (Parity's rule: nothing rated at least as high as the newcomer goes).
 */
export function mayEvictFor(table: EntryTable, victim: number, rating: number, expiry: number): boolean {
  const r = table.num[victim * RECORD + RATING]
  return r < rating || (r === rating && table.num[victim * RECORD + EXPIRY] < expiry)
}
