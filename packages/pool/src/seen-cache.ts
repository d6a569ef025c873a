/**
 * The seen cache: hashes of envelopes that are no longer pooled (pruned, evicted or deleted),
 * remembered until their expiry plus an allowance (default 20 s, the spec's old-expiry
 * tolerance, §2.6), so that late duplicates are recognised without keeping their bytes
 * (design §3). Bounded in count: when full, the hash with the earliest expiry goes first.
 *
 * Structure: a `Map` from key to expiry, plus a binary min-heap over two parallel arrays
 * (keys and expiries) with lazy deletion: a heap slot whose expiry no longer matches the map
 * is stale and skipped when it surfaces; the heap is rebuilt when stale slots outnumber live
 * ones. About 40 bytes per hash besides the key string itself (which the pool's entry already
 * allocated). `add`, `prune` per removed hash and eviction are amortised O(log n); `has` is O(1).
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

class LazySeenCache implements SeenCache {
  readonly allowanceSeconds: number
  private readonly maxCount: number
  private readonly expiryOf = new Map<HashKey, number>()
  private heapKeys: HashKey[] = []
  private heapExpiries: number[] = []

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
    if (known !== undefined && known >= expiry) return
    this.expiryOf.set(key, expiry)
    this.push(key, expiry)
    while (this.expiryOf.size > this.maxCount) this.popLive()
    if (this.heapKeys.length > 2 * this.expiryOf.size + 16) this.rebuild()
  }

  has(key: HashKey, now: number): boolean {
    const expiry = this.expiryOf.get(key)
    return expiry !== undefined && now <= expiry + this.allowanceSeconds
  }

  delete(key: HashKey): boolean {
    const deleted = this.expiryOf.delete(key)
    if (deleted && this.heapKeys.length > 2 * this.expiryOf.size + 16) this.rebuild()
    return deleted
  }

  prune(now: number): number {
    assertTime(now, 'now')
    let removed = 0
    const limit = now - this.allowanceSeconds
    while (this.heapKeys.length > 0 && this.heapExpiries[0] < limit) {
      const key = this.heapKeys[0]
      const expiry = this.heapExpiries[0]
      this.popTop()
      if (this.expiryOf.get(key) === expiry) {
        this.expiryOf.delete(key)
        removed++
      }
    }
    return removed
  }

  clear(): void {
    this.expiryOf.clear()
    this.heapKeys = []
    this.heapExpiries = []
  }

  /** Removes the live hash with the earliest expiry, skipping stale heap slots. */
  private popLive(): void {
    while (this.heapKeys.length > 0) {
      const key = this.heapKeys[0]
      const expiry = this.heapExpiries[0]
      this.popTop()
      if (this.expiryOf.get(key) === expiry) {
        this.expiryOf.delete(key)
        return
      }
    }
  }

  /** Rebuilds the heap from the map, dropping stale slots. O(n), amortised over the stale slots. */
  private rebuild(): void {
    const entries = [...this.expiryOf].sort((a, b) => a[1] - b[1])
    this.heapKeys = entries.map((e) => e[0])
    this.heapExpiries = entries.map((e) => e[1])
  }

  private push(key: HashKey, expiry: number): void {
    const keys = this.heapKeys
    const exps = this.heapExpiries
    let i = keys.length
    keys.push(key)
    exps.push(expiry)
    while (i > 0) {
      const p = (i - 1) >> 1
      if (exps[p] <= expiry) break
      keys[i] = keys[p]
      exps[i] = exps[p]
      i = p
    }
    keys[i] = key
    exps[i] = expiry
  }

  private popTop(): void {
    const keys = this.heapKeys
    const exps = this.heapExpiries
    const key = keys.pop() as HashKey
    const expiry = exps.pop() as number
    const n = keys.length
    if (n === 0) return
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      if (l >= n) break
      const c = l + 1 < n && exps[l + 1] < exps[l] ? l + 1 : l
      if (exps[c] >= expiry) break
      keys[i] = keys[c]
      exps[i] = exps[c]
      i = c
    }
    keys[i] = key
    exps[i] = expiry
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
  if (typeof init !== 'object' || init === null) throw new TypeError('init must be an object')
  const maxCount = init.maxCount ?? DEFAULT_SEEN_MAX_COUNT
  const allowanceSeconds = init.allowanceSeconds ?? DEFAULT_SEEN_ALLOWANCE_SECONDS
  assertInt(maxCount, 'init.maxCount')
  assertTime(allowanceSeconds, 'init.allowanceSeconds')
  return new LazySeenCache(maxCount, allowanceSeconds)
}
