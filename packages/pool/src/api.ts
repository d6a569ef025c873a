/**
 * The pool's public interface and the types of its results, options and statistics.
 */
import type { Bloom } from '@hush/envelope'
import type { PoolEntry, PoolEntryInit } from './entry.ts'
import type { HashKey } from './hash-key.ts'
import type { PoolSettings } from './options.ts'
import type { SeenCache } from './seen-cache.ts'

/** Every outcome of `Pool.add`. */
export type AddStatus = 'added' | 'duplicate' | 'expired' | 'future' | 'too-large' | 'low-pow' | 'peer-quota' | 'full'

/**
 * Why an entry left the pool without `delete`: 'expired' (by `prune`, or swept by `add` when room
 * was needed), 'rating' (lowest rated when the pool was full), 'peer-quota' (its peer's lowest
 * rated when that peer was at its quota).
 */
export type EvictionReason = 'expired' | 'rating' | 'peer-quota'

/** One entry removed by `add` to make room, and why. */
export interface Eviction {
  readonly entry: PoolEntry
  readonly reason: EvictionReason
}

/**
 * The outcome of `Pool.add`; nothing is thrown for these.
 * - 'added': pooled; `evicted` lists what left to make room (expired first, then by quota, then
 *   by rating).
 * - 'duplicate': the hash is pooled or in the seen cache (the caller marks the sender as
 *   knowing it).
 * - 'expired': `expiry < now`. 'future': sent (`expiry − ttl`) more than the future allowance
 *   after `now`. 'too-large': bigger than the largest envelope, the byte bound, or (for a peer's
 *   envelope) the peer's byte quota. 'low-pow': PoW below the pool's `minPow`.
 * - 'peer-quota': its peer is at its quota and has nothing ranked below it to give up.
 * - 'full': the pool is at a bound and holds nothing ranked below it. Expired entries swept
 *   while looking for room are still reported in `evicted`.
 */
export type AddResult =
  | { readonly status: 'added'; readonly evicted: readonly Eviction[] }
  | { readonly status: 'full' | 'peer-quota'; readonly evicted: readonly Eviction[] }
  | { readonly status: 'duplicate' | 'expired' | 'future' | 'too-large' | 'low-pow' }

/** Options of `Pool.select`; all optional, all filters combine. */
export interface SelectOptions {
  /** The peer's advertised bloom; an entry matches when `bloomMatches(bloom, topicToBloom(topic))`. `undefined`: everything. */
  bloom?: Bloom | undefined
  /** Skip entries whose PoW is below this (the peer's requirement). */
  minPow?: number | undefined
  /** Return at most this many entries. */
  limit?: number | undefined
  /** Skip entries the peer knows: a set of hash keys, or a predicate (true = skip) that must not change the pool. */
  exclude?: ReadonlySet<HashKey> | ((entry: PoolEntry) => boolean) | undefined
  /** When given, skip entries with `expiry < now` that `prune` has not removed yet. */
  now?: number | undefined
}

/** Counters since the pool was created, plus its current size. */
export interface PoolStats {
  /** Entries held. */
  readonly count: number
  /** Bytes held (sum of `size()`). */
  readonly bytes: number
  /** Peers with at least one entry held. */
  readonly peers: number
  /** Hashes in the seen cache. */
  readonly seen: number
  /** `add` calls by outcome. */
  readonly adds: Readonly<Record<AddStatus, number>>
  /** Entries removed by `add` or `prune`, by reason. */
  readonly evictions: Readonly<Record<EvictionReason, number>>
  /** Entries removed by `delete`. */
  readonly deleted: number
}

/** A bounded envelope pool. Not safe to change from inside a `select` predicate. */
export interface Pool {
  /** Number of entries held. */
  readonly size: number
  /** Bytes held (sum of each envelope's `size()`). */
  readonly bytes: number
  /** The settings in force, defaults applied. */
  readonly settings: PoolSettings
  /** The pool's seen cache (hashes no longer pooled, until expiry + allowance). */
  readonly seen: SeenCache
  /**
   * Adds an envelope unless it is a duplicate, expired, from the future, too large, below the
   * minimum PoW, or ranked too low to make room. O(log n) amortised (plus k log k for k evictions).
   * @param now unix seconds
   * @throws {TypeError | RangeError} when `entry` or `now` is malformed (naming the field)
   */
  add(entry: PoolEntryInit, now: number): AddResult
  /** True when the envelope with this hash (or hash key) is pooled. O(1). */
  has(hash: Uint8Array | HashKey): boolean
  /** True when it is pooled or in the seen cache: the cheap check before computing PoW. O(1). */
  hasSeen(hash: Uint8Array | HashKey, now: number): boolean
  /** The pooled entry with this hash (or hash key). O(1). */
  get(hash: Uint8Array | HashKey): PoolEntry | undefined
  /**
   * The canonical RLP of the pooled envelope with this hash (or hash key), or `undefined`: a view
   * into the pool's slab, with the caveats of `PoolEntry.raw` (do not write to it; send or copy it
   * before the pool's next `add`, `delete` or `prune`, and do not hold it across an `await`).
   * O(1), and it allocates only the view: the forwarding path's per-peer read.
   */
  getRaw(hash: Uint8Array | HashKey): Uint8Array | undefined
  /** Removes an entry (remembered in the seen cache) and returns it. O(log n). */
  delete(hash: Uint8Array | HashKey): PoolEntry | undefined
  /**
   * Removes every entry with `expiry < now` (geth's tick), moves them to the seen cache, forgets
   * seen hashes past their allowance, and returns the removed entries. O(log n) per removal.
   */
  prune(now: number): PoolEntry[]
  /**
   * Entries in forwarding order (highest rating first; ties: later expiry, then later arrival)
   * that pass every filter in `options`. O((k + s) log(k + s)) for k returned and s skipped.
   * @throws {TypeError | RangeError} when an option is malformed
   */
  select(options?: SelectOptions): PoolEntry[]
  /** A snapshot of `select(options)` as an iterator (safe to hold while the pool changes). */
  entries(options?: SelectOptions): IterableIterator<PoolEntry>
  /** Counters and current size. */
  stats(): PoolStats
}
