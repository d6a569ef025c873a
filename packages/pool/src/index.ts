/**
 * @packageDocumentation
 * A bounded TTL/priority pool of Whisper v6 envelopes: every envelope a node holds until it
 * expires, bounded by bytes and by count, with a per-peer quota. When room is needed it evicts
 * expired envelopes first, then the lowest rating; it hands envelopes out in forwarding order
 * (highest rating first) filtered by a peer's bloom, PoW requirement and known set; and a seen
 * cache remembers hashes no longer pooled until their expiry plus 20 s, so late duplicates are
 * recognised. Pure and synchronous: time is an argument, the node drives `prune`. The caller
 * computes each envelope's hash, PoW and rating once (the pool depends on @hush/envelope only).
 * The pool keeps each envelope as its canonical RLP bytes, copied into shared 1 MiB slabs (about
 * 1.2× the raw bytes in all for 1 KiB envelopes), and decodes an envelope only when asked. It
 * reuses that storage, so nothing it returns points into it except `getRaw`'s documented view:
 * removed entries come back as records (`EntryInfo`: key and numbers), pooled ones as snapshots
 * (`PoolEntry`) that copy their bytes on first read.
 *
 * @example
 * ```ts
 * import { createPool } from '@hush/pool'
 * const pool = createPool({ maxBytes: 32 * 1024 * 1024, maxCount: 50_000 })
 * const now = Math.floor(Date.now() / 1000)
 * const result = pool.add({ envelope, raw, hash, pow, rating, peer: 'peer-a' }, now)
 * if (result.status === 'added') queueForPeers(hash)
 * const bytes = pool.getRaw(hash) // per peer, when sending: copy it into the frame at once
 * const batch = pool.select({ bloom: peerBloom, minPow: peerMinPow, limit: 64, exclude: knownByPeer })
 * pool.prune(now) // from the node's 1 s timer
 * ```
 */
export type { EntryInfo, PoolEntry, PoolEntryInit } from './entry.ts'
export type { HashKey } from './hash-key.ts'
export { hashKey, keyToHash } from './hash-key.ts'
export type { PoolInit, PoolSettings } from './options.ts'
export type { AddResult, AddStatus, Eviction, EvictionReason, Pool, PoolStats, SelectOptions } from './api.ts'
export { createPool } from './pool.ts'
export type { SeenCache, SeenCacheInit } from './seen-cache.ts'
export { createSeenCache } from './seen-cache.ts'
export {
  DEFAULT_FUTURE_ALLOWANCE_SECONDS,
  DEFAULT_PEER_SHARE,
  DEFAULT_POOL_MAX_BYTES,
  DEFAULT_POOL_MAX_COUNT,
  DEFAULT_SEEN_ALLOWANCE_SECONDS,
  DEFAULT_SEEN_MAX_COUNT,
  HASH_LENGTH_BYTES,
} from './constants.ts'
