/**
 * The pool's public interface and the types of its results, options and statistics.
 */
import type { Bloom, Topic } from '@hush/envelope'
import type { EntryInfo, PoolEntry, PoolEntryInit } from './entry.ts'
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

/**
 * One entry removed by `add` to make room, and why: its record (key and numbers, no bytes), as
 * handed to the pool's `onEvict` listener.
 */
export interface Eviction {
  readonly entry: EntryInfo
  readonly reason: EvictionReason
}

/**
 * The outcome of `Pool.add`; nothing is thrown for these.
 * - 'added': pooled; `evicted` counts the entries that left to make room (expired first, then by
 *   quota, then by rating; the pool's `onEvict` listener, if any, has been handed each of them).
 * - 'duplicate': the hash is pooled or in the seen cache (the caller marks the sender as
 *   knowing it).
 * - 'expired': `expiry < now`. 'future': sent (`expiry − ttl`) more than the future allowance
 *   after `now`. 'too-large': bigger than the largest envelope, the byte bound, or (for a peer's
 *   envelope) the peer's byte quota. 'low-pow': PoW below the pool's `minPow`.
 * - 'peer-quota': its peer is at its quota and has nothing ranked below it to give up.
 * - 'full': the pool is at a bound and holds nothing ranked below it. Expired entries swept
 *   while looking for room are still counted in `evicted` (and handed to `onEvict`).
 */
export type AddResult =
  | { readonly status: 'added'; readonly evicted: number }
  | { readonly status: 'full' | 'peer-quota'; readonly evicted: number }
  | { readonly status: 'duplicate' | 'expired' | 'future' | 'too-large' | 'low-pow' }

/** Options of `Pool.select`; all optional, all filters combine. */
export interface SelectOptions {
  /** The peer's advertised bloom; an entry matches when `bloomMatches(bloom, topicToBloom(topic))`. `undefined`: everything. */
  bloom?: Bloom | undefined
  /** Only entries on one of these topics (exact, unlike a bloom). `undefined`: every topic. */
  topics?: readonly Topic[] | undefined
  /** Skip entries whose PoW is below this (the peer's requirement). */
  minPow?: number | undefined
  /** Return at most this many entries. */
  limit?: number | undefined
  /**
   * Skip entries the peer knows: a set of hash keys, or a predicate (true = skip) that must not
   * change the pool. The predicate sees each candidate as a {@link PoolEntry}.
   */
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

/**
 * A bounded envelope pool. Not safe to change from inside a `select` predicate.
 *
 * Nothing it returns points into its storage except `getRaw`'s view: records of removed entries
 * ({@link EntryInfo}) carry no bytes, and pooled entries ({@link PoolEntry}) copy theirs on first
 * read, so both stay correct however long they are held.
 */
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
   * minimum PoW, or ranked too low to make room. O(log n) amortised (plus O(log n) per eviction,
   * and O(b) amortised to copy its b raw bytes).
   * @param now unix seconds
   * @throws {TypeError | RangeError} when `entry` or `now` is malformed (naming the field)
   */
  add(entry: PoolEntryInit, now: number): AddResult
  /** True when the envelope with this hash (or hash key) is pooled. O(1). */
  has(hash: Uint8Array | HashKey): boolean
  /** True when it is pooled or in the seen cache: the cheap check before computing PoW. O(1). */
  hasSeen(hash: Uint8Array | HashKey, now: number): boolean
  /**
   * The pooled entry with this hash (or hash key): a snapshot that copies its bytes on first read
   * (see {@link PoolEntry}). O(1).
   */
  get(hash: Uint8Array | HashKey): PoolEntry | undefined
  /**
   * The canonical RLP of the pooled envelope with this hash (or hash key), or `undefined`: the one
   * zero-copy accessor, a view into the pool's slab. Do not write to it, and send or copy it before
   * the pool's next `add`, `delete` or `prune`: after that, if the entry was removed or moved, its
   * room may hold another envelope. Do not hold it across an `await`; holding it also keeps its
   * whole slab (up to 1 MiB) alive. O(1), and it allocates only the view: the forwarding path's
   * per-peer read.
   */
  getRaw(hash: Uint8Array | HashKey): Uint8Array | undefined
  /**
   * Removes an entry (remembered in the seen cache) and returns its record (key and numbers, no
   * bytes: read them with `getRaw` or `get` first if needed). O(log n).
   */
  delete(hash: Uint8Array | HashKey): EntryInfo | undefined
  /**
   * Removes every entry with `expiry < now` (geth's tick), moves them to the seen cache, forgets
   * seen hashes past their allowance, and returns the records of the removed entries (key and
   * numbers, no bytes). O(1) when no entry can have expired since the last call (a lower bound on
   * the earliest expiry is kept), else a scan of the slots, O(n), plus O(log n) per removal.
   */
  prune(now: number): EntryInfo[]
  /**
   * Entries in forwarding order (highest rating first; ties: later expiry, then later arrival)
   * that pass every filter in `options`, as snapshots that copy their bytes on first read (see
   * {@link PoolEntry}). One scan of the n entries: O(n + c log k) with a `limit` k and no
   * `exclude` predicate (c: entries that beat the k-th best found so far when met), else
   * O(n + m log m) for m matches.
   * @throws {TypeError | RangeError} when an option is malformed
   */
  select(options?: SelectOptions): PoolEntry[]
  /**
   * An iterator over the entries that `select(options)` matches now, safe to hold while the pool
   * changes: the matches are fixed when it is called (as slot and insertion-number pairs, 12 bytes
   * each), and each is yielded, as a fresh {@link PoolEntry}, only if it is still pooled when the
   * iterator reaches it; entries removed meanwhile are skipped, and entries added meanwhile are not
   * visited. Filters (including an `exclude` predicate) run at the call, not during iteration.
   * @throws {TypeError | RangeError} when an option is malformed (at the call)
   */
  entries(options?: SelectOptions): IterableIterator<PoolEntry>
  /** Counters and current size. */
  stats(): PoolStats
}
