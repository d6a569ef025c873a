/**
 * Requests per peer per minute: a token bucket per peer holding a minute's worth. At most
 * {@link MAX_TRACKED_PEERS} are tracked; beyond it refilled buckets are forgotten first (a new
 * one would be the same), then the longest-known ones (which costs them at most a fresh bucket).
 */

/** Most peers whose request rate is tracked at once. */
const MAX_TRACKED_PEERS = 10_000

/** A per-peer request rate limit. */
export class RequestRate {
  private readonly perMinute: number
  private readonly now: () => number
  private readonly buckets = new Map<string, { tokens: number; at: number }>()

  /**
   * @param perMinute - requests a peer may make per minute (and in a burst)
   * @param now - the clock, unix ms
   */
  constructor(perMinute: number, now: () => number) {
    this.perMinute = perMinute
    this.now = now
  }

  /** Takes a token from `peer`'s bucket; false when it is empty. */
  take(peer: string): boolean {
    const now = this.now()
    const perMs = this.perMinute / 60_000
    let bucket = this.buckets.get(peer)
    if (bucket === undefined) {
      if (this.buckets.size >= MAX_TRACKED_PEERS) this.forget(now, perMs)
      bucket = { tokens: this.perMinute, at: now }
      this.buckets.set(peer, bucket)
    }
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.at) * perMs)
    bucket.at = now
    if (bucket.tokens < 1) return false
    bucket.tokens -= 1
    return true
  }

  private forget(now: number, perMs: number): void {
    for (const [peer, b] of this.buckets) if (b.tokens + (now - b.at) * perMs >= this.perMinute) this.buckets.delete(peer)
    for (const peer of this.buckets.keys()) {
      if (this.buckets.size < MAX_TRACKED_PEERS / 2) break
      this.buckets.delete(peer)
    }
  }
}
