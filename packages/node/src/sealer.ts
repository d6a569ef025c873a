/**
 * Sealing for the node's own posts: picks where the nonce search runs and aborts every seal still
 * running when the node stops.
 */
import { type Envelope, encodeEnvelopeWithoutNonce } from '@hush/envelope'
import { type SealProgress, requiredLeadingZeroBits, sealEnvelopeAsync } from '@hush/pow'

/** Seals needing at most this many leading zero bits (~64k hashes, ~20 ms) run on the calling thread. */
const SMALL_SEAL_BITS = 16

/** Options of one seal. */
export interface SealOptions {
  /** Aborts the seal. */
  signal?: AbortSignal | undefined
  /** Time budget for the search. */
  workTimeMs?: number | undefined
  /** Progress reports. */
  onProgress?: ((progress: SealProgress) => void) | undefined
}

/** The node's sealer. */
export class Sealer {
  private readonly running = new Set<AbortController>()
  private readonly workers: number | undefined

  /** @param workers - worker threads for every seal; `undefined` lets the sealer choose */
  constructor(workers: number | undefined) {
    this.workers = workers
  }

  /**
   * Seals `envelope` to `targetPow` (no work for 0).
   * @throws the signal's reason when aborted, or `PowTargetNotReachedError` when the budget runs out
   */
  async seal(envelope: Envelope, targetPow: number, options: SealOptions = {}): Promise<Envelope> {
    options.signal?.throwIfAborted()
    if (targetPow === 0) return envelope
    const ac = new AbortController()
    this.running.add(ac)
    const signal = options.signal === undefined ? ac.signal : AbortSignal.any([ac.signal, options.signal])
    const workers = this.workersFor(envelope, targetPow)
    try {
      const result = await sealEnvelopeAsync(envelope, {
        targetPow,
        signal,
        ...(options.workTimeMs !== undefined && { workTimeMs: options.workTimeMs }),
        ...(workers !== undefined && { workers }),
        ...(options.onProgress !== undefined && { onProgress: options.onProgress }),
      })
      return result.envelope
    } finally {
      this.running.delete(ac)
    }
  }

  /** Aborts every running seal with `reason`. */
  abortAll(reason: Error): void {
    for (const ac of this.running) ac.abort(reason)
    this.running.clear()
  }

  /**
   * Worker threads for one seal: starting them costs about 30 ms, more than a small target takes
   * on this thread, so up to {@link SMALL_SEAL_BITS} leading zero bits the search runs here in
   * 10 ms slices (the event loop keeps turning between slices).
   */
  private workersFor(envelope: Envelope, targetPow: number): number | undefined {
    if (this.workers !== undefined) return this.workers
    const rlpLength = encodeEnvelopeWithoutNonce(envelope).length
    return requiredLeadingZeroBits(targetPow, rlpLength, envelope.ttl) <= SMALL_SEAL_BITS ? 0 : undefined
  }
}
