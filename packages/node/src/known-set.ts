/**
 * Expiring knowledge of envelopes (design.md §3): an {@link ExpiryMap} holds a number per envelope
 * hash until the envelope expires, pruned by expiry second, so a sweep touches only what expires,
 * never the whole map; a {@link KnownSet} is the hashes one peer sent us.
 */

/** A number per envelope hash key, kept until the envelope expires, pruned by expiry second. */
export class ExpiryMap {
  private readonly values = new Map<string, number>()
  /** Keys by the expiry second of their envelope (an envelope's expiry never changes). */
  private readonly byExpiry = new Map<number, string[]>()

  /** Entries held. */
  get size(): number {
    return this.values.size
  }

  /** The value for `key`, if held. */
  get(key: string): number | undefined {
    return this.values.get(key)
  }

  /** Sets the value for `key`, whose envelope expires at `expiry` (unix seconds). */
  set(key: string, expiry: number, value: number): void {
    if (!this.values.has(key)) {
      const bucket = this.byExpiry.get(expiry)
      if (bucket === undefined) this.byExpiry.set(expiry, [key])
      else bucket.push(key)
    }
    this.values.set(key, value)
  }

  /**
   * Forgets every envelope that expired before `beforeSeconds`; returns how many. Costs one step
   * per distinct expiry second held plus one per entry removed.
   */
  prune(beforeSeconds: number): number {
    let removed = 0
    for (const [expiry, keys] of this.byExpiry) {
      if (expiry >= beforeSeconds) continue
      for (const key of keys) this.values.delete(key)
      removed += keys.length
      this.byExpiry.delete(expiry)
    }
    return removed
  }
}

/** The hashes of envelopes one peer sent us, until they expire (its repeats cost it; design.md §4). */
export class KnownSet {
  private readonly entries = new ExpiryMap()

  /** Envelopes tracked. */
  get size(): number {
    return this.entries.size
  }

  /** Whether the peer sent us this envelope. */
  has(key: string): boolean {
    return this.entries.get(key) !== undefined
  }

  /** Records that the peer sent us the envelope `key`, which expires at `expiry` (unix seconds). */
  add(key: string, expiry: number): void {
    this.entries.set(key, expiry, 1)
  }

  /** Forgets every envelope that expired before `beforeSeconds`; returns how many. */
  prune(beforeSeconds: number): number {
    return this.entries.prune(beforeSeconds)
  }
}
