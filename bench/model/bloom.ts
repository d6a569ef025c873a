/**
 * What a light node's bloom filter lets through (spec/whisper-v6.md §4.2–§4.4): a 512-bit filter,
 * each watched topic sets its three 9-bit indices (OR form), and an envelope passes when its
 * topic's geth-form bloom is covered. geth's form assigns one bit per byte, so two indices in one
 * byte leave one bit: a random topic needs 3, 2 or 1 distinct bits.
 */

const BLOOM_BITS = 512
const BYTES = BLOOM_BITS / 8
const INDICES = 3

/**
 * Share of the bloom's bits set by `topics` random watched topics: `1 − (1 − 1/512)^(3 × topics)`.
 * @throws {RangeError} when `topics` is negative
 */
export function bloomFill(topics: number): number {
  if (!(topics >= 0)) throw new RangeError(`topics must be ≥ 0, got ${topics}`)
  return 1 - (1 - 1 / BLOOM_BITS) ** (INDICES * topics)
}

/**
 * Chance that an envelope on a random topic the node does not watch still matches its bloom.
 * @throws {RangeError} when `topics` is negative
 */
export function bloomFalsePositiveRate(topics: number): number {
  const fill = bloomFill(topics)
  // Byte positions of the three indices: all distinct, exactly two shared, all three shared.
  const allDistinct = ((BYTES - 1) / BYTES) * ((BYTES - 2) / BYTES)
  const allShared = 1 / BYTES ** 2
  const twoShared = 1 - allDistinct - allShared
  return allDistinct * fill ** 3 + twoShared * fill ** 2 + allShared * fill
}
