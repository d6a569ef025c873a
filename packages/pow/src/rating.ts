/**
 * Rating (spec §9, design §5, the paper's §7.1B): which envelopes a full pool keeps and which go out
 * first. Smaller size, lower TTL and more work rate higher.
 *
 * Whisper's PoW value is already `work / (size × TTL)` (work = 2^leading-zero-bits, size = the RLP
 * length without the nonce): the work paid per byte-second of pool space the envelope asks for. That
 * is exactly the trade-off the rating has to make, so the rating is the PoW value itself, on a log
 * scale: `rating = log2(pow) = bits − log2(size) − log2(ttl)`. One more leading zero bit adds 1;
 * doubling the size or the TTL subtracts 1. The log keeps ratings small, finite and additive (a pool
 * can show them, bucket them or add a per-peer penalty in the same unit), and it orders envelopes
 * exactly as the PoW value does, so "evict the lowest rating" and "evict the lowest PoW" agree.
 */
import { assertInt, assertNumber } from './assert.ts'
import { MAX_LEADING_ZERO_BITS } from './constants.ts'

/** Input of {@link ratingOf}: a PoW value, or the work and the resources it pays for. */
export type RatingInput =
  | {
      /** The envelope's PoW value ({@link powOf}), as a node computes it once on receipt. */
      readonly pow: number
    }
  | {
      /** Leading zero bits of the PoW hash (the work: 2^bits nonces expected). */
      readonly leadingZeroBits: number
      /** Bytes the envelope occupies (use the RLP length without the nonce to match `pow`). */
      readonly sizeBytes: number
      /** Its TTL in seconds. */
      readonly ttl: number
    }

/**
 * The rating of an envelope: `log2(pow)`, i.e. `leadingZeroBits − log2(sizeBytes) − log2(ttl)`
 * (see the module doc for why). Higher is better.
 * @throws {TypeError | RangeError} naming the bad field: `pow` must be positive and finite, `ttl`
 * and `sizeBytes` at least 1, `leadingZeroBits` an integer in [0, 256]
 * @example
 * ```ts
 * ratingOf({ pow: 0.2 })                                    // -2.32
 * ratingOf({ leadingZeroBits: 20, sizeBytes: 1024, ttl: 64 }) // 20 - 10 - 6 = 4
 * ```
 */
export function ratingOf(input: RatingInput): number {
  if (typeof input !== 'object' || input === null) throw new TypeError('input must be an object')
  if ('pow' in input) {
    assertNumber(input.pow, 'input.pow', 0, true)
    return Math.log2(input.pow)
  }
  assertInt(input.leadingZeroBits, 'input.leadingZeroBits', 0, MAX_LEADING_ZERO_BITS)
  assertNumber(input.sizeBytes, 'input.sizeBytes', 1)
  assertNumber(input.ttl, 'input.ttl', 1)
  return input.leadingZeroBits - Math.log2(input.sizeBytes) - Math.log2(input.ttl)
}
