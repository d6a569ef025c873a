/**
 * Hashes a peer says it already has (known-hashes notices, code 20). They are unverifiable claims
 * that only ever make us send that peer less, so they are kept briefly and in bounded number, in
 * arrival order: pruning and eviction both take from the oldest end.
 */

/** A bounded, time-ordered set of claimed hashes. */
export class ClaimSet {
  /** Hash key → when the claim lapses (ms); a Map iterates in insertion order, oldest first. */
  private readonly claims = new Map<string, number>()
  private readonly capacity: number
  private readonly lifetimeMs: number

  /**
   * @param capacity - most claims kept; the oldest go first
   * @param lifetimeMs - how long a claim counts
   */
  constructor(capacity: number, lifetimeMs: number) {
    if (!(Number.isInteger(capacity) && capacity > 0)) throw new RangeError('capacity must be a positive integer')
    if (!(lifetimeMs > 0)) throw new RangeError('lifetimeMs must be positive')
    this.capacity = capacity
    this.lifetimeMs = lifetimeMs
  }

  /** Claims held. */
  get size(): number {
    return this.claims.size
  }

  /** Records a claim made at `nowMs`. */
  add(key: string, nowMs: number): void {
    this.claims.delete(key)
    this.claims.set(key, nowMs + this.lifetimeMs)
    if (this.claims.size > this.capacity) {
      const oldest = this.claims.keys().next().value as string
      this.claims.delete(oldest)
    }
  }

  /** Whether the peer claims this hash. */
  has(key: string): boolean {
    return this.claims.has(key)
  }

  /** Drops claims that lapsed by `nowMs`, from the oldest end. */
  prune(nowMs: number): void {
    for (const [key, until] of this.claims) {
      if (until > nowMs) return
      this.claims.delete(key)
    }
  }
}
