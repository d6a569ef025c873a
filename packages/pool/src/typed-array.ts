/** Growing the pool's per-slot and per-id typed arrays. */

/** The typed arrays the pool keeps per slot or per id. */
type NumberArray = Int32Array | Uint32Array | Float64Array

/**
 * A copy of `array` lengthened to `length` elements, the new ones `fill` (0 by default). O(length).
 */
export function grown<T extends NumberArray>(array: T, length: number, fill: number = 0): T {
  const out = new (array.constructor as new (length: number) => T)(length)
  out.set(array)
  if (fill !== 0) out.fill(fill, array.length)
  return out
}
