/**
 * Whisper symmetric encryption: AES-256-GCM, no AAD, a random 12-byte nonce, laid out
 * `ciphertext ‖ tag(16) ‖ nonce(12)` (spec §5.6, geth `encryptSymmetric`).
 */
import { assertBytes } from './assert.ts'
import { type CryptoBackend, type CryptoOptions, defaultCryptoBackend } from './backend.ts'
import { AES_GCM_NONCE_LENGTH_BYTES, AES_GCM_OVERHEAD_BYTES, SYMMETRIC_KEY_LENGTH_BYTES } from './constants.ts'
import { DecryptionError } from './errors.ts'
import { randomBytes } from './random.ts'

function assertSymKey(key: unknown): asserts key is Uint8Array {
  assertBytes(key, 'symKey', SYMMETRIC_KEY_LENGTH_BYTES)
}

/**
 * Seals with an explicit nonce. Internal: a repeated nonce under one key breaks GCM, so the
 * public {@link encryptSymmetric} always draws a fresh one; tests use this for known answers.
 */
export function sealWithNonce(
  plaintext: Uint8Array,
  key: Uint8Array,
  nonce: Uint8Array,
  backend: CryptoBackend
): Uint8Array {
  const sealed = backend.aes256GcmEncrypt(key, nonce, plaintext)
  const out = new Uint8Array(sealed.length + AES_GCM_NONCE_LENGTH_BYTES)
  out.set(sealed, 0)
  out.set(nonce, sealed.length)
  return out
}

/**
 * Encrypts a payload plaintext with AES-256-GCM under a 32-byte key and a fresh random nonce.
 * Output length is `plaintext.length + 28`.
 * @throws {TypeError | RangeError} when `symKey` is not 32 bytes or is all zeros (geth refuses it)
 * @example
 * ```ts
 * const data = encryptSymmetric(wrapPayload({ payload }), symKey)
 * ```
 */
export function encryptSymmetric(plaintext: Uint8Array, symKey: Uint8Array, options: CryptoOptions = {}): Uint8Array {
  assertBytes(plaintext, 'plaintext')
  assertSymKey(symKey)
  if (symKey.every((b) => b === 0)) throw new RangeError('symKey must not be all zeros')
  const backend = options.backend ?? defaultCryptoBackend()
  return sealWithNonce(plaintext, symKey, randomBytes(AES_GCM_NONCE_LENGTH_BYTES), backend)
}

/**
 * Decrypts `ciphertext ‖ tag ‖ nonce` under a 32-byte key.
 * @throws {DecryptionError} when `data` is shorter than 28 bytes or the tag does not verify
 *   (wrong key, tampered data)
 * @throws {TypeError | RangeError} when `symKey` is not 32 bytes
 */
export function decryptSymmetric(data: Uint8Array, symKey: Uint8Array, options: CryptoOptions = {}): Uint8Array {
  assertBytes(data, 'data')
  assertSymKey(symKey)
  if (data.length < AES_GCM_OVERHEAD_BYTES) {
    throw new DecryptionError(`symmetric data of ${data.length} bytes is shorter than tag and nonce`)
  }
  const backend = options.backend ?? defaultCryptoBackend()
  const nonceStart = data.length - AES_GCM_NONCE_LENGTH_BYTES
  const plaintext = backend.aes256GcmDecrypt(symKey, data.subarray(nonceStart), data.subarray(0, nonceStart))
  if (plaintext === undefined) throw new DecryptionError('AES-GCM tag does not verify')
  return plaintext
}
