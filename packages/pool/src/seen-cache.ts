/**
 * The seen cache: hashes of envelopes that are no longer pooled (pruned, evicted or deleted),
 * remembered until their expiry plus an allowance (default 20 s, the spec's old-expiry
 * tolerance, §2.6), so that late duplicates are recognised without keeping their bytes
 * (design §3). Bounded in count: when full, the hash with the earliest expiry goes first.
 *
 * Structure: each remembered hash gets a small integer id; a {@link HashIndex} (open addressing
 * on typed arrays) maps the hash to its id, a `Float64Array` holds each id's expiry (and the
 * pool's pin, side by side), and a bucket
 * queue orders ids by expiry: one array of ids per expiry second and a small min-heap of those
 * seconds (s = distinct seconds, a few hundred for usual TTLs). Deletion is lazy: an id whose
 * expiry differs from its bucket's second is stale and skipped; the buckets are rebuilt when
 * stale ids outnumber live ones. About 70 to 100 bytes per hash (32 of them the hash itself), no
 * strings. `has` is O(1); `add`, eviction and `prune` per removed hash are amortised O(log s).
 *
 * A pool's seen cache also indexes the hashes of the pool's own entries (see
 * {@link IndexedSeenCache}): one probe tells a newcomer apart from both, and an evicted entry's
 * hash becomes a seen record in place.
 */
import { assertBytes, assertInt, assertTime } from './assert.ts'
import { DEFAULT_SEEN_ALLOWANCE_SECONDS, DEFAULT_SEEN_MAX_COUNT, HASH_LENGTH_BYTES } from './constants.ts'
import { HashIndex, hashWords, keyWords } from './hash-index.ts'
import type { HashKey } from './hash-key.ts'
import { popMin, pushMin } from './min-heap.ts'
import { grown } from './typed-array.ts'

/** Settings of {@link createSeenCache}. */
export interface SeenCacheInit {
  /**
   * Largest number of hashes remembered; beyond it the earliest expiry is forgotten first.
   * 0 disables the cache.
   * @default 200000
   */
  maxCount?: number
  /**
   * Seconds a hash is remembered after its envelope's expiry.
   * @default 20
   */
  allowanceSeconds?: number
}

/** Remembers envelope hashes until their expiry plus an allowance. */
export interface SeenCache {
  /** Number of hashes remembered (including any past their time that `prune` has not removed). */
  readonly size: number
  /** Seconds a hash is kept after its expiry. */
  readonly allowanceSeconds: number
  /**
   * Remembers a hash (32 bytes, or its {@link HashKey}) until `expiry + allowanceSeconds` (unix
   * seconds). Adding a known hash keeps the later expiry. May forget the earliest-expiring hash
   * to stay within `maxCount`.
   * @throws {TypeError | RangeError} when `hash` is not 32 bytes / a hash key or `expiry` not a time
   */
  add(hash: Uint8Array | HashKey, expiry: number): void
  /** True when the hash is remembered and `now ≤ expiry + allowanceSeconds`. O(1). */
  has(hash: Uint8Array | HashKey, now: number): boolean
  /** Forgets a hash; returns whether it was remembered. */
  delete(hash: Uint8Array | HashKey): boolean
  /** Forgets every hash with `expiry + allowanceSeconds < now`; returns how many. */
  prune(now: number): number
  /** Forgets everything. */
  clear(): void
}

/** The 8 words of a hash or hash key, checked, written into `out`. */
export function toWords(hash: Uint8Array | HashKey, out: Int32Array, label: string): Int32Array {
  if (typeof hash === 'string') {
    if (hash.length !== HASH_LENGTH_BYTES) throw new RangeError(`${label} must be ${HASH_LENGTH_BYTES} characters, got ${hash.length}`)
    return keyWords(hash, out)
  }
  assertBytes(hash, label, HASH_LENGTH_BYTES)
  return hashWords(hash, out)
}

/**
 * The seen cache on typed arrays: ids with a hash (in a {@link HashIndex}) and an expiry each,
 * bucketed by expiry second. The pool calls the `*Words` methods with hashes it already holds as
 * words, so no key string is made on its hot path.
 *
 * The pool also keeps its own entries' hashes here, so that one probe answers both "pooled?" and
 * "seen?", and an evicted entry's hash becomes a seen record without leaving the index. An id may
 * be *pinned* by the pool (it holds the pool's slot for that hash), carry a seen record (an
 * expiry, -1 for none), or both; it is freed when it is neither. Only seen records count towards
 * `size` and `maxCount`, and the {@link SeenCache} methods see only them.
 */
export class IndexedSeenCache implements SeenCache {
  readonly allowanceSeconds: number
  private readonly maxCount: number
  /** Hash → id, with each id's hash as 8 words in `index.words`. */
  readonly index: HashIndex
  /**
   * Per id, side by side (one cache line for both, as unpinning and forgetting read both): at
   * `2 * id` its seen record, the remembered expiry, or -1 for none (a free id has none either);
   * at `2 * id + 1` the pool's slot pinned to it, or -1 when the pool does not hold it (see the
   * class comment).
   */
  private records: Float64Array
  private readonly free: number[] = []
  private used = 0
  /** Seen records held. */
  private count = 0
  /** Ids by expiry second; an id whose expiry differs from its bucket's second is stale. */
  private buckets = new Map<number, number[]>()
  /** Min-heap of the seconds that have a bucket. */
  private seconds: number[] = []
  /** Ids held in buckets, live or stale; `compact` runs when stale ones dominate. */
  private bucketed = 0
  private readonly scratch = new Int32Array(8)

  constructor(maxCount: number, allowanceSeconds: number) {
    this.maxCount = maxCount
    this.allowanceSeconds = allowanceSeconds
    const initial = Math.min(1024, maxCount + 1)
    this.index = new HashIndex(initial)
    this.records = new Float64Array(2 * initial).fill(-1)
  }

  get size(): number {
    return this.count
  }

  add(hash: Uint8Array | HashKey, expiry: number): void {
    const w = toWords(hash, this.scratch, 'hash')
    assertTime(expiry, 'expiry')
    this.addWords(w, 0, expiry)
  }

  has(hash: Uint8Array | HashKey, now: number): boolean {
    return this.hasWords(toWords(hash, this.scratch, 'hash'), 0, now)
  }

  delete(hash: Uint8Array | HashKey): boolean {
    const id = this.index.find(toWords(hash, this.scratch, 'hash'))
    if (id < 0 || this.records[2 * id] < 0) return false
    this.removeRecord(id)
    if (this.bucketed > 2 * this.count + 1024) this.compact()
    return true
  }

  /** {@link SeenCache.add} for the 8 hash words at `words[offset..]` (already validated). */
  addWords(words: Int32Array, offset: number, expiry: number): void {
    if (this.maxCount === 0) return
    const id = this.index.find(words, offset)
    this.record(id < 0 ? this.newId(words, offset) : id, expiry)
  }

  /** {@link SeenCache.has} for the 8 hash words at `words[offset..]`. */
  hasWords(words: Int32Array, offset: number, now: number): boolean {
    if (this.count === 0) return false
    const id = this.index.find(words, offset)
    return id >= 0 && this.isSeen(id, now)
  }

  /** The id of the 8 hash words at `words[offset..]`, pinned, seen or both; or -1. O(1). */
  findWords(words: Int32Array, offset: number): number {
    return this.index.find(words, offset)
  }

  /** The pool's slot pinned to `id`, or -1. */
  pinOf(id: number): number {
    return this.records[2 * id + 1]
  }

  /** True when `id` has a seen record and `now ≤ expiry + allowance`. */
  isSeen(id: number, now: number): boolean {
    const expiry = this.records[2 * id]
    return expiry >= 0 && now <= expiry + this.allowanceSeconds
  }

  /**
   * Reads what unpinning `id` reads first (its pin, its seen record, its words and index bucket):
   * see the pool's `warm`. Returns a value of no meaning (kept by the caller).
   */
  touch(id: number): number {
    return this.records[2 * id + 1] ^ this.records[2 * id] ^ this.index.touch(id)
  }

  /**
   * Pins `slot` to the hash in `words[0..8)`: to its id `found` (from `findWords`, not pinned), or
   * to a new id when `found` is -1. Returns the id. O(1).
   */
  pin(words: Int32Array, found: number, slot: number): number {
    const id = found < 0 ? this.newId(words, 0) : found
    this.records[2 * id + 1] = slot
    return id
  }

  /**
   * Unpins `id` (its entry left the pool) and remembers its hash until `expiry` plus the
   * allowance, as `add` would; an id left with no seen record (a disabled cache) is freed.
   * Amortised O(1), with no index work unless a record is forgotten to stay within `maxCount`.
   */
  unpin(id: number, expiry: number): void {
    this.records[2 * id + 1] = -1
    if (this.maxCount === 0) {
      if (this.records[2 * id] < 0) this.release(id)
      return
    }
    this.record(id, expiry)
  }

  prune(now: number): number {
    assertTime(now, 'now')
    let removed = 0
    const seconds = this.seconds
    while (seconds.length > 0 && seconds[0] + this.allowanceSeconds < now) {
      const second = seconds[0]
      popMin(seconds)
      const bucket = this.buckets.get(second) as number[]
      this.buckets.delete(second)
      this.bucketed -= bucket.length
      for (const id of bucket) {
        if (this.records[2 * id] === second) {
          this.removeRecord(id)
          removed++
        }
      }
    }
    return removed
  }

  clear(): void {
    for (let id = 0; id < this.used; id++) if (this.records[2 * id] >= 0) this.removeRecord(id)
    this.buckets = new Map()
    this.seconds = []
    this.bucketed = 0
  }

  /** Gives `id` a seen record of at least `expiry` (keeping a later one). */
  private record(id: number, expiry: number): void {
    const old = this.records[2 * id]
    if (old >= expiry) return
    if (old < 0) {
      const seconds = this.seconds
      if (this.count >= this.maxCount && seconds.length > 0 && expiry <= seconds[0]) {
        // Full, and no record expires later than this one would: `evictEarliest` would forget
        // this very record at once (a new earliest bucket holds only it, and an existing one
        // pops it first). Skip the round trip: its bucket made and dropped on every call churns
        // the `Map` (that key's lookups slowed to microseconds when a full cache took one earliest
        // record after another, most likely from deleted entries left in V8's chains until a rehash).
        if (this.records[2 * id + 1] < 0) this.release(id)
        return
      }
      this.count++
    }
    this.records[2 * id] = expiry
    this.bucket(expiry).push(id)
    this.bucketed++
    if (this.count > this.maxCount) this.evictEarliest()
    if (this.bucketed > 2 * this.count + 1024) this.compact()
  }

  /** A new id, indexed under the 8 hash words at `words[offset..]`. */
  private newId(words: Int32Array, offset: number): number {
    const id = this.alloc()
    this.index.setWords(id, words, offset)
    this.index.insert(id)
    return id
  }

  private alloc(): number {
    const reused = this.free.pop()
    if (reused !== undefined) return reused
    if (2 * this.used === this.records.length) {
      // Seen records are bounded by `maxCount`, pinned ids by the pool's count bound. Growing by
      // half (not doubling) keeps the unused tail of these arrays and the words under a third.
      const capacity = Math.ceil(1.5 * this.used)
      this.records = grown(this.records, 2 * capacity, -1)
      this.index.reserve(capacity)
    }
    return this.used++
  }

  /** Drops the seen record of `id`, and frees the id unless the pool pins it. */
  private removeRecord(id: number): void {
    this.records[2 * id] = -1
    this.count--
    if (this.records[2 * id + 1] < 0) this.release(id)
  }

  private release(id: number): void {
    this.index.delete(id)
    this.free.push(id)
  }

  private bucket(second: number): number[] {
    let bucket = this.buckets.get(second)
    if (bucket === undefined) {
      bucket = []
      this.buckets.set(second, bucket)
      pushMin(this.seconds, second)
    }
    return bucket
  }

  /** Forgets one live record of the earliest expiry second, dropping stale ids met on the way. */
  private evictEarliest(): void {
    const seconds = this.seconds
    while (seconds.length > 0) {
      const second = seconds[0]
      const bucket = this.buckets.get(second) as number[]
      const id = bucket.pop()
      if (bucket.length === 0) {
        this.buckets.delete(second)
        popMin(seconds)
      }
      if (id === undefined) continue
      this.bucketed--
      if (this.records[2 * id] === second) {
        this.removeRecord(id)
        return
      }
    }
  }

  /** Rebuilds the buckets from the live records, dropping stale entries. O(ids), amortised over them. */
  private compact(): void {
    this.buckets = new Map()
    this.seconds = []
    this.bucketed = 0
    for (let id = 0; id < this.used; id++) {
      const second = this.records[2 * id]
      if (second >= 0) {
        this.bucket(second).push(id)
        this.bucketed++
      }
    }
  }
}

/**
 * Creates a seen cache. The pool owns one (see `PoolInit.seen`); a node may create its own,
 * for instance for envelopes it refused before pooling.
 * @throws {TypeError | RangeError} when a setting is not a non-negative integer / time
 * @example
 * ```ts
 * const seen = createSeenCache({ allowanceSeconds: 20 })
 * seen.add(hashKey(hash), envelope.expiry)
 * seen.has(hashKey(hash), now) // true until expiry + 20 s
 * ```
 */
export function createSeenCache(init: SeenCacheInit = {}): SeenCache {
  return makeSeenCache(init)
}

/** {@link createSeenCache} returning the implementation, for the pool's word-level calls. */
export function makeSeenCache(init: SeenCacheInit): IndexedSeenCache {
  if (typeof init !== 'object' || init === null) throw new TypeError('init must be an object')
  const maxCount = init.maxCount ?? DEFAULT_SEEN_MAX_COUNT
  const allowanceSeconds = init.allowanceSeconds ?? DEFAULT_SEEN_ALLOWANCE_SECONDS
  assertInt(maxCount, 'init.maxCount')
  assertTime(allowanceSeconds, 'init.allowanceSeconds')
  return new IndexedSeenCache(maxCount, allowanceSeconds)
}
