/**
 * The messenger's argument checks and the conversation id of an invitation.
 */
import { isValidPublicKey } from '@hush/envelope'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'

/** The conversation id of an invitation's `S_B`: the first 8 bytes of its SHA-256, hex. */
export function conversationId(staticKey: Uint8Array): string {
  return bytesToHex(sha256(staticKey).subarray(0, 8))
}

/**
 * A public key argument: `0x04` and 128 hex digits, a point on secp256k1.
 * @throws {TypeError | RangeError} naming `label`
 */
export function parseKey(publicKey: string, label: string): Uint8Array {
  if (typeof publicKey !== 'string' || !/^0x04[0-9a-fA-F]{128}$/.test(publicKey)) throw new TypeError(`${label} must be 0x and 130 hex digits (an uncompressed secp256k1 public key)`)
  const key = hexToBytes(publicKey.slice(2))
  if (!isValidPublicKey(key)) throw new RangeError(`${label} is not a point on secp256k1`)
  return key
}

/** @throws {TypeError} unless `password` is a non-empty string */
export function checkPassword(password: unknown): asserts password is string {
  if (typeof password !== 'string' || password.length === 0) throw new TypeError('password must be a non-empty string')
}

/** @throws {TypeError} unless `name` is a string of 1–256 characters */
export function checkName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 256) throw new TypeError('name must be a string of 1–256 characters')
}
