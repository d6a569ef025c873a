/**
 * The pool: every envelope the node holds, bounded by bytes and by count, with a per-peer quota,
 * evicting expired entries first and then the lowest rating. A pure data structure: time is an
 * argument, and the node drives `prune` from its own timer (design §5).
 *
 * Structures (n = entries held):
 * - `Map<HashKey, PoolRecord>`: lookup by hash key, O(1).
 * - three indexed binary heaps over the same records: lowest rank first (eviction), highest rank
 *   first (forwarding order for `select`), earliest expiry first (`prune`); O(log n) insert and
 *   removal, each record storing its position in each heap.
 * - per peer: a count, a byte total and an indexed heap of its records, lowest rank first (quota).
 * - a seen cache of hash keys no longer pooled (see `seen-cache.ts`).
 */
import type { Bloom } from '@hush/envelope'
import { bloomMatches, BLOOM_LENGTH_BYTES, ENVELOPE_HEADER_BYTES, MAX_UINT32, topicToBloom } from '@hush/envelope'
import { assertBytes, assertInt, assertNumber, assertTime } from './assert.ts'
import { HASH_LENGTH_BYTES } from './constants.ts'
import { expiryBefore, PoolRecord, rankAfter, rankBefore, type PoolEntry, type PoolEntryInit } from './entry.ts'
import { hashKey, type HashKey } from './hash-key.ts'
import { IndexedHeap, type HeapPosition } from './indexed-heap.ts'
import { resolvePoolSettings, type PoolInit, type PoolSettings } from './options.ts'
import { createSeenCache, type SeenCache } from './seen-cache.ts'
import { chooseVictims } from './victims.ts'

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
  | { readonly status: 'added'; readonly entry: PoolEntry; readonly evicted: readonly Eviction[] }
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

interface PeerLoad {
  bytes: number
  readonly heap: IndexedHeap<PoolRecord>
}

const MIN_POS: HeapPosition<PoolRecord> = { get: (r) => r.minPos, set: (r, i) => void (r.minPos = i) }
const MAX_POS: HeapPosition<PoolRecord> = { get: (r) => r.maxPos, set: (r, i) => void (r.maxPos = i) }
const EXP_POS: HeapPosition<PoolRecord> = { get: (r) => r.expPos, set: (r, i) => void (r.expPos = i) }
const PEER_POS: HeapPosition<PoolRecord> = { get: (r) => r.peerPos, set: (r, i) => void (r.peerPos = i) }

function toKey(hash: Uint8Array | HashKey, label: string): HashKey {
  if (typeof hash === 'string') return hash
  assertBytes(hash, label, HASH_LENGTH_BYTES)
  return hashKey(hash)
}

function checkEntry(entry: PoolEntryInit): void {
  if (typeof entry !== 'object' || entry === null) throw new TypeError('entry must be an object')
  const envelope = entry.envelope
  if (typeof envelope !== 'object' || envelope === null) throw new TypeError('entry.envelope must be an object')
  assertInt(envelope.expiry, 'entry.envelope.expiry', 0, MAX_UINT32)
  assertInt(envelope.ttl, 'entry.envelope.ttl', 0, MAX_UINT32)
  assertBytes(envelope.topic, 'entry.envelope.topic', 4)
  assertBytes(envelope.data, 'entry.envelope.data')
  assertBytes(entry.hash, 'entry.hash', HASH_LENGTH_BYTES)
  assertNumber(entry.pow, 'entry.pow', 0)
  assertNumber(entry.rating, 'entry.rating')
  if (entry.arrival !== undefined) assertTime(entry.arrival, 'entry.arrival')
  if (entry.peer !== undefined && typeof entry.peer !== 'string') throw new TypeError('entry.peer must be a string')
}

function topicNumber(topic: Uint8Array): number {
  return ((topic[0] << 24) | (topic[1] << 16) | (topic[2] << 8) | topic[3]) >>> 0
}

class BoundedPool implements Pool {
  readonly settings: PoolSettings
  readonly seen: SeenCache
  private readonly records = new Map<HashKey, PoolRecord>()
  private readonly byRank = new IndexedHeap<PoolRecord>(rankBefore, MIN_POS)
  private readonly byRankDesc = new IndexedHeap<PoolRecord>(rankAfter, MAX_POS)
  private readonly byExpiry = new IndexedHeap<PoolRecord>(expiryBefore, EXP_POS)
  private readonly peers = new Map<string, PeerLoad>()
  private totalBytes = 0
  private seq = 0
  private deleted = 0
  private readonly adds: Record<AddStatus, number> = {
    added: 0, duplicate: 0, expired: 0, future: 0, 'too-large': 0, 'low-pow': 0, 'peer-quota': 0, full: 0,
  }
  private readonly evictions: Record<EvictionReason, number> = { expired: 0, rating: 0, 'peer-quota': 0 }

  constructor(init: PoolInit) {
    this.settings = resolvePoolSettings(init)
    this.seen = createSeenCache(init.seen ?? {})
  }

  get size(): number {
    return this.records.size
  }

  get bytes(): number {
    return this.totalBytes
  }

  add(entry: PoolEntryInit, now: number): AddResult {
    assertTime(now, 'now')
    checkEntry(entry)
    const s = this.settings
    const key = hashKey(entry.hash)
    const envelope = entry.envelope
    const bytes = ENVELOPE_HEADER_BYTES + envelope.data.length
    let status: AddStatus | undefined
    if (this.records.has(key) || this.seen.has(key, now)) status = 'duplicate'
    else if (envelope.expiry < now) status = 'expired'
    else if (envelope.expiry - envelope.ttl > now + s.futureAllowanceSeconds) status = 'future'
    else if (bytes > s.maxEnvelopeBytes || bytes > s.maxBytes || (entry.peer !== undefined && bytes > s.maxPeerBytes)) {
      status = 'too-large'
    } else if (s.minPow !== undefined && entry.pow < s.minPow) status = 'low-pow'
    if (status !== undefined) {
      this.adds[status]++
      return { status } as AddResult
    }

    const peer = entry.peer
    const evicted: Eviction[] = []
    let load = peer === undefined ? undefined : this.peers.get(peer)
    const overPeer = load !== undefined && (load.heap.size >= s.maxPeerCount || load.bytes + bytes > s.maxPeerBytes)
    if (overPeer || this.records.size >= s.maxCount || this.totalBytes + bytes > s.maxBytes) {
      this.removeExpired(now, evicted)
      if (peer !== undefined) load = this.peers.get(peer)
    }
    const record = new PoolRecord(entry, key, entry.arrival ?? now, this.seq++)
    const choice = chooseVictims(
      record,
      load?.heap,
      { count: (load?.heap.size ?? 0) + 1 - s.maxPeerCount, bytes: (load?.bytes ?? 0) + bytes - s.maxPeerBytes },
      this.byRank,
      { count: this.records.size + 1 - s.maxCount, bytes: this.totalBytes + bytes - s.maxBytes }
    )
    if (!choice.ok) {
      this.adds[choice.status]++
      return { status: choice.status, evicted }
    }
    for (const v of choice.quota) this.evict(v, 'peer-quota', evicted)
    for (const v of choice.rating) this.evict(v, 'rating', evicted)
    this.insert(record)
    this.adds.added++
    return { status: 'added', entry: record, evicted }
  }

  has(hash: Uint8Array | HashKey): boolean {
    return this.records.has(toKey(hash, 'hash'))
  }

  hasSeen(hash: Uint8Array | HashKey, now: number): boolean {
    assertTime(now, 'now')
    const key = toKey(hash, 'hash')
    return this.records.has(key) || this.seen.has(key, now)
  }

  get(hash: Uint8Array | HashKey): PoolEntry | undefined {
    return this.records.get(toKey(hash, 'hash'))
  }

  delete(hash: Uint8Array | HashKey): PoolEntry | undefined {
    const record = this.records.get(toKey(hash, 'hash'))
    if (record === undefined) return undefined
    this.remove(record)
    this.deleted++
    return record
  }

  prune(now: number): PoolEntry[] {
    assertTime(now, 'now')
    const removed: PoolEntry[] = []
    let top = this.byExpiry.peek()
    while (top !== undefined && top.expiry < now) {
      this.remove(top)
      this.evictions.expired++
      removed.push(top)
      top = this.byExpiry.peek()
    }
    this.seen.prune(now)
    return removed
  }

  select(options: SelectOptions = {}): PoolEntry[] {
    if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object')
    const { bloom, minPow, limit = Infinity, exclude, now } = options
    if (bloom !== undefined) assertBytes(bloom, 'options.bloom', BLOOM_LENGTH_BYTES)
    if (minPow !== undefined) assertNumber(minPow, 'options.minPow')
    if (limit !== Infinity) assertInt(limit, 'options.limit')
    if (now !== undefined) assertTime(now, 'options.now')
    const isExcluded =
      exclude === undefined ? undefined
      : typeof exclude === 'function' ? exclude
      : exclude instanceof Set ? (e: PoolEntry) => exclude.has(e.key)
      : undefined
    if (exclude !== undefined && isExcluded === undefined) throw new TypeError('options.exclude must be a Set or a function')
    const out: PoolEntry[] = []
    if (limit === 0) return out
    // The bloom test depends on the topic only: decide it once per distinct topic per call.
    const topicMatches = bloom === undefined ? undefined : new Map<number, boolean>()
    this.byRankDesc.walk((r) => {
      if (now !== undefined && r.expiry < now) return true
      if (minPow !== undefined && r.pow < minPow) return true
      if (topicMatches !== undefined) {
        const t = topicNumber(r.envelope.topic)
        let matches = topicMatches.get(t)
        if (matches === undefined) {
          matches = bloomMatches(bloom, topicToBloom(r.envelope.topic))
          topicMatches.set(t, matches)
        }
        if (!matches) return true
      }
      if (isExcluded !== undefined && isExcluded(r)) return true
      out.push(r)
      return out.length < limit
    })
    return out
  }

  entries(options?: SelectOptions): IterableIterator<PoolEntry> {
    return this.select(options).values()
  }

  stats(): PoolStats {
    return {
      count: this.records.size,
      bytes: this.totalBytes,
      peers: this.peers.size,
      seen: this.seen.size,
      adds: { ...this.adds },
      evictions: { ...this.evictions },
      deleted: this.deleted,
    }
  }

  private insert(record: PoolRecord): void {
    this.records.set(record.key, record)
    this.byRank.push(record)
    this.byRankDesc.push(record)
    this.byExpiry.push(record)
    this.totalBytes += record.bytes
    if (record.peer !== undefined) {
      let load = this.peers.get(record.peer)
      if (load === undefined) {
        load = { bytes: 0, heap: new IndexedHeap<PoolRecord>(rankBefore, PEER_POS) }
        this.peers.set(record.peer, load)
      }
      load.heap.push(record)
      load.bytes += record.bytes
    }
  }

  /** Takes a record out of every structure and remembers its hash in the seen cache. */
  private remove(record: PoolRecord): void {
    this.records.delete(record.key)
    this.byRank.remove(record)
    this.byRankDesc.remove(record)
    this.byExpiry.remove(record)
    this.totalBytes -= record.bytes
    if (record.peer !== undefined) {
      const load = this.peers.get(record.peer) as PeerLoad
      load.heap.remove(record)
      load.bytes -= record.bytes
      if (load.heap.size === 0) this.peers.delete(record.peer)
    }
    this.seen.add(record.key, record.expiry)
  }

  private evict(record: PoolRecord, reason: EvictionReason, out: Eviction[]): void {
    this.remove(record)
    this.evictions[reason]++
    out.push({ entry: record, reason })
  }

  private removeExpired(now: number, out: Eviction[]): void {
    let top = this.byExpiry.peek()
    while (top !== undefined && top.expiry < now) {
      this.evict(top, 'expired', out)
      top = this.byExpiry.peek()
    }
  }
}

/**
 * Creates an empty pool.
 * @throws {TypeError | RangeError} when a setting is malformed (naming it)
 * @example
 * ```ts
 * const pool = createPool({ maxBytes: 32 * 1024 * 1024, maxCount: 50_000 })
 * const result = pool.add({ envelope, hash, pow, rating, peer }, now)
 * if (result.status === 'added') forward(result.entry)
 * ```
 */
export function createPool(init: PoolInit = {}): Pool {
  return new BoundedPool(init)
}
