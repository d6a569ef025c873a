/**
 * The synchronous sealer (spec §3.3): blocks the calling thread. Use {@link sealEnvelopeAsync} to
 * seal on all cores without blocking.
 */
import type { Envelope } from '@hush/envelope'
import { PowTargetNotReachedError } from './errors.ts'
import { createSearchLoop } from './search-loop.ts'
import { type SealOptions, type SealPlan, type SealResult, noWorkResult, planSeal, sealResult } from './seal-plan.ts'
import type { SearchLoop } from './search-loop.ts'

/** Turns a finished search into the result, or the error for a missed target. */
export function finishSeal(plan: SealPlan, loop: Pick<SearchLoop, 'attempts' | 'bestBits' | 'bestNonce'>): SealResult {
  const result = sealResult(plan, loop)
  if (plan.hasTarget && loop.bestBits < plan.targetBits) {
    throw new PowTargetNotReachedError(
      `PoW target not reached after ${loop.attempts} nonces (best ${result.pow})`,
      result.pow,
      loop.attempts
    )
  }
  return result
}

/**
 * Seals `envelope` on the calling thread, in geth's two modes (spec §3.3):
 * - `{ targetPow }`: search from a random nonce until the PoW value reaches `targetPow`
 *   (optionally bounded by `workTimeMs` / `maxIterations`);
 * - `{ workTimeMs }` alone: move the expiry by the work time, search that long, keep the best nonce.
 *
 * @returns the sealed envelope with its PoW; the input is not modified
 * @throws {TypeError | RangeError} for a malformed envelope or options (naming them), or TTL 0
 * @throws {PowTargetNotReachedError} when a bounded search misses `targetPow`
 * @example
 * ```ts
 * const { envelope: sealed, pow } = sealEnvelope(envelope, { targetPow: 0.2 })
 * ```
 */
export function sealEnvelope(envelope: Envelope, options: SealOptions): SealResult {
  const plan = planSeal(envelope, options)
  if (plan.noWork) return noWorkResult(plan)
  const loop = createSearchLoop(plan, options.backend)
  loop.run(Infinity)
  return finishSeal(plan, loop)
}
