/**
 * What both sealers share: option checks, the envelope to hash (with geth's work-time expiry bump),
 * the bit target, the random start nonce, and the running best.
 */
import { type Envelope, MAX_UINT32, encodeEnvelopeWithoutNonce } from '@hush/envelope'
import { assertInt, assertNumber } from './assert.ts'
import { MAX_LEADING_ZERO_BITS, MAX_NONCE } from './constants.ts'
import { powFromLeadingZeroBits, nonceBits, requiredLeadingZeroBits } from './pow.ts'

/** Options of {@link sealEnvelope}. Give `targetPow`, `workTimeMs`, or both. */
export interface SealOptions {
  /**
   * Stop at the first nonce whose PoW value is at least this (spec §3.3, checked the way receivers
   * check it). `0` means no work: the envelope is returned with nonce 0, as geth does.
   */
  targetPow?: number
  /**
   * Time budget in milliseconds. Alone, it is geth's work-time mode: search that long and keep the
   * best nonce, after moving the expiry `ceil(workTimeMs / 1000)` seconds later (geth adds the work
   * time so the envelope does not lose lifetime while it is sealed, spec §2.5). With `targetPow`,
   * it bounds the search, which then fails with {@link PowTargetNotReachedError}.
   */
  workTimeMs?: number
  /**
   * Bound on nonces tried; with `targetPow`, running out fails like `workTimeMs`. Split evenly over
   * workers (rounded up), so the async sealer may try up to `workers − 1` more.
   */
  maxIterations?: number
  /** First nonce to try. @default a random uint64 (geth starts at 0; Parity used random nonces) */
  startNonce?: bigint
  /** Hash backend. @default 'wasm' where WebAssembly is available, else 'ts' */
  backend?: 'wasm' | 'ts'
}

/** Outcome of a seal. */
export interface SealResult {
  /** The sealed envelope: the input with `nonce` set (and `expiry` moved in work-time mode). */
  readonly envelope: Envelope
  /** Its PoW value (spec §3.1). */
  readonly pow: number
  /** Leading zero bits of its PoW hash. */
  readonly leadingZeroBits: number
  /** Nonces tried, over all workers. */
  readonly attempts: number
  /** Wall-clock time spent, in milliseconds. */
  readonly elapsedMs: number
}

/** A checked, prepared seal. */
export interface SealPlan {
  /** The envelope that is hashed (expiry already moved in work-time mode). */
  readonly envelope: Envelope
  /** Its RLP without the nonce: the constant part of every PoW hash. */
  readonly prefix: Uint8Array
  /** Leading zero bits to stop at; 257 in work-time mode (never stop early). */
  readonly targetBits: number
  /** `Date.now()` after which to stop; `Infinity` when there is no time budget. */
  readonly deadline: number
  /** Nonces to try at most; `Infinity` when unbounded. */
  readonly maxIterations: number
  /** The first nonce (random unless `startNonce` was given). */
  readonly start: bigint
  /** A `targetPow` was given: missing it within a budget is an error. */
  readonly hasTarget: boolean
  /** `targetPow: 0`: no work at all. */
  readonly noWork: boolean
  /** `Date.now()` when the plan was made. */
  readonly startedAt: number
}

function randomNonce(): bigint {
  const words = crypto.getRandomValues(new Uint32Array(2))
  return (BigInt(words[0]) << 32n) | BigInt(words[1])
}

/**
 * Checks `options` and prepares a seal of `envelope`.
 * @throws {TypeError | RangeError} naming the bad argument; TTL 0 is refused (spec §2.6)
 */
export function planSeal(envelope: Envelope, options: SealOptions): SealPlan {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object')
  encodeEnvelopeWithoutNonce(envelope) // checks every field, naming it
  if (envelope.ttl === 0) throw new RangeError('envelope.ttl must be > 0 to seal (spec §2.6)')
  const { targetPow, workTimeMs, maxIterations, startNonce } = options
  if (targetPow === undefined && workTimeMs === undefined) {
    throw new TypeError('options must set targetPow, workTimeMs or both')
  }
  if (targetPow !== undefined) assertNumber(targetPow, 'options.targetPow')
  if (workTimeMs !== undefined) assertNumber(workTimeMs, 'options.workTimeMs', 0, true)
  if (maxIterations !== undefined) assertInt(maxIterations, 'options.maxIterations', 1)
  if (startNonce !== undefined) {
    if (typeof startNonce !== 'bigint') throw new TypeError('options.startNonce must be a bigint')
    if (startNonce < 0n || startNonce > MAX_NONCE) throw new RangeError(`options.startNonce must be in [0, 2^64), got ${startNonce}`)
  }
  const hasTarget = targetPow !== undefined
  let sealed = envelope
  if (!hasTarget && workTimeMs !== undefined) {
    const expiry = envelope.expiry + Math.ceil(workTimeMs / 1000)
    if (expiry > MAX_UINT32) throw new RangeError('options.workTimeMs moves envelope.expiry past 2^32 − 1')
    sealed = { ...envelope, expiry }
  }
  const prefix = encodeEnvelopeWithoutNonce(sealed)
  const startedAt = Date.now()
  return {
    envelope: sealed,
    prefix,
    targetBits: hasTarget && targetPow > 0 ? requiredLeadingZeroBits(targetPow, prefix.length, sealed.ttl) : MAX_LEADING_ZERO_BITS + 1,
    deadline: workTimeMs === undefined ? Infinity : startedAt + workTimeMs,
    maxIterations: maxIterations ?? Infinity,
    start: startNonce ?? randomNonce(),
    hasTarget,
    noWork: targetPow === 0,
    startedAt,
  }
}

/** The running best of a search. */
export interface SealProgressState {
  /** Nonces tried so far. */
  attempts: number
  /** Leading zero bits of the best nonce (-1 before any). */
  bestBits: number
  /** The first nonce that reached `bestBits`. */
  bestNonce: bigint
}

/** Builds the result for the best nonce found. */
export function sealResult(plan: SealPlan, state: SealProgressState): SealResult {
  const bits = Math.max(0, state.bestBits)
  return {
    envelope: { ...plan.envelope, nonce: state.bestNonce },
    pow: powFromLeadingZeroBits(bits, plan.prefix.length, plan.envelope.ttl),
    leadingZeroBits: bits,
    attempts: state.attempts,
    elapsedMs: Date.now() - plan.startedAt,
  }
}

/** The result for `targetPow: 0`: no work, nonce 0 (geth), with that nonce's actual PoW. */
export function noWorkResult(plan: SealPlan): SealResult {
  const bits = nonceBits(plan.prefix, 0n)
  return {
    envelope: { ...plan.envelope, nonce: 0n },
    pow: powFromLeadingZeroBits(bits, plan.prefix.length, plan.envelope.ttl),
    leadingZeroBits: bits,
    attempts: 0,
    elapsedMs: Date.now() - plan.startedAt,
  }
}
