/**
 * A bounded, time-limited memory of envelope hashes: the hashes delivered locally as direct p2p
 * messages (code 127), so history that several mail servers (or a mail server and the flood)
 * return reaches the app once. It cannot key on the envelope's expiry, as the pool's seen cache
 * does, because mail servers return envelopes long expired: each hash is kept for a fixed time
 * after it was remembered, and the oldest go first when the memory is full.
 */

/** Hash keys remembered for a fixed time, at most `capacity` of them. */
export class RecentHashes {
  /** Hash key → when it is forgotten (unix ms). Insertion order is forgetting order. */
  private readonly until = new Map<string, number>()
  private readonly lifetimeMs: number
  private readonly capacity: number

  /**
   * @param lifetimeMs - how long a hash is remembered
   * @param capacity - most hashes held; beyond it the oldest is forgotten
   */
  constructor(lifetimeMs: number, capacity: number) {
    if (!(lifetimeMs > 0)) throw new RangeError('lifetimeMs must be positive')
    if (!(Number.isInteger(capacity) && capacity > 0)) throw new RangeError('capacity must be a positive integer')
    this.lifetimeMs = lifetimeMs
    this.capacity = capacity
  }

  /** Hashes held (some may have lapsed since the last {@link prune}). */
  get size(): number {
    return this.until.size
  }

  /** Whether `key` is remembered at `nowMs`. */
  has(key: string, nowMs: number): boolean {
    const until = this.until.get(key)
    return until !== undefined && until > nowMs
  }

  /** Remembers `key` from `nowMs` on (a key already held keeps its place and time). */
  add(key: string, nowMs: number): void {
    if (this.has(key, nowMs)) return
    this.until.delete(key)
    this.until.set(key, nowMs + this.lifetimeMs)
    if (this.until.size > this.capacity) {
      for (const oldest of this.until.keys()) {
        this.until.delete(oldest)
        break
      }
    }
  }

  /** Forgets every hash lapsed at `nowMs`; returns how many. Touches only what it removes. */
  prune(nowMs: number): number {
    let removed = 0
    for (const [key, until] of this.until) {
      if (until > nowMs) break
      this.until.delete(key)
      removed++
    }
    return removed
  }

  /** Forgets everything. */
  clear(): void {
    this.until.clear()
  }
}
