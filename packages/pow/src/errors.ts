/**
 * Named errors of @hush/pow. The `name` is the contract (house-style §3.6). Bad arguments throw the
 * built-in TypeError / RangeError instead; an abort rejects with the signal's own reason.
 */

/**
 * Thrown by the sealers when a `targetPow` was requested together with a time or iteration budget
 * and the budget ran out first (geth: "failed to reach the PoW target").
 */
export class PowTargetNotReachedError extends Error {
  static override name = 'PowTargetNotReachedError'
  /** The best PoW reached before the budget ran out. */
  readonly bestPow: number
  /** Nonces tried. */
  readonly attempts: number

  constructor(message = 'Failed to reach the PoW target', bestPow = 0, attempts = 0, options?: ErrorOptions) {
    super(message, options)
    this.name = 'PowTargetNotReachedError'
    this.bestPow = bestPow
    this.attempts = attempts
  }
}
