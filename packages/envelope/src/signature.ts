/**
 * Payload signatures (spec §5.3): secp256k1 ECDSA over a Keccak-256 digest, laid out
 * r(32) ‖ s(32) ‖ v(1) with v the recovery id 0/1 (geth, js-waku); 27/28 are read too.
 */
import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { hashes, recoverPublicKey, sign } from '@noble/secp256k1'
import { SIGNATURE_LENGTH_BYTES } from './constants.ts'

/** noble's sync `sign` needs these two (deps.md §5); set on first use, never overwritten. */
function ensureSyncHashes(): void {
  hashes.sha256 ??= sha256
  hashes.hmacSha256 ??= (key, message) => hmac(sha256, key, message)
}

/**
 * Signs a 32-byte digest: deterministic RFC 6979 nonce, low-S, output r ‖ s ‖ v with v ∈ {0, 1}.
 * The caller validates `privateKey`.
 */
export function signDigest(digest: Uint8Array, privateKey: Uint8Array): Uint8Array {
  ensureSyncHashes()
  // noble's 'recovered' format is v ‖ r ‖ s; Whisper wants r ‖ s ‖ v (deps.md §5).
  const vrs = sign(digest, privateKey, { prehash: false, format: 'recovered' })
  const out = new Uint8Array(SIGNATURE_LENGTH_BYTES)
  out.set(vrs.subarray(1), 0)
  out[64] = vrs[0]
  return out
}

/**
 * Recovers the 65-byte uncompressed public key that signed `digest`, or `undefined` when the
 * signature is malformed (r or s out of range, no point for r, v not 0–3 or 27/28).
 * v 2/3 (r ≥ n) are accepted like geth's libsecp256k1; high-S is accepted like geth's recovery.
 */
export function recoverSigner(digest: Uint8Array, signature: Uint8Array): Uint8Array | undefined {
  if (signature.length !== SIGNATURE_LENGTH_BYTES) return undefined
  let v = signature[64]
  if (v === 27 || v === 28) v -= 27
  if (v > 3) return undefined
  const vrs = new Uint8Array(SIGNATURE_LENGTH_BYTES)
  vrs[0] = v
  vrs.set(signature.subarray(0, 64), 1)
  try {
    return recoverPublicKey(vrs, digest, { prehash: false, isCompressed: false })
  } catch {
    return undefined
  }
}
