/**
 * One thread's nonce search in batches, shared by the synchronous sealer and the time-sliced
 * async fallback: it walks nonces upwards from the plan's start (wrapping at 2^64) and keeps the
 * first nonce with the most leading zero bits.
 */
import { type NonceSearch, createNonceSearch } from '@hush/envelope/keccak'
import { MAX_NONCE, NONCE_BATCH } from './constants.ts'
import type { SealPlan, SealProgressState } from './seal-plan.ts'

/** A search in progress. */
export interface SearchLoop extends SealProgressState {
  /** True once the target was reached, the deadline passed or the iterations ran out. */
  readonly done: boolean
  /** Runs batches until done or until `Date.now()` reaches `until`. */
  run(until: number): void
}

/** Starts a search over the plan on this thread. */
export function createSearchLoop(plan: SealPlan, backend?: 'wasm' | 'ts'): SearchLoop {
  const search: NonceSearch = createNonceSearch(plan.prefix, backend === undefined ? {} : { backend })
  let next = plan.start
  const loop = {
    attempts: 0,
    bestBits: -1,
    bestNonce: plan.start,
    done: false,
    run(until: number): void {
      while (!loop.done) {
        const count = Math.min(NONCE_BATCH, plan.maxIterations - loop.attempts)
        const r = search.search(next, count, plan.targetBits)
        loop.attempts += r.tried
        next = (next + BigInt(r.tried)) & MAX_NONCE
        if (r.bestBits > loop.bestBits) {
          loop.bestBits = r.bestBits
          loop.bestNonce = r.bestNonce
        }
        const now = Date.now()
        if (loop.bestBits >= plan.targetBits || loop.attempts >= plan.maxIterations || now >= plan.deadline) {
          loop.done = true
        } else if (now >= until) {
          return
        }
      }
    },
  }
  return loop
}
