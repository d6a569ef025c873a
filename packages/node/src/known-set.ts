/**
 * Expiring knowledge of envelopes (design.md §3): an {@link ExpiryMap} holds a number per envelope
 * hash until the envelope expires, pruned by expiry second, so a sweep touches only what expires,
 * never the whole map; a {@link KnownSet} is the hashes one peer sent us.
 */

/** A number per envelope hash key, kept until the envelope expires, pruned by expiry second. */
class ExpiryMap {
  private readonly values = new Map<string, number>()
  /** Keys by the expiry second of their envelope (an envelope's expiry never changes). */
  private readonly byExpiry = new Map<number, string[]>()
  /** The bucket `set` used last, and its second: a flood's envelopes mostly share their expiry. */
  private lastExpiry = Number.NaN
  private lastBucket: string[] = []

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
    // One lookup in the (large) map: a new key is seen from the size.
    const size = this.values.size
    this.values.set(key, value)
    if (this.values.size === size) return
    if (expiry !== this.lastExpiry) {
      let bucket = this.byExpiry.get(expiry)
      if (bucket === undefined) {
        bucket = []
        this.byExpiry.set(expiry, bucket)
      }
      this.lastExpiry = expiry
      this.lastBucket = bucket
    }
    this.lastBucket.push(key)
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
      if (expiry === this.lastExpiry) this.lastExpiry = Number.NaN
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

  /**
   * Records that the peer sent us the envelope `key`, which expires at `expiry` (unix seconds).
   * `noticed` is what the outbox's `notify` returned when its copy was pooled (the notice to every
   * other peer), or 0 (no notice). One map operation: the caller knows whether the key is held
   * (the ingest path's hot case, a new envelope, cannot be), and adding it again replaces it.
   */
  add(key: string, expiry: number, noticed = 0): void {
    this.entries.set(key, expiry, noticed)
  }

  /**
   * The notice sent when the peer's copy of `key` was pooled (see `add`): `undefined` when the
   * peer did not send it, 0 when no notice went out.
   */
  noticeOf(key: string): number | undefined {
    return this.entries.get(key)
  }

  /** Forgets every envelope that expired before `beforeSeconds`; returns how many. */
  prune(beforeSeconds: number): number {
    return this.entries.prune(beforeSeconds)
  }
}
