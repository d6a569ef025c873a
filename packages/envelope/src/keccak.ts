import { keccak_256 } from '@noble/hashes/sha3.js'

/**
 * Keccak-256 (the pre-FIPS padding Ethereum uses) of `data`.
 *
 * @example
 * ```ts
 * keccak256(new TextEncoder().encode('abc')) // 4e03657a…
 * ```
 */
export function keccak256(data: Uint8Array): Uint8Array {
  return keccak_256(data)
}
