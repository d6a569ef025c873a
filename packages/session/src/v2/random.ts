/**
 * The randomness of session v2: one injectable source, so that known-answer vectors (docs/SESSION.md
 * §17) can be reproduced with a deterministic source and production uses the platform's CSPRNG.
 */

/** Fills and returns a fresh array of `length` random bytes. */
export type RandomSource = (length: number) => Uint8Array

/** The platform CSPRNG (`crypto.getRandomValues`), in chunks of at most 65,536 bytes as it requires. */
export const systemRandom: RandomSource = (length) => {
  const out = new Uint8Array(length)
  for (let off = 0; off < length; off += 65_536) crypto.getRandomValues(out.subarray(off, Math.min(length, off + 65_536)))
  return out
}
