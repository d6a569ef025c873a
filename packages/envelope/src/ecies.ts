/**
 * Whisper asymmetric encryption: geth's ECIES on secp256k1 with `ECIES_AES128_SHA256` and no
 * shared info (spec §5.5).
 *
 * ```
 * R(65, 0x04 ‖ X ‖ Y) ‖ iv(16) ‖ AES-128-CTR(Ke, iv, m) ‖ HMAC-SHA-256(Km, iv ‖ c)(32)
 * z = X(r·K); Ke ‖ k2 = concatKDF-SHA-256(z, 32 bytes); Km = SHA-256(k2)
 * ```
 */
import { equalBytes } from '@noble/ciphers/utils.js'
import { getPublicKey as nobleGetPublicKey } from '@noble/secp256k1'
import { assertBytes } from './assert.ts'
import { type CryptoBackend, type CryptoOptions, defaultCryptoBackend } from './backend.ts'
import {
  ECIES_AES_KEY_LENGTH_BYTES,
  ECIES_IV_LENGTH_BYTES,
  ECIES_MAC_LENGTH_BYTES,
  ECIES_OVERHEAD_BYTES,
  PUBLIC_KEY_LENGTH_BYTES,
} from './constants.ts'
import { DecryptionError } from './errors.ts'
import { assertPrivateKey, assertPublicKey, generatePrivateKey } from './keys.ts'
import { randomBytes } from './random.ts'

const EMPTY = new Uint8Array(0)

/**
 * NIST SP 800-56 concatenation KDF with SHA-256, as geth's `concatKDF`: blocks
 * `SHA-256(uint32_be(i) ‖ z ‖ s1)` for i = 1, 2, … truncated to `lengthBytes`.
 */
export function concatKdf(z: Uint8Array, s1: Uint8Array, lengthBytes: number, backend: CryptoBackend): Uint8Array {
  const out = new Uint8Array(lengthBytes)
  const input = new Uint8Array(4 + z.length + s1.length)
  input.set(z, 4)
  input.set(s1, 4 + z.length)
  for (let counter = 1, pos = 0; pos < lengthBytes; counter++, pos += 32) {
    new DataView(input.buffer).setUint32(0, counter)
    const block = backend.sha256(input)
    out.set(block.subarray(0, Math.min(32, lengthBytes - pos)), pos)
  }
  return out
}

/** Ke (16-byte AES key) and Km (32-byte HMAC key) from the shared X coordinate. */
function deriveKeys(z: Uint8Array, backend: CryptoBackend): { ke: Uint8Array; km: Uint8Array } {
  const k = concatKdf(z, EMPTY, 2 * ECIES_AES_KEY_LENGTH_BYTES, backend)
  return { ke: k.subarray(0, ECIES_AES_KEY_LENGTH_BYTES), km: backend.sha256(k.subarray(ECIES_AES_KEY_LENGTH_BYTES)) }
}

/**
 * Encrypts `plaintext` to a recipient's public key with a fresh ephemeral key and IV.
 * Output length is `plaintext.length + 113`.
 * @throws {TypeError | RangeError} when `publicKey` is not a 65-byte uncompressed secp256k1 point
 * @example
 * ```ts
 * const data = encryptAsymmetric(wrapPayload({ payload }), recipientPublicKey)
 * ```
 */
export function encryptAsymmetric(plaintext: Uint8Array, publicKey: Uint8Array, options: CryptoOptions = {}): Uint8Array {
  assertBytes(plaintext, 'plaintext')
  assertPublicKey(publicKey, 'publicKey')
  const backend = options.backend ?? defaultCryptoBackend()
  const ephemeral = generatePrivateKey()
  const z = backend.ecdhX(ephemeral, publicKey)
  if (z === undefined) throw new RangeError('publicKey is not a valid secp256k1 point')
  const { ke, km } = deriveKeys(z, backend)
  const out = new Uint8Array(plaintext.length + ECIES_OVERHEAD_BYTES)
  out.set(nobleGetPublicKey(ephemeral, false), 0)
  const ivStart = PUBLIC_KEY_LENGTH_BYTES
  const ctStart = ivStart + ECIES_IV_LENGTH_BYTES
  const iv = randomBytes(ECIES_IV_LENGTH_BYTES)
  out.set(iv, ivStart)
  out.set(backend.aes128Ctr(ke, iv, plaintext), ctStart)
  const macStart = ctStart + plaintext.length
  out.set(backend.hmacSha256(km, out.subarray(ivStart, macStart)), macStart)
  return out
}

/**
 * Decrypts geth ECIES data with the recipient's private key. The tag is checked in constant
 * time before anything is decrypted.
 * @throws {DecryptionError} when `data` is shorter than 113 bytes, its ephemeral key is not an
 *   uncompressed point on the curve, or the tag does not verify (wrong key, tampered data)
 * @throws {TypeError | RangeError} when `privateKey` is not a valid private key
 */
export function decryptAsymmetric(data: Uint8Array, privateKey: Uint8Array, options: CryptoOptions = {}): Uint8Array {
  assertBytes(data, 'data')
  assertPrivateKey(privateKey, 'privateKey')
  // geth only requires 65 + 32 + 1 bytes and can then panic; we require IV and tag (spec §5.5).
  if (data.length < ECIES_OVERHEAD_BYTES) {
    throw new DecryptionError(`ECIES data of ${data.length} bytes is shorter than ${ECIES_OVERHEAD_BYTES}`)
  }
  if (data[0] !== 0x04) throw new DecryptionError('ECIES ephemeral key is not an uncompressed point')
  const backend = options.backend ?? defaultCryptoBackend()
  const z = backend.ecdhX(privateKey, data.subarray(0, PUBLIC_KEY_LENGTH_BYTES))
  if (z === undefined) throw new DecryptionError('ECIES ephemeral key is not on the curve')
  const { ke, km } = deriveKeys(z, backend)
  const ivStart = PUBLIC_KEY_LENGTH_BYTES
  const ctStart = ivStart + ECIES_IV_LENGTH_BYTES
  const macStart = data.length - ECIES_MAC_LENGTH_BYTES
  const expected = backend.hmacSha256(km, data.subarray(ivStart, macStart))
  if (!equalBytes(expected, data.subarray(macStart))) throw new DecryptionError('ECIES tag does not verify')
  return backend.aes128Ctr(ke, data.subarray(ivStart, ctStart), data.subarray(ctStart, macStart))
}
