/**
 * @packageDocumentation
 * Whisper v6 proof of work, byte-compatible with geth v1.9: the PoW value (spec §3.1), sealing in
 * geth's two modes on one thread or on every core (worker threads running a WASM Keccak kernel
 * with a precomputed midstate), calibration of the seal time, and the rating pools and routers
 * order envelopes by.
 *
 * @example
 * ```ts
 * import { powOf, sealEnvelopeAsync } from '@hush/pow'
 * const { envelope: sealed, pow } = await sealEnvelopeAsync(envelope, { targetPow: 0.2, signal })
 * powOf(sealed) === pow // true
 * ```
 */
export type { PowOfOptions } from './pow.ts'
export { powOfEncoded } from './pow-encoded.ts'
export {
  leadingZeroBits,
  powFromLeadingZeroBits,
  powFromRlp,
  powOf,
  powToFirstBit,
  requiredLeadingZeroBits,
} from './pow.ts'
export type { SealOptions, SealResult } from './seal-plan.ts'
export { sealEnvelope } from './seal.ts'
export type { SealAsyncOptions } from './seal-async.ts'
export { sealEnvelopeAsync } from './seal-async.ts'
export type { SealProgress } from './progress.ts'
export type { EstimateSealTimeInput, MeasureHashRateOptions, SealTimeEstimate } from './calibrate.ts'
export { estimateSealTime, measureHashRate } from './calibrate.ts'
export type { RatingInput } from './rating.ts'
export { ratingOf } from './rating.ts'
export {
  DEFAULT_PROGRESS_INTERVAL_MS,
  KECCAK_RATE_BYTES,
  MAX_LEADING_ZERO_BITS,
  MAX_NONCE,
  NONCE_BATCH,
  SLICE_MS,
  WORKER_NONCE_BATCH,
  WORKER_STOP_GRACE_MS,
} from './constants.ts'
export { PowTargetNotReachedError } from './errors.ts'
