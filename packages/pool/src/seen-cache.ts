/**
 * The seen cache: hashes of envelopes that are no longer pooled (pruned, evicted or deleted),
 * remembered until their expiry plus an allowance (default 20 s, the spec's old-expiry
 * tolerance, §2.6), so that late duplicates are recognised without keeping their bytes
 * (design §3). Bounded in count: when full, the hash with the earliest expiry goes first.
 *
 * Structure: each remembered hash gets a small integer id; a {@link HashIndex} (open addressing
 * on typed arrays) maps the hash to its id, a `Float64Array` holds each id's expiry, and a bucket
 * queue orders ids by expiry: one array of ids per expiry second and a small min-heap of those
 * seconds (s = distinct seconds, a few hundred for usual TTLs). Deletion is lazy: an id whose
 * expiry differs from its bucket's second is stale and skipped; the buckets are rebuilt when
 * stale ids outnumber live ones. About 70 to 90 bytes per hash (32 of them the hash itself), no
 * strings. `has` is O(1); `add`, eviction and `prune` per removed hash are amortised O(log s).
 */
import { assertBytes, assertInt, assertTime } from './assert.ts'
import { DEFAULT_SEEN_ALLOWANCE_SECONDS, DEFAULT_SEEN_MAX_COUNT, HASH_LENGTH_BYTES } from './constants.ts'
import { HashIndex, hashWords, keyWords } from './hash-index.ts'
import type { HashKey } from './hash-key.ts'

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
 */
export class IndexedSeenCache implements SeenCache {
  readonly allowanceSeconds: number
  private readonly maxCount: number
  private readonly index: HashIndex
  /** Expiry per id; -1 marks a free id. */
  private expiry: Float64Array
  private readonly free: number[] = []
  private used = 0
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
    this.expiry = new Float64Array(initial).fill(-1)
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
    if (id < 0) return false
    this.removeId(id)
    if (this.bucketed > 2 * this.count + 1024) this.compact()
    return true
  }

  /** {@link SeenCache.add} for the 8 hash words at `words[offset..]` (already validated). */
  addWords(words: Int32Array, offset: number, expiry: number): void {
    if (this.maxCount === 0) return
    let id = this.index.find(words, offset)
    if (id >= 0) {
      if (this.expiry[id] >= expiry) return
    } else {
      id = this.alloc()
      this.index.setWords(id, words, offset)
      this.index.insert(id)
      this.count++
    }
    this.expiry[id] = expiry
    this.bucket(expiry).push(id)
    this.bucketed++
    if (this.count > this.maxCount) this.evictEarliest()
    if (this.bucketed > 2 * this.count + 1024) this.compact()
  }

  /** {@link SeenCache.has} for the 8 hash words at `words[offset..]`. */
  hasWords(words: Int32Array, offset: number, now: number): boolean {
    if (this.count === 0) return false
    const id = this.index.find(words, offset)
    return id >= 0 && now <= this.expiry[id] + this.allowanceSeconds
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
        if (this.expiry[id] === second) {
          this.removeId(id)
          removed++
        }
      }
    }
    return removed
  }

  clear(): void {
    this.index.clear()
    this.expiry.fill(-1)
    this.free.length = 0
    this.used = 0
    this.count = 0
    this.buckets = new Map()
    this.seconds = []
    this.bucketed = 0
  }

  private alloc(): number {
    const reused = this.free.pop()
    if (reused !== undefined) return reused
    if (this.used === this.expiry.length) {
      const capacity = Math.min(this.maxCount + 1, 2 * this.expiry.length)
      const expiry = new Float64Array(capacity).fill(-1)
      expiry.set(this.expiry)
      this.expiry = expiry
      this.index.reserve(capacity)
    }
    return this.used++
  }

  private removeId(id: number): void {
    this.index.delete(id)
    this.expiry[id] = -1
    this.free.push(id)
    this.count--
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

  /** Forgets one live id of the earliest expiry second, dropping stale ids met on the way. */
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
      if (this.expiry[id] === second) {
        this.removeId(id)
        return
      }
    }
  }

  /** Rebuilds the buckets from the live ids, dropping stale entries. O(ids), amortised over them. */
  private compact(): void {
    this.buckets = new Map()
    this.seconds = []
    this.bucketed = 0
    for (let id = 0; id < this.used; id++) {
      const second = this.expiry[id]
      if (second >= 0) {
        this.bucket(second).push(id)
        this.bucketed++
      }
    }
  }
}

/** Pushes onto a binary min-heap of numbers. */
function pushMin(heap: number[], value: number): void {
  let i = heap.length
  heap.push(value)
  while (i > 0) {
    const p = (i - 1) >> 1
    if (heap[p] <= value) break
    heap[i] = heap[p]
    i = p
  }
  heap[i] = value
}

/** Removes the smallest number of a binary min-heap. */
function popMin(heap: number[]): void {
  const last = heap.pop() as number
  const n = heap.length
  if (n === 0) return
  let i = 0
  for (;;) {
    const l = 2 * i + 1
    if (l >= n) break
    const c = l + 1 < n && heap[l + 1] < heap[l] ? l + 1 : l
    if (heap[c] >= last) break
    heap[i] = heap[c]
    i = c
  }
  heap[i] = last
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
