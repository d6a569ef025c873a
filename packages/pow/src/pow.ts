/**
 * The Whisper v6 PoW value exactly as geth v1.9 computes it (spec §3.1, §3.4):
 * `pow = 2^lz / len(rlpWithoutNonce) / ttl`, where `lz` is the number of leading zero bits of
 * `keccak256(rlpWithoutNonce ‖ nonce as 8-byte big-endian)`. The two divisions happen in that order,
 * as IEEE-754 doubles, so values compare bit-exactly with geth's.
 */
import { type Envelope, encodeEnvelopeWithoutNonce, keccak256 } from '@hush/envelope'
import { assertBytes, assertInt, assertNumber } from './assert.ts'
import { MAX_LEADING_ZERO_BITS, MAX_NONCE } from './constants.ts'

/** Options for {@link powOf}. */
export interface PowOfOptions {
  /**
   * Seconds added to the TTL: geth's `diff = sent − now + 1` for an envelope dated up to 10 s in
   * the future (spec §2.6, §3.1).
   * @default 0
   */
  extraTtlSeconds?: number
}

/**
 * Leading zero bits of a hash read as a big-endian number (`256 − bitLength`; 256 for all zeros).
 * @throws {TypeError} when `hash` is not a Uint8Array
 */
export function leadingZeroBits(hash: Uint8Array): number {
  assertBytes(hash, 'hash')
  let n = 0
  for (let i = 0; i < hash.length; i++) {
    if (hash[i] !== 0) return n + Math.clz32(hash[i]) - 24
    n += 8
  }
  return n
}

/**
 * The PoW value for a leading-zero-bit count: `2^bits / rlpLength / ttlSeconds`, divided in geth's
 * order. A TTL of 0 gives `Infinity` (geth's division by zero, spec §2.6).
 * @param bits - leading zero bits, 0–256
 * @param rlpLength - length of the envelope's RLP without the nonce
 * @param ttlSeconds - the TTL (plus any future-dating allowance)
 * @throws {TypeError | RangeError} when an argument is not a non-negative integer, or `bits` > 256
 */
export function powFromLeadingZeroBits(bits: number, rlpLength: number, ttlSeconds: number): number {
  assertInt(bits, 'bits', 0, MAX_LEADING_ZERO_BITS)
  assertInt(rlpLength, 'rlpLength', 1)
  assertInt(ttlSeconds, 'ttlSeconds', 0)
  return 2 ** bits / rlpLength / ttlSeconds
}

/** The 8-byte big-endian nonce appended to the RLP for hashing (spec §3.1). */
function hashInput(rlpWithoutNonce: Uint8Array, nonce: bigint): Uint8Array {
  const buf = new Uint8Array(rlpWithoutNonce.length + 8)
  buf.set(rlpWithoutNonce)
  new DataView(buf.buffer).setBigUint64(rlpWithoutNonce.length, nonce)
  return buf
}

/**
 * The PoW value from a precomputed RLP without the nonce (for callers that already have it, such as
 * a node that decoded the envelope).
 * @param rlpWithoutNonce - `encodeEnvelopeWithoutNonce(envelope)`
 * @param nonce - the envelope's nonce (uint64)
 * @param ttlSeconds - the envelope's TTL (plus any future-dating allowance)
 * @throws {TypeError | RangeError} when an argument has the wrong type or range
 * @example
 * ```ts
 * const pow = powFromRlp(encodeEnvelopeWithoutNonce(envelope), envelope.nonce, envelope.ttl)
 * ```
 */
export function powFromRlp(rlpWithoutNonce: Uint8Array, nonce: bigint, ttlSeconds: number): number {
  assertBytes(rlpWithoutNonce, 'rlpWithoutNonce')
  if (typeof nonce !== 'bigint') throw new TypeError('nonce must be a bigint')
  if (nonce < 0n || nonce > MAX_NONCE) throw new RangeError(`nonce must be in [0, 2^64), got ${nonce}`)
  return powFromLeadingZeroBits(nonceBits(rlpWithoutNonce, nonce), rlpWithoutNonce.length, ttlSeconds)
}

/** Leading zero bits of the PoW hash of `nonce` (internal; arguments unchecked). */
export function nonceBits(rlpWithoutNonce: Uint8Array, nonce: bigint): number {
  return leadingZeroBits(keccak256(hashInput(rlpWithoutNonce, nonce)))
}

/**
 * The PoW value of an envelope, exactly as geth v1.9 computes it (spec §3.1). The caller compares
 * it with its minimum; nothing is thrown for "not enough". A TTL of 0 gives `Infinity`: reject
 * such envelopes before (spec §2.6).
 * @throws {TypeError | RangeError} when the envelope or an option is malformed
 * @example
 * ```ts
 * if (powOf(envelope) < 0.2) drop(envelope)
 * ```
 */
export function powOf(envelope: Envelope, options: PowOfOptions = {}): number {
  const extra = options.extraTtlSeconds ?? 0
  assertInt(extra, 'options.extraTtlSeconds', 0)
  return powFromRlp(encodeEnvelopeWithoutNonce(envelope), envelope.nonce, envelope.ttl + extra)
}

/**
 * geth's `powToFirstBit` (spec §3.3): `max(1, ceil(log2(pow × size × ttl)))` with `size` the
 * envelope's `size()` (20 + data length). geth's sealer stops at this many leading zero bits. Our
 * sealer uses {@link requiredLeadingZeroBits} instead, which looks at the checked value.
 * @throws {TypeError | RangeError} when an argument is not positive and finite
 */
export function powToFirstBit(pow: number, sizeBytes: number, ttlSeconds: number): number {
  assertNumber(pow, 'pow', 0, true)
  assertInt(sizeBytes, 'sizeBytes', 1)
  assertInt(ttlSeconds, 'ttlSeconds', 1)
  const bits = Math.ceil(Math.log2(pow * sizeBytes * ttlSeconds))
  return bits < 1 ? 1 : bits
}

/**
 * The fewest leading zero bits whose PoW value (computed the checking way, {@link powFromLeadingZeroBits})
 * reaches `targetPow`. Unlike geth's {@link powToFirstBit}, this never under-shoots when the RLP is
 * more than 20 bytes longer than the data (spec §3.3, "Correction"), and never asks for more than needed.
 * @throws {RangeError} when `targetPow` is not positive and finite, or no nonce can reach it
 */
export function requiredLeadingZeroBits(targetPow: number, rlpLength: number, ttlSeconds: number): number {
  assertNumber(targetPow, 'targetPow', 0, true)
  assertInt(rlpLength, 'rlpLength', 1)
  assertInt(ttlSeconds, 'ttlSeconds', 1)
  let bits = Math.max(0, Math.min(MAX_LEADING_ZERO_BITS, Math.ceil(Math.log2(targetPow * rlpLength * ttlSeconds))))
  while (bits > 0 && powFromLeadingZeroBits(bits - 1, rlpLength, ttlSeconds) >= targetPow) bits--
  while (bits <= MAX_LEADING_ZERO_BITS && powFromLeadingZeroBits(bits, rlpLength, ttlSeconds) < targetPow) bits++
  if (bits > MAX_LEADING_ZERO_BITS) throw new RangeError(`targetPow ${targetPow} cannot be reached`)
  return bits
}
