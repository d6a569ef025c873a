/** Progress reports of {@link sealEnvelopeAsync}. */
import { MAX_LEADING_ZERO_BITS } from './constants.ts'
import { powFromLeadingZeroBits } from './pow.ts'
import type { SealPlan } from './seal-plan.ts'

/** A snapshot of a running seal, passed to `onProgress`. */
export interface SealProgress {
  /** Nonces tried so far, over all workers. */
  readonly attempts: number
  /** Best PoW value so far (0 before the first report of any worker). */
  readonly bestPow: number
  /** Leading zero bits of the best nonce so far (-1 before the first report). */
  readonly bestLeadingZeroBits: number
  /** Nonces per second over the whole run so far. */
  readonly hashRate: number
  /**
   * Expected milliseconds left. With a target, the search is memoryless: the expected attempts
   * still needed are 2^bits whatever was tried before, so this is 2^bits / hashRate (capped by any
   * time budget). In work-time mode, the time to the deadline.
   */
  readonly estimatedMsLeft: number
  /** Milliseconds since the seal started. */
  readonly elapsedMs: number
}

/** Builds progress snapshots for a plan. */
export function progressOf(plan: SealPlan, attempts: number, bestBits: number): SealProgress {
  const now = Date.now()
  const elapsedMs = now - plan.startedAt
  const hashRate = elapsedMs > 0 ? (attempts * 1000) / elapsedMs : 0
  let left = plan.deadline - now
  if (plan.targetBits <= MAX_LEADING_ZERO_BITS) {
    const expected = hashRate > 0 ? (2 ** plan.targetBits * 1000) / hashRate : Infinity
    left = Math.min(left, expected)
  }
  if (Number.isFinite(plan.maxIterations) && hashRate > 0) {
    left = Math.min(left, ((plan.maxIterations - attempts) * 1000) / hashRate)
  }
  return {
    attempts,
    bestPow: bestBits < 0 ? 0 : powFromLeadingZeroBits(bestBits, plan.prefix.length, plan.envelope.ttl),
    bestLeadingZeroBits: bestBits,
    hashRate,
    estimatedMsLeft: Math.max(0, left),
    elapsedMs,
  }
}
