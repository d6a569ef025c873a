/**
 * Choosing what to evict for a newcomer, without changing anything: a pure decision over the
 * heaps, so the pool either evicts all victims and adds the newcomer, or does neither.
 */
import { mayEvictFor, type PoolRecord } from './entry.ts'
import type { IndexedHeap } from './indexed-heap.ts'

/** How much has to be freed: a count and a byte amount (either may be ≤ 0: nothing needed). */
export interface Need {
  count: number
  bytes: number
}

/** The decision: victims from the newcomer's peer (quota), then from the whole pool (bounds). */
export type VictimChoice =
  | { readonly ok: true; readonly quota: PoolRecord[]; readonly rating: PoolRecord[] }
  | { readonly ok: false; readonly status: 'peer-quota' | 'full' }

const NONE: PoolRecord[] = []

/**
 * Takes lowest-ranked records from `heap` (which must not change meanwhile) while they may be
 * evicted for `newcomer` and `need` is not yet met, skipping records in `skip`. Mutates `need`.
 * Cost: O(k log k) for the k records looked at.
 */
function take(heap: IndexedHeap<PoolRecord>, newcomer: PoolRecord, need: Need, skip: ReadonlySet<PoolRecord> | undefined): PoolRecord[] {
  if (need.count <= 0 && need.bytes <= 0) return NONE
  const out: PoolRecord[] = []
  heap.walk((v) => {
    if (!mayEvictFor(v, newcomer)) return false
    if (skip !== undefined && skip.has(v)) return true
    out.push(v)
    need.count--
    need.bytes -= v.bytes
    return need.count > 0 || need.bytes > 0
  })
  return out
}

/**
 * Chooses the records to evict so that `newcomer` fits: first from its peer's own entries while
 * the peer is over its quota (`peerNeed`), then from the whole pool while the pool is over its
 * bounds (`poolNeed`, reduced by what the quota victims free). Only records ranked strictly
 * below the newcomer (see `mayEvictFor`) are taken, lowest first.
 */
export function chooseVictims(
  newcomer: PoolRecord,
  peerHeap: IndexedHeap<PoolRecord> | undefined,
  peerNeed: Need,
  poolHeap: IndexedHeap<PoolRecord>,
  poolNeed: Need
): VictimChoice {
  let quota = NONE
  if (peerHeap !== undefined) {
    quota = take(peerHeap, newcomer, peerNeed, undefined)
    if (peerNeed.count > 0 || peerNeed.bytes > 0) return { ok: false, status: 'peer-quota' }
    for (const v of quota) {
      poolNeed.count--
      poolNeed.bytes -= v.bytes
    }
  }
  const rating = take(poolHeap, newcomer, poolNeed, quota.length > 0 ? new Set(quota) : undefined)
  if (poolNeed.count > 0 || poolNeed.bytes > 0) return { ok: false, status: 'full' }
  return { ok: true, quota, rating }
}
