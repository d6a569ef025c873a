/**
 * What sealing one envelope costs a phone at the node's minimum PoW (spec/whisper-v6.md §3.1,
 * §3.3): `2^bits` nonces expected, `bits = ceil(log2(PoW × size() × TTL))`, evaluated by
 * `@hush/pow`'s own `estimateSealTime` so the model and the sealer agree.
 */
import { ENVELOPE_HEADER_BYTES } from '@hush/envelope'
import { estimateSealTime } from '@hush/pow'

/** The seal cost of one envelope. */
export interface SealCost {
  /** Leading zero bits the seal needs. */
  bits: number
  /** Expected time in milliseconds (the mean of the geometric search). */
  expectedMs: number
  /** Median time in milliseconds. */
  medianMs: number
}

/**
 * Expected seal time for an envelope of `dataBytes` at `minPow` and `ttlSeconds` on a device that
 * tries `nonceRate` nonces per second on one core.
 * @throws {RangeError} when an argument is out of range (from `estimateSealTime`)
 */
export function sealCost(dataBytes: number, ttlSeconds: number, minPow: number, nonceRate: number): SealCost {
  const e = estimateSealTime({ sizeBytes: ENVELOPE_HEADER_BYTES + dataBytes, ttl: ttlSeconds, targetPow: minPow, hashRate: nonceRate })
  return { bits: e.leadingZeroBits, expectedMs: e.expectedMs, medianMs: e.medianMs }
}
