/**
 * What one peer and we know of each other's envelopes (design.md §3): per envelope hash, whether
 * the peer sent it to us and whether it knows we have it (we sent it, or told it with a
 * known-hashes notice). Entries live until their envelope expires plus the allowance, and are
 * pruned by expiry second, so a sweep touches only what expires, never the whole set.
 */

/** The peer sent us this envelope. */
export const FROM_PEER = 1
/**
 * The peer knows we have it: we sent it in its sync or its own queue. (Notices, code 20, go to
 * every peer at once and are kept apart: see the outbox's `wasTold`.)
 */
export const TOLD_PEER = 2

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

/** Per-peer knowledge of envelopes, by hash key. */
export class KnownSet {
  private readonly entries = new ExpiryMap()

  /** Envelopes tracked. */
  get size(): number {
    return this.entries.size
  }

  /** Whether anything is known of this envelope. */
  has(key: string): boolean {
    return this.entries.get(key) !== undefined
  }

  /** The flags of this envelope ({@link FROM_PEER}, {@link TOLD_PEER}); 0 when unknown. */
  flags(key: string): number {
    return this.entries.get(key) ?? 0
  }

  /** Adds `flags` to what is known of the envelope `key`, which expires at `expiry` (unix seconds). */
  mark(key: string, expiry: number, flags: number): void {
    this.entries.set(key, expiry, (this.entries.get(key) ?? 0) | flags)
  }

  /** Forgets every envelope that expired before `beforeSeconds`; returns how many. */
  prune(beforeSeconds: number): number {
    return this.entries.prune(beforeSeconds)
  }
}
