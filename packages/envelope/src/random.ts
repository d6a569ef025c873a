/** Cryptographically secure random bytes from the platform CSPRNG (`crypto.getRandomValues`). */
import { randomBytes as nobleRandomBytes } from '@noble/hashes/utils.js'

/** `length` bytes from the platform CSPRNG. */
export function randomBytes(length: number): Uint8Array {
  return nobleRandomBytes(length)
}

/** Fills `out` from the platform CSPRNG, 64 KiB at a time (the `getRandomValues` limit). */
export function fillRandom(out: Uint8Array): Uint8Array {
  for (let i = 0; i < out.length; i += 65536) {
    globalThis.crypto.getRandomValues(out.subarray(i, Math.min(out.length, i + 65536)))
  }
  return out
}
