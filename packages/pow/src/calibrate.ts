/**
 * Calibration: how fast this machine searches nonces, and how long a seal should take. The number
 * of nonces a seal needs is geometric (each nonce succeeds with probability 2^-bits, spec §3.3), so
 * a single seal can take far more or far less than any prediction; these are its statistics.
 */
import { type Envelope, ENVELOPE_HEADER_BYTES, encodeEnvelopeWithoutNonce } from '@hush/envelope'
import { createNonceSearch } from '@hush/envelope/keccak'
import { assertInt, assertNumber } from './assert.ts'
import { KECCAK_RATE_BYTES } from './constants.ts'
import { requiredLeadingZeroBits } from './pow.ts'

/** Options of {@link measureHashRate}. */
export interface MeasureHashRateOptions {
  /** How long to measure, in milliseconds. @default 300 */
  durationMs?: number
  /** Backend to measure. @default 'wasm' where available, else 'ts' */
  backend?: 'wasm' | 'ts'
}

/**
 * Measures this thread's nonce rate (nonces per second, one core) on a 1 KiB envelope, whose hash
 * tail needs one Keccak permutation per nonce. Blocks for about `durationMs`.
 * @throws {TypeError | RangeError} for bad options
 * @example
 * ```ts
 * const hashRate = measureHashRate() // e.g. 3.3e6 on one core with the WASM kernel
 * ```
 */
export function measureHashRate(options: MeasureHashRateOptions = {}): number {
  const durationMs = options.durationMs ?? 300
  assertNumber(durationMs, 'options.durationMs', 0, true)
  const prefix = encodeEnvelopeWithoutNonce({
    expiry: 1_764_072_050,
    ttl: 50,
    topic: new Uint8Array(4),
    data: new Uint8Array(1024 - ENVELOPE_HEADER_BYTES).fill(0x5a),
    nonce: 0n,
  })
  const search = createNonceSearch(prefix, options.backend === undefined ? {} : { backend: options.backend })
  search.search(0n, 4096) // warm up the JIT before timing
  let nonce = 1n << 40n
  let tried = 0
  let batch = 4096
  const start = performance.now()
  let elapsed = 0
  while (elapsed < durationMs) {
    tried += search.search(nonce, batch).tried
    nonce += BigInt(batch)
    elapsed = performance.now() - start
    if (elapsed < durationMs / 20) batch = Math.min(batch * 2, 1 << 20)
  }
  return (tried * 1000) / elapsed
}

/** Input of {@link estimateSealTime}: an envelope, or its `size()` plus TTL. */
export interface EstimateSealTimeInput {
  /** The envelope to seal (its size and TTL are used). */
  envelope?: Envelope
  /** Whisper `size()` (20 + data length) when no envelope is given. */
  sizeBytes?: number
  /** TTL in seconds when no envelope is given. */
  ttl?: number
  /** The PoW to reach. */
  targetPow: number
  /** Nonces per second of one worker, from {@link measureHashRate}. */
  hashRate: number
  /** Workers searching in parallel (assumed to scale linearly). @default 1 */
  workers?: number
}

/** Statistics of the time to seal. */
export interface SealTimeEstimate {
  /** Leading zero bits the seal needs. */
  readonly leadingZeroBits: number
  /** Expected nonces to try: 2^bits (the mean of the geometric distribution). */
  readonly expectedAttempts: number
  /** The expectation (mean) of the seal time, in milliseconds. */
  readonly expectedMs: number
  /** The median: ln 2 × the mean; half the seals finish sooner. */
  readonly medianMs: number
  /** The 90th percentile: ln 10 × the mean. */
  readonly p90Ms: number
}

function rlpLengthWithoutNonce(dataLength: number, ttl: number): number {
  const uintRlp = (v: number): number => (v < 0x80 ? 1 : 1 + Math.ceil(Math.log2(v + 1) / 8))
  const dataRlp = dataLength === 1 ? 1 : dataLength < 56 ? 1 + dataLength : 1 + Math.ceil(Math.log2(dataLength + 1) / 8) + dataLength
  // A current expiry is a 4-byte integer (5 bytes of RLP); the topic is 5 bytes.
  const body = 5 + uintRlp(ttl) + 5 + dataRlp
  return body < 56 ? 1 + body : 1 + Math.ceil(Math.log2(body + 1) / 8) + body
}

/**
 * Predicts the time to seal. `expectedMs` is the **expectation** (mean) of the seal time: 2^bits
 * nonces at `hashRate × workers` nonces per second, doubled when the hash tail needs two
 * permutations; the median is ln 2 ≈ 0.69 of it. Worker start-up (tens of ms) is not included.
 * @throws {TypeError | RangeError} naming a missing or bad argument
 * @example
 * ```ts
 * const { expectedMs, medianMs } = estimateSealTime({ sizeBytes: 1024, ttl: 50, targetPow: 0.2, hashRate })
 * ```
 */
export function estimateSealTime(input: EstimateSealTimeInput): SealTimeEstimate {
  if (typeof input !== 'object' || input === null) throw new TypeError('input must be an object')
  const { envelope, targetPow, hashRate, workers = 1 } = input
  let rlpLength: number
  let ttl: number
  if (envelope !== undefined) {
    rlpLength = encodeEnvelopeWithoutNonce(envelope).length
    ttl = envelope.ttl
  } else {
    assertInt(input.sizeBytes, 'input.sizeBytes', ENVELOPE_HEADER_BYTES)
    assertInt(input.ttl, 'input.ttl', 1, 0xffff_ffff)
    ttl = input.ttl
    rlpLength = rlpLengthWithoutNonce(input.sizeBytes - ENVELOPE_HEADER_BYTES, ttl)
  }
  if (ttl === 0) throw new RangeError('input.ttl must be > 0')
  assertNumber(targetPow, 'input.targetPow', 0, true)
  assertNumber(hashRate, 'input.hashRate', 0, true)
  assertInt(workers, 'input.workers', 1)
  const bits = requiredLeadingZeroBits(targetPow, rlpLength, ttl)
  const perms = rlpLength % KECCAK_RATE_BYTES >= KECCAK_RATE_BYTES - 8 ? 2 : 1
  const expectedAttempts = 2 ** bits
  const expectedMs = (expectedAttempts * perms * 1000) / (hashRate * workers)
  return { leadingZeroBits: bits, expectedAttempts, expectedMs, medianMs: expectedMs * Math.LN2, p90Ms: expectedMs * Math.LN10 }
}
