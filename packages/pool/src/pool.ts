/**
 * The pool: every envelope the node holds, bounded by bytes and by count, with a per-peer quota,
 * evicting expired entries first and then the lowest rating. A pure data structure: time is an
 * argument, and the node drives `prune` from its own timer (design §5).
 *
 * Structures (n = entries held), all without per-entry objects:
 * - an {@link EntryTable}: slot-indexed typed arrays of each entry's numbers and its peer load
 *   reference;
 * - a {@link SlabStore}: each entry's raw canonical RLP copied into shared 1 MiB slabs (slab,
 *   offset, length per slot); a freed room is reused by the next entry of its size class, and the
 *   slabs are compacted (sparsest first) when the sealed ones are less than 3/4 live;
 * - one {@link HashIndex} (open addressing on typed arrays), the seen cache's, for both the pooled
 *   and the seen hashes: an entry pins its hash's id to its slot, and on eviction the id simply
 *   becomes a seen record, so a newcomer costs one probe and an eviction none; hashes are kept as
 *   8 words, no key strings;
 * - an indexed slot heap with inline keys, lowest rank first (eviction), O(log n) insert and
 *   removal; `select` scans the slots instead of keeping a highest-first heap (see `select.ts`);
 * - an {@link ExpiryIndex}: each slot's expiry and a lower bound on the earliest, O(1) insert and
 *   removal; `prune` and the sweep of expired entries in `add` scan the slots, O(n), but only when
 *   the bound says an entry may have expired (see `expiry-index.ts`);
 * - per peer: a byte total, a count, and a slot heap of its entries, lowest rank first, for its
 *   quota; the heap is kept only while the peer holds at least half its quota (see `peer-load.ts`);
 * - the seen cache's records of hashes no longer pooled (see `seen-cache.ts`).
 *
 * Nothing handed out points into the slabs except `getRaw`'s view: removed entries come back as
 * {@link EntryRecord}s (numbers and a key), pooled ones as {@link EntryView}s that copy their bytes
 * on first read, from the same entry (same slot and insertion number) or not at all.
 */
import { ENVELOPE_HEADER_BYTES, topicToNumber } from '@hush/envelope'
import { fits, refusal, withinQuota } from './admission.ts'
import type { AddResult, AddStatus, Eviction, EvictionReason, Pool, PoolStats, SelectOptions } from './api.ts'
import { assertTime } from './assert.ts'
import { checkEntry, isWellFormedEntry, type EntryInfo, type EntryRecord, type EntryView, type PoolEntry, type PoolEntryInit, type RawCopier } from './entry.ts'
import { entryRecord, entryView } from './entry-snapshot.ts'
import { ARRIVAL, BYTES, EntryTable, EXPIRY, HID, POW, RATING, RECORD, SEQ, TOPIC } from './entry-table.ts'
import type { ExpiryIndex } from './expiry-index.ts'
import { hashWords, keyWords } from './hash-index.ts'
import type { HashKey } from './hash-key.ts'
import { resolvePoolSettings, type PoolInit, type PoolSettings } from './options.ts'
import { hasLazyPeerHeaps, mayDropHeap, needsHeap, trackPeer, type PeerLoad } from './peer-load.ts'
import { lowestFirstTie, mayEvictFor } from './rank.ts'
import { makeSeenCache, toWords, type IndexedSeenCache, type SeenCache } from './seen-cache.ts'
import { selectSlots } from './select.ts'
import type { SlabStoreInit } from './slab-store.ts'
import { SlotHeap, type SlotTieBreak } from './slot-heap.ts'
import { chooseVictims } from './victims.ts'

/** The pool, exported for tests (which reach its storage); `createPool` is the public factory. */
export class BoundedPool implements Pool {
  readonly settings: PoolSettings
  readonly seen: SeenCache
  private readonly seenCache: IndexedSeenCache
  /** Scratch words for the hash of the current call (calls never nest). */
  private readonly words = new Int32Array(8)
  /** Scratch words for `copyRaw`, which may run inside a `select` predicate. */
  private readonly copyWords = new Int32Array(8)
  /** The entry table (read by tests to check the slab storage). */
  readonly table: EntryTable<PeerLoad>
  private readonly tie: SlotTieBreak
  private readonly byRank: SlotHeap
  private readonly byExpiry: ExpiryIndex
  private readonly peers = new Map<string, PeerLoad>()
  /** Whether peer heaps are kept only near the quota (see `peer-load.ts`). */
  private readonly lazyPeerHeaps: boolean
  /** Reads a pooled entry's bytes for an {@link EntryView} (see `copyRaw`). */
  private readonly copier: RawCopier = (key, seq) => this.copyRaw(key, seq)
  /** What `warm` read, kept so that its reads are not optimised away. */
  private warmed = 0
  /** Whether the last add that pooled its entry evicted: then the next one likely evicts too. */
  private evicting = false
  /** The `onEvict` listener (see {@link PoolInit}), if any. */
  private readonly onEvict: ((eviction: Eviction) => void) | undefined
  /** Records of the current add's evictions, kept only with a listener (see `report`). */
  private pending: Eviction[] = []
  /** Entries `add` has evicted, ever: the difference over one add is its `evicted` count. */
  private removals = 0
  private totalBytes = 0
  private seq = 0
  private deleted = 0
  private readonly adds: Record<AddStatus, number> = {
    added: 0, duplicate: 0, expired: 0, future: 0, 'too-large': 0, 'low-pow': 0, 'peer-quota': 0, full: 0,
  }
  private readonly evictions: Record<EvictionReason, number> = { expired: 0, rating: 0, 'peer-quota': 0 }

  /** @param slabs slab settings of the raw byte storage (tests shrink them; the defaults otherwise) */
  constructor(init: PoolInit, slabs: SlabStoreInit = {}) {
    this.settings = resolvePoolSettings(init)
    this.onEvict = init.onEvict
    this.seenCache = makeSeenCache(init.seen ?? {})
    this.seen = this.seenCache
    const table = new EntryTable<PeerLoad>(this.settings.maxCount, slabs)
    const max = this.settings.maxCount
    this.table = table
    this.byExpiry = table.expiries
    this.tie = lowestFirstTie(table)
    this.byRank = new SlotHeap(this.tie, () => table.minPos, max)
    this.lazyPeerHeaps = hasLazyPeerHeaps(this.settings)
  }

  get size(): number {
    return this.table.size
  }

  get bytes(): number {
    return this.totalBytes
  }

  add(entry: PoolEntryInit, now: number): AddResult {
    assertTime(now, 'now')
    // First thing, so that these misses overlap the reads of the entry and the index probe below.
    if (this.evicting) this.warm()
    // Each field is read once: callers build entries of many shapes, and every read of a field of
    // a megamorphic object is a slow lookup (they cost the evicting add a tenth of its time).
    const envelope = typeof entry === 'object' && entry !== null ? entry.envelope : undefined
    if (typeof envelope !== 'object' || envelope === null) {
      checkEntry(entry)
      throw new TypeError('entry.envelope must be an object') // not reached: `checkEntry` threw
    }
    const expiry = envelope.expiry
    const ttl = envelope.ttl
    const topic = envelope.topic
    const data = envelope.data
    const raw = entry.raw
    const hash = entry.hash
    const pow = entry.pow
    const rating = entry.rating
    const arrival = entry.arrival
    const peer = entry.peer
    if (!isWellFormedEntry(expiry, ttl, topic, data, raw, hash, pow, rating, arrival, peer)) checkEntry(entry)
    const s = this.settings
    const words = hashWords(hash, this.words)
    const bytes = ENVELOPE_HEADER_BYTES + data.length
    const seen = this.seenCache
    const found = seen.findWords(words, 0)
    const known = found >= 0 && (seen.pinOf(found) >= 0 || seen.isSeen(found, now))
    const status = refusal(s, known, expiry, ttl, bytes, pow, peer, now)
    if (status !== undefined) {
      this.adds[status]++
      return { status } as AddResult
    }

    this.table.raws.recycle()
    let load = peer === undefined ? undefined : this.peers.get(peer)
    const before = this.removals
    if (!fits(s, this.table.size, this.totalBytes, bytes, load)) {
      // Room is needed: expired entries go first (all of them: they are dead weight anyway).
      if (this.byExpiry.earliest() < now) {
        const expired = this.byExpiry.expired(now, this.table.highWater)
        if (expired.length > 0) {
          for (const slot of expired) this.evict(slot, 'expired')
          if (peer !== undefined) load = this.peers.get(peer)
        }
      }
      if (!fits(s, this.table.size, this.totalBytes, bytes, load)) {
        const table = this.table
        const victim = this.byRank.peek()
        if (
          withinQuota(s, bytes, load) &&
          victim >= 0 && table.size + 1 - s.maxCount <= 1 && this.totalBytes + bytes - s.maxBytes <= table.num[victim * RECORD + BYTES]
        ) {
          // The usual case in a flood: the peer is within its quota and the pool's lowest entry
          // alone makes room (what `chooseVictims` would find, without its bookkeeping).
          if (!mayEvictFor(table, victim, rating, expiry)) return this.refuse('full', before)
          this.evict(victim, 'rating')
        } else {
          // A peer at its quota has its heap (see `peer-load.ts`); building it here is only a safeguard.
          if (load !== undefined && load.heap === undefined) this.track(load)
          const choice = chooseVictims(
            table,
            { rating, expiry },
            load?.heap,
            { count: (load?.count ?? 0) + 1 - s.maxPeerCount, bytes: (load?.bytes ?? 0) + bytes - s.maxPeerBytes },
            this.byRank,
            { count: table.size + 1 - s.maxCount, bytes: this.totalBytes + bytes - s.maxBytes }
          )
          if (!choice.ok) return this.refuse(choice.status, before)
          for (const v of choice.quota) this.evict(v, 'peer-quota')
          for (const v of choice.rating) this.evict(v, 'rating')
        }
      }
    }
    // The peer's load, unless evictions emptied it (then it left the map, and `insert` makes a new one).
    if (load !== undefined && load.count === 0) load = undefined
    this.insert(words, found, topic, raw, pow, rating, expiry, arrival ?? now, bytes, peer, load)
    this.adds.added++
    const evicted = this.removals - before
    this.evicting = evicted > 0
    if (evicted > 0 && this.onEvict !== undefined) this.report()
    return { status: 'added', evicted }
  }

  has(hash: Uint8Array | HashKey): boolean {
    return this.slotFor(hash) >= 0
  }

  hasSeen(hash: Uint8Array | HashKey, now: number): boolean {
    assertTime(now, 'now')
    const seen = this.seenCache
    const id = seen.findWords(toWords(hash, this.words, 'hash'), 0)
    return id >= 0 && (seen.pinOf(id) >= 0 || seen.isSeen(id, now))
  }

  get(hash: Uint8Array | HashKey): PoolEntry | undefined {
    const slot = this.slotFor(hash)
    return slot < 0 ? undefined : this.view(slot)
  }

  getRaw(hash: Uint8Array | HashKey): Uint8Array | undefined {
    const slot = this.slotFor(hash)
    return slot < 0 ? undefined : this.table.raws.view(slot)
  }

  delete(hash: Uint8Array | HashKey): EntryInfo | undefined {
    const slot = this.slotFor(hash)
    if (slot < 0) return undefined
    this.table.raws.recycle()
    const entry = this.record(slot)
    this.remove(slot)
    this.deleted++
    return entry
  }

  prune(now: number): EntryInfo[] {
    assertTime(now, 'now')
    this.table.raws.recycle()
    const removed: EntryInfo[] = []
    if (this.byExpiry.earliest() < now) {
      for (const slot of this.byExpiry.expired(now, this.table.highWater)) {
        removed.push(this.record(slot))
        this.remove(slot)
        this.evictions.expired++
      }
    }
    this.seen.prune(now)
    return removed
  }

  select(options: SelectOptions = {}): PoolEntry[] {
    const slots = selectSlots(this.table, this.seenCache.index, options, (slot) => this.view(slot))
    const out: PoolEntry[] = new Array(slots.length)
    for (let i = 0; i < slots.length; i++) out[i] = this.view(slots[i])
    return out
  }

  entries(options?: SelectOptions): IterableIterator<PoolEntry> {
    // The matches, as (slot, insertion number) pairs: 12 bytes each instead of an object.
    const slots = selectSlots(this.table, this.seenCache.index, options ?? {}, (slot) => this.view(slot))
    const seqs = new Float64Array(slots.length)
    for (let i = 0; i < slots.length; i++) seqs[i] = this.table.num[slots[i] * RECORD + SEQ]
    return this.iterate(Int32Array.from(slots), seqs)
  }

  stats(): PoolStats {
    return {
      count: this.table.size,
      bytes: this.totalBytes,
      peers: this.peers.size,
      seen: this.seen.size,
      adds: { ...this.adds },
      evictions: { ...this.evictions },
      deleted: this.deleted,
    }
  }

  /** Yields a view of each matched slot that still holds the same entry when it is reached. */
  private *iterate(slots: Int32Array, seqs: Float64Array): Generator<PoolEntry, undefined, undefined> {
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]
      if (this.table.num[slot * RECORD + SEQ] === seqs[i]) yield this.view(slot)
    }
    return undefined
  }

  /**
   * A copy of the bytes of the entry with `key` and insertion number `seq`, if it is pooled;
   * `undefined` once it has left (even if an envelope with the same hash came back since).
   */
  private copyRaw(key: HashKey, seq: number): Uint8Array | undefined {
    const id = this.seenCache.findWords(keyWords(key, this.copyWords), 0)
    const slot = id < 0 ? -1 : this.seenCache.pinOf(id)
    return slot >= 0 && this.table.num[slot * RECORD + SEQ] === seq ? this.table.raws.copy(slot) : undefined
  }

  /**
   * The slot of the pooled entry with this hash or hash key (checked; its words left in
   * `this.words`), or -1. Public for tests, which check the slab storage by slot.
   */
  slotFor(hash: Uint8Array | HashKey): number {
    const id = this.seenCache.findWords(toWords(hash, this.words, 'hash'), 0)
    return id < 0 ? -1 : this.seenCache.pinOf(id)
  }

  /** A snapshot of the pooled entry in `slot`, reading its bytes later only from that entry. */
  private view(slot: number): EntryView {
    return entryView(this.table, this.seenCache.index.words, slot, this.copier)
  }

  /** The record (numbers and key, no bytes) of the entry in `slot`, which is about to leave. */
  private record(slot: number): EntryRecord {
    return entryRecord(this.table, this.seenCache.index.words, slot)
  }

  /**
   * Pools an entry from the fields `add` read (its hash in `words`, its id `found` as `add` probed
   * it before any eviction, or -1) with the load of its peer when `add` holds it (else it is
   * looked up or made).
   */
  private insert(
    words: Int32Array, found: number, topic: Uint8Array, raw: Uint8Array, pow: number, rating: number, expiry: number,
    arrival: number, bytes: number, peer: string | undefined, peerLoad: PeerLoad | undefined
  ): number {
    const t = this.table
    const slot = t.alloc()
    // Found again if it was found: evictions in this add may have forgotten a stale seen record of
    // this hash (and freed its id). An evicted entry's hash is never the newcomer's (that would be
    // a duplicate), so evictions never make an id for a hash that was not found.
    const seen = this.seenCache
    const hid = seen.pin(words, found < 0 ? -1 : seen.findWords(words, 0), slot)
    t.raws.put(slot, raw)
    const num = t.num
    const r = slot * RECORD
    num[r + TOPIC] = topicToNumber(topic)
    num[r + RATING] = rating
    num[r + POW] = pow
    num[r + EXPIRY] = expiry
    num[r + SEQ] = this.seq++
    num[r + BYTES] = bytes
    num[r + ARRIVAL] = arrival
    num[r + HID] = hid
    this.byRank.push(slot, rating)
    this.byExpiry.insert(slot, expiry)
    this.totalBytes += bytes
    if (peer !== undefined) {
      let load = peerLoad ?? this.peers.get(peer)
      if (load === undefined) {
        load = { name: peer, bytes: 0, count: 0, heap: undefined, ops: 0 }
        this.peers.set(peer, load)
      }
      t.peers[slot] = load
      load.count++
      load.bytes += bytes
      load.ops++
      if (load.heap !== undefined) load.heap.push(slot, rating)
      else if (!this.lazyPeerHeaps || needsHeap(load, this.settings)) this.track(load)
    }
    return slot
  }

  /** Takes a slot out of every structure, turns its hash's id into a seen record, frees the slot. */
  private remove(slot: number): void {
    const t = this.table
    const r = slot * RECORD
    const bytes = t.num[r + BYTES]
    const expiry = t.num[r + EXPIRY]
    this.byRank.remove(slot)
    this.byExpiry.remove(slot)
    this.totalBytes -= bytes
    const load = t.peers[slot]
    if (load !== undefined) {
      load.count--
      load.bytes -= bytes
      load.ops++
      const heap = load.heap
      if (heap !== undefined) {
        heap.remove(slot)
        if (this.lazyPeerHeaps && mayDropHeap(load, this.settings, t.highWater)) load.heap = undefined
      }
      if (load.count === 0) this.peers.delete(load.name)
    }
    this.seenCache.unpin(t.num[r + HID], expiry)
    t.release(slot)
  }

  /**
   * Reads one word of each cache line that evicting the next victim (the rank heap's top) starts
   * with: its record, its hash words and index bucket, its seen-cache record and pin, its heap
   * position, its peer and the first lines of its room. `add` calls it first thing when the last
   * add evicted (in a flood the next one evicts too), before it reads the entry and probes the
   * hash index. These reads do not depend on one another or on the add's own, so the CPU overlaps
   * their cache misses (at 100k entries most are trips to memory) instead of taking them one at a
   * time later, where each waits for the one before. Measured side by side at 100k entries of
   * 1 KiB: +13% for an evicting add when called at the end of the evicting add, 4–9% more when
   * moved to just before the next add's index probe, and about 3% more before its entry reads. If
   * the add evicts something else, or nothing (a duplicate, say), the reads were merely wasted.
   */
  private warm(): void {
    const victim = this.byRank.peek()
    if (victim < 0) return
    const t = this.table
    const peer = t.peers[victim] === undefined ? 0 : 1
    const id = t.num[victim * RECORD + HID]
    this.warmed = (this.warmed + (this.seenCache.touch(id) ^ t.raws.touch(victim) ^ t.minPos[victim] ^ peer)) | 0
  }

  /** Builds the heap of `load`'s entries (see `trackPeer`). */
  private track(load: PeerLoad): void {
    trackPeer(this.table, this.tie, load, this.settings.maxPeerCount)
  }

  /**
   * Removes `slot` for `reason` (counted). With an `onEvict` listener, its record is kept for
   * {@link report}; without one, none is made: the flood's evicting add allocates nothing for it.
   */
  private evict(slot: number, reason: EvictionReason): void {
    if (this.onEvict !== undefined) this.pending.push({ entry: this.record(slot), reason })
    this.remove(slot)
    this.evictions[reason]++
    this.removals++
  }

  /** Ends an add refused with `status` after it may have swept expired entries (since `before`). */
  private refuse(status: 'full' | 'peer-quota', before: number): AddResult {
    this.adds[status]++
    const evicted = this.removals - before
    if (evicted > 0 && this.onEvict !== undefined) this.report()
    return { status, evicted }
  }

  /**
   * Hands the evictions of the add that just finished to the `onEvict` listener, in order. The
   * pool is consistent by then, so a listener may read it (and an exception it throws leaves the
   * pool whole; it reaches `add`'s caller, and the rest of the add's records are dropped).
   */
  private report(): void {
    const pending = this.pending
    this.pending = []
    const listener = this.onEvict as (eviction: Eviction) => void
    for (const eviction of pending) listener(eviction)
  }
}

/**
 * Creates an empty pool.
 * @throws {TypeError | RangeError} when a setting is malformed (naming it)
 * @example
 * ```ts
 * const pool = createPool({ maxBytes: 32 * 1024 * 1024, maxCount: 50_000 })
 * const result = pool.add({ envelope, raw, hash, pow, rating, peer }, now)
 * if (result.status === 'added') forward(pool.getRaw(hash))
 * ```
 */
export function createPool(init: PoolInit = {}): Pool {
  return new BoundedPool(init)
}
