/**
 * A token bucket: `ratePerSecond` tokens refill continuously up to `burst`. Pure state plus a
 * `take` that is given the current time, so tests need no clock.
 */

/** The state of one token bucket. */
export interface TokenBucket {
  readonly ratePerSecond: number
  readonly burst: number
  tokens: number
  updatedMs: number
}

/** A full bucket refilling at `ratePerSecond` up to `burst` tokens. */
export function createTokenBucket(ratePerSecond: number, burst: number, nowMs: number): TokenBucket {
  if (!(ratePerSecond > 0)) throw new RangeError('ratePerSecond must be positive')
  if (!(burst > 0)) throw new RangeError('burst must be positive')
  return { ratePerSecond, burst, tokens: burst, updatedMs: nowMs }
}

/**
 * Takes `cost` tokens if the bucket holds them after refilling to `nowMs`; returns whether it
 * did. A cost larger than the burst is allowed from a full bucket (the bucket goes negative),
 * so one large but legal frame is never refused forever.
 */
export function takeTokens(bucket: TokenBucket, cost: number, nowMs: number): boolean {
  refill(bucket, nowMs)
  if (bucket.tokens >= cost || bucket.tokens >= bucket.burst) {
    bucket.tokens -= cost
    return true
  }
  return false
}

/**
 * Takes `cost` tokens whatever the bucket holds (it may go into debt) and returns how long, in
 * ms, until it is out of debt again: 0 when it never went below zero. For flow control, where
 * work is delayed rather than refused.
 */
export function chargeTokens(bucket: TokenBucket, cost: number, nowMs: number): number {
  refill(bucket, nowMs)
  bucket.tokens -= cost
  return bucket.tokens >= 0 ? 0 : Math.ceil((-bucket.tokens * 1000) / bucket.ratePerSecond)
}

/** Adds the tokens earned since the bucket was last touched, up to its burst. */
function refill(bucket: TokenBucket, nowMs: number): void {
  const elapsed = Math.max(0, nowMs - bucket.updatedMs)
  bucket.tokens = Math.min(bucket.burst, bucket.tokens + (elapsed * bucket.ratePerSecond) / 1000)
  bucket.updatedMs = nowMs
}
