/**
 * Choosing what to evict for a newcomer, without changing anything: a pure decision over the
 * heaps, so the pool either evicts every victim and adds the newcomer, or does neither.
 */
import { BYTES, RECORD, type EntryTable } from './entry-table.ts'
import { mayEvictFor } from './rank.ts'
import type { SlotHeap } from './slot-heap.ts'

/** How much has to be freed: a count and a byte amount (≤ 0: nothing needed). */
export interface Need {
  count: number
  bytes: number
}

/** The newcomer's rank fields. */
export interface Newcomer {
  readonly rating: number
  readonly expiry: number
}

/** The decision: slots to evict from the newcomer's peer (quota), then from the whole pool (bounds). */
export type VictimChoice =
  | { readonly ok: true; readonly quota: readonly number[]; readonly rating: readonly number[] }
  | { readonly ok: false; readonly status: 'peer-quota' | 'full' }

const NONE: readonly number[] = []

/**
 * Takes the lowest-ranked slots of `heap` (which must not change meanwhile) while they may be
 * evicted for `newcomer` and `need` is not met, skipping slots in `skip`. Mutates `need`.
 * O(k log k) for the k slots looked at.
 */
function take(table: EntryTable, heap: SlotHeap, newcomer: Newcomer, need: Need, skip: ReadonlySet<number> | undefined): readonly number[] {
  if (need.count <= 0 && need.bytes <= 0) return NONE
  // Fast path, the usual case in a flood: the lowest entry alone makes room.
  const first = heap.peek()
  if (first >= 0 && (skip === undefined || !skip.has(first)) && need.count <= 1 && need.bytes <= table.num[first * RECORD + BYTES]) {
    if (!mayEvictFor(table, first, newcomer.rating, newcomer.expiry)) return NONE
    need.count--
    need.bytes -= table.num[first * RECORD + BYTES]
    return [first]
  }
  const out: number[] = []
  heap.walk((v) => {
    if (!mayEvictFor(table, v, newcomer.rating, newcomer.expiry)) return false
    if (skip !== undefined && skip.has(v)) return true
    out.push(v)
    need.count--
    need.bytes -= table.num[v * RECORD + BYTES]
    return need.count > 0 || need.bytes > 0
  })
  return out
}

/**
 * Chooses the slots to evict so that a newcomer fits: first its peer's own entries while the peer
 * is over its quota (`peerNeed`), then entries of the whole pool while the pool is over its bounds
 * (`poolNeed`, less what the quota victims free). Only entries ranked strictly below the newcomer
 * (see `mayEvictFor`) are taken, lowest first.
 */
export function chooseVictims(
  table: EntryTable,
  newcomer: Newcomer,
  peerHeap: SlotHeap | undefined,
  peerNeed: Need,
  poolHeap: SlotHeap,
  poolNeed: Need
): VictimChoice {
  let quota = NONE
  if (peerHeap !== undefined) {
    quota = take(table, peerHeap, newcomer, peerNeed, undefined)
    if (peerNeed.count > 0 || peerNeed.bytes > 0) return { ok: false, status: 'peer-quota' }
    for (const v of quota) {
      poolNeed.count--
      poolNeed.bytes -= table.num[v * RECORD + BYTES]
    }
  }
  const rating = take(table, poolHeap, newcomer, poolNeed, quota.length > 0 ? new Set(quota) : undefined)
  if (poolNeed.count > 0 || poolNeed.bytes > 0) return { ok: false, status: 'full' }
  return { ok: true, quota, rating }
}
