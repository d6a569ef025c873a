/**
 * The seen cache: hashes of envelopes that are no longer pooled (pruned, evicted or deleted),
 * remembered until their expiry plus an allowance (default 20 s, the spec's old-expiry
 * tolerance, §2.6), so that late duplicates are recognised without keeping their bytes
 * (design §3). Bounded in count: when full, the hash with the earliest expiry goes first.
 *
 * Structure: a `Map` from key to expiry, plus a bucket queue: one array of keys per expiry
 * second and a small min-heap of those seconds (s = distinct seconds, a few hundred for usual
 * TTLs). Deletion is lazy: a key whose map expiry differs from its bucket's second is stale and
 * skipped when its bucket is reached; the buckets are rebuilt when stale keys outnumber live ones.
 * About 40 bytes per hash besides the key string (which the pool already allocated). `has` is
 * O(1); `add`, eviction and `prune` per removed hash are amortised O(log s).
 */
import { assertInt, assertTime } from './assert.ts'
import { DEFAULT_SEEN_ALLOWANCE_SECONDS, DEFAULT_SEEN_MAX_COUNT } from './constants.ts'
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

/** Remembers envelope hashes (as {@link HashKey}s) until their expiry plus an allowance. */
export interface SeenCache {
  /** Number of hashes remembered (including any past their time that `prune` has not removed). */
  readonly size: number
  /** Seconds a hash is kept after its expiry. */
  readonly allowanceSeconds: number
  /**
   * Remembers `key` until `expiry + allowanceSeconds` (unix seconds). Adding a known key keeps
   * the later expiry. May forget the earliest-expiring hash to stay within `maxCount`.
   * @throws {TypeError | RangeError} when `key` is not a string or `expiry` not a time
   */
  add(key: HashKey, expiry: number): void
  /** True when `key` is remembered and `now ≤ expiry + allowanceSeconds`. O(1). */
  has(key: HashKey, now: number): boolean
  /** Forgets `key`; returns whether it was remembered. */
  delete(key: HashKey): boolean
  /** Forgets every hash with `expiry + allowanceSeconds < now`; returns how many. */
  prune(now: number): number
  /** Forgets everything. */
  clear(): void
}

class BucketSeenCache implements SeenCache {
  readonly allowanceSeconds: number
  private readonly maxCount: number
  private readonly expiryOf = new Map<HashKey, number>()
  /** Keys by expiry second; a key whose `expiryOf` differs from its bucket's second is stale. */
  private buckets = new Map<number, HashKey[]>()
  /** Min-heap of the seconds that have a bucket. */
  private seconds: number[] = []
  /** Stale keys left in buckets (by `delete` or a later re-add), reclaimed by `compact`. */
  private stale = 0

  constructor(maxCount: number, allowanceSeconds: number) {
    this.maxCount = maxCount
    this.allowanceSeconds = allowanceSeconds
  }

  get size(): number {
    return this.expiryOf.size
  }

  add(key: HashKey, expiry: number): void {
    if (typeof key !== 'string') throw new TypeError('key must be a string')
    assertTime(expiry, 'expiry')
    if (this.maxCount === 0) return
    const known = this.expiryOf.get(key)
    if (known !== undefined) {
      if (known >= expiry) return
      this.stale++
    }
    this.expiryOf.set(key, expiry)
    this.bucket(expiry).push(key)
    if (this.expiryOf.size > this.maxCount) this.evictEarliest()
    if (this.stale > this.expiryOf.size + 1024) this.compact()
  }

  has(key: HashKey, now: number): boolean {
    const expiry = this.expiryOf.get(key)
    return expiry !== undefined && now <= expiry + this.allowanceSeconds
  }

  delete(key: HashKey): boolean {
    const deleted = this.expiryOf.delete(key)
    if (deleted && ++this.stale > this.expiryOf.size + 1024) this.compact()
    return deleted
  }

  prune(now: number): number {
    assertTime(now, 'now')
    let removed = 0
    const seconds = this.seconds
    while (seconds.length > 0 && seconds[0] + this.allowanceSeconds < now) {
      const second = seconds[0]
      popMin(seconds)
      const bucket = this.buckets.get(second) as HashKey[]
      this.buckets.delete(second)
      for (const key of bucket) {
        if (this.expiryOf.get(key) === second) {
          this.expiryOf.delete(key)
          removed++
        } else this.stale--
      }
    }
    return removed
  }

  clear(): void {
    this.expiryOf.clear()
    this.buckets = new Map()
    this.seconds = []
    this.stale = 0
  }

  private bucket(second: number): HashKey[] {
    let bucket = this.buckets.get(second)
    if (bucket === undefined) {
      bucket = []
      this.buckets.set(second, bucket)
      pushMin(this.seconds, second)
    }
    return bucket
  }

  /** Forgets one live key of the earliest expiry second, dropping stale keys met on the way. */
  private evictEarliest(): void {
    const seconds = this.seconds
    while (seconds.length > 0) {
      const second = seconds[0]
      const bucket = this.buckets.get(second) as HashKey[]
      const key = bucket.pop()
      if (bucket.length === 0) {
        this.buckets.delete(second)
        popMin(seconds)
      }
      if (key === undefined) continue
      if (this.expiryOf.get(key) === second) {
        this.expiryOf.delete(key)
        return
      }
      this.stale--
    }
  }

  /** Rebuilds the buckets from the map, dropping stale keys. O(n), amortised over them. */
  private compact(): void {
    this.buckets = new Map()
    this.seconds = []
    this.stale = 0
    for (const [key, second] of this.expiryOf) this.bucket(second).push(key)
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
  if (typeof init !== 'object' || init === null) throw new TypeError('init must be an object')
  const maxCount = init.maxCount ?? DEFAULT_SEEN_MAX_COUNT
  const allowanceSeconds = init.allowanceSeconds ?? DEFAULT_SEEN_ALLOWANCE_SECONDS
  assertInt(maxCount, 'init.maxCount')
  assertTime(allowanceSeconds, 'init.allowanceSeconds')
  return new BucketSeenCache(maxCount, allowanceSeconds)
}
