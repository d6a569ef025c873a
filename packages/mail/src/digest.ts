/**
 * The range digest: Keccak-256 over the concatenated 32-byte hashes of a page's envelopes, in key
 * order. Two archives that return the same envelopes for a range give the same digest; one that
 * dropped (or added) an envelope gives another. The digest of an empty page is Keccak-256 of no
 * bytes.
 */
import { keccak256 } from '@hush/envelope'
import { assertBytes } from './assert.ts'
import { HASH_BYTES } from './key.ts'

/**
 * The digest of envelope hashes listed in key order.
 * @throws {TypeError | RangeError} when an item is not a 32-byte Uint8Array
 * @example
 * ```ts
 * const page = await archive.query({ from, to, limit: 100 })
 * rangeDigest(page.hashes) // equals page.digest
 * ```
 */
export function rangeDigest(hashes: readonly Uint8Array[]): Uint8Array {
  if (!Array.isArray(hashes)) throw new TypeError('hashes must be an array')
  const all = new Uint8Array(hashes.length * HASH_BYTES)
  for (let i = 0; i < hashes.length; i++) {
    assertBytes(hashes[i], `hashes[${i}]`, HASH_BYTES)
    all.set(hashes[i], i * HASH_BYTES)
  }
  return keccak256(all)
}
