/**
 * What one peer and we know of each other's envelopes (design.md §3): per envelope hash, whether
 * the peer sent it to us and whether it knows we have it (we sent it, or told it with a
 * known-hashes notice). Entries live until their envelope expires plus the allowance, and are
 * pruned by expiry second, so a sweep touches only what expires, never the whole set.
 */

/** The peer sent us this envelope. */
export const FROM_PEER = 1
/** The peer knows we have it: we sent it, or told it with a known-hashes notice (code 20). */
export const TOLD_PEER = 2

/** Per-peer knowledge of envelopes, by hash key. */
export class KnownSet {
  private readonly flagsByKey = new Map<string, number>()
  /** Keys by the expiry second of their envelope (an envelope's expiry never changes). */
  private readonly byExpiry = new Map<number, string[]>()

  /** Envelopes tracked. */
  get size(): number {
    return this.flagsByKey.size
  }

  /** Whether anything is known of this envelope. */
  has(key: string): boolean {
    return this.flagsByKey.has(key)
  }

  /** The flags of this envelope ({@link FROM_PEER}, {@link TOLD_PEER}); 0 when unknown. */
  flags(key: string): number {
    return this.flagsByKey.get(key) ?? 0
  }

  /** Adds `flags` to what is known of the envelope `key`, which expires at `expiry` (unix seconds). */
  mark(key: string, expiry: number, flags: number): void {
    const old = this.flagsByKey.get(key)
    if (old !== undefined) {
      this.flagsByKey.set(key, old | flags)
      return
    }
    this.flagsByKey.set(key, flags)
    const bucket = this.byExpiry.get(expiry)
    if (bucket === undefined) this.byExpiry.set(expiry, [key])
    else bucket.push(key)
  }

  /** Removes `flags` from the envelope `key` (the entry stays, for its expiry bookkeeping). */
  unmark(key: string, flags: number): void {
    const old = this.flagsByKey.get(key)
    if (old !== undefined) this.flagsByKey.set(key, old & ~flags)
  }

  /**
   * Forgets every envelope that expired before `beforeSeconds`; returns how many. Costs one step
   * per distinct expiry second held plus one per entry removed.
   */
  prune(beforeSeconds: number): number {
    let removed = 0
    for (const [expiry, keys] of this.byExpiry) {
      if (expiry >= beforeSeconds) continue
      for (const key of keys) this.flagsByKey.delete(key)
      removed += keys.length
      this.byExpiry.delete(expiry)
    }
    return removed
  }
}
