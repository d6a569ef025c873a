/**
 * A peer's share of the pool, and when to keep the heap of its entries. Its heap (its entries,
 * lowest rank first) is what the quota evicts from, and it is needed only when the peer is at its
 * quota; keeping it costs every add and removal of the peer's entries a sift. So when envelopes
 * are small next to the quota ({@link hasLazyPeerHeaps}), the heap is built (a scan of the slots)
 * only once the peer holds half its quota, in count or bytes, and dropped once it holds less than
 * a quarter of both, but not before the peer has had as many adds and removals since the build as
 * the scan visited slots: so builds cost O(1) amortised per operation. A peer at its quota holds
 * more than half of it (an envelope is at most a quarter of the byte quota), so it always has its
 * heap then.
 */
import { RATING, RECORD, type EntryTable } from './entry-table.ts'
import type { PoolSettings } from './options.ts'
import { SlotHeap, type SlotTieBreak } from './slot-heap.ts'

/** A peer's share of the pool: its bytes, count and (see the module comment) heap. */
export interface PeerLoad {
  readonly name: string
  bytes: number
  count: number
  heap: SlotHeap | undefined
  /** Adds and removals of this peer's entries since its heap was built. */
  ops: number
}

/** Whether peer heaps are kept only near the quota: envelopes are small next to it. */
export function hasLazyPeerHeaps(s: PoolSettings): boolean {
  return s.maxPeerCount >= 4 && 4 * Math.min(s.maxEnvelopeBytes, s.maxBytes) <= s.maxPeerBytes
}

/** Whether `load`, which has no heap, needs one now (it holds half its quota). */
export function needsHeap(load: PeerLoad, s: PoolSettings): boolean {
  return 2 * load.count >= s.maxPeerCount || 2 * load.bytes >= s.maxPeerBytes
}

/**
 * Whether `load`'s heap may go: it holds less than a quarter of its quota, and has had at least
 * `scanned` adds and removals (the slots its build visited) since the heap was built.
 */
export function mayDropHeap(load: PeerLoad, s: PoolSettings, scanned: number): boolean {
  return 4 * load.count < s.maxPeerCount && 4 * load.bytes < s.maxPeerBytes && load.ops >= scanned
}

/** Builds the heap of `load`'s entries from a scan of the slots. O(n + k log k) for its k entries. */
export function trackPeer(table: EntryTable<PeerLoad>, tie: SlotTieBreak, load: PeerLoad, maxPeerCount: number): void {
  const heap = new SlotHeap(tie, () => table.peerPos, maxPeerCount)
  const peers = table.peers
  const num = table.num
  for (let slot = 0, n = table.highWater; slot < n; slot++) {
    if (peers[slot] === load) heap.push(slot, num[slot * RECORD + RATING])
  }
  load.heap = heap
  load.ops = 0
}
