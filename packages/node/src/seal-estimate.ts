/**
 * How long this node expects to seal an envelope: its own nonce rate, measured once and again
 * every ten minutes (the machine's load changes), on every core it seals large targets on.
 */
import { availableParallelism } from 'node:os'
import { estimateSealTime, measureHashRate } from '@hush/pow'

/** An envelope to seal, as far as its sealing time goes. */
export interface SealQuery {
  /** Size of the sealed envelope in bytes (its RLP). */
  sizeBytes: number
  /** Its TTL in seconds. */
  ttl: number
  /** The PoW target. */
  powTarget: number
}

/** How long sealing it should take here. */
export interface SealEstimate {
  /** The expected (mean) time, in milliseconds; one seal may take much more or much less. */
  expectedMs: number
  /** The median time, in milliseconds. */
  medianMs: number
  /** Nonces per second on one core, as measured on this node. */
  hashRate: number
  /** Cores the node seals on. */
  workers: number
}

/** How long a measured rate is used. */
const RATE_TTL_MS = 10 * 60_000
/** How long one measurement blocks the event loop. */
const MEASURE_MS = 50

/** Estimates sealing times from a nonce rate it measures lazily. */
export class SealEstimator {
  private measured: { hashRate: number; atMs: number } | undefined
  private readonly workers: number

  /** @param workers - the node's `sealWorkers` (0: the main thread alone); `undefined`: one per core */
  constructor(workers: number | undefined) {
    this.workers = workers === undefined ? availableParallelism() : Math.max(1, workers)
  }

  /** The estimate for `query` at `nowMs`. @throws {TypeError | RangeError} for a malformed query */
  estimate(query: SealQuery, nowMs: number): SealEstimate {
    if (this.measured === undefined || nowMs - this.measured.atMs > RATE_TTL_MS) this.measured = { hashRate: measureHashRate({ durationMs: MEASURE_MS }), atMs: nowMs }
    const hashRate = this.measured.hashRate
    const workers = this.workers
    const { expectedMs, medianMs } = estimateSealTime({ sizeBytes: query.sizeBytes, ttl: query.ttl, targetPow: query.powTarget, hashRate, workers })
    return { expectedMs, medianMs, hashRate, workers }
  }
}
