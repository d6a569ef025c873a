/**
 * secp256k1 key pairs (65-byte uncompressed public keys, as Whisper uses them) and 32-byte
 * symmetric keys, including geth's password-derived key (spec §5.5–5.7).
 */
import { utf8ToBytes } from '@noble/hashes/utils.js'
import { Point, getPublicKey as nobleGetPublicKey, utils as secpUtils } from '@noble/secp256k1'
import { assertBytes } from './assert.ts'
import { type CryptoBackend, type CryptoOptions, defaultCryptoBackend } from './backend.ts'
import {
  PASSWORD_KEY_ITERATIONS,
  PRIVATE_KEY_LENGTH_BYTES,
  PUBLIC_KEY_LENGTH_BYTES,
  SYMMETRIC_KEY_LENGTH_BYTES,
} from './constants.ts'
import { randomBytes } from './random.ts'

/** A secp256k1 key pair: a 32-byte private key and its 65-byte uncompressed public key. */
export interface KeyPair {
  /** 32-byte big-endian scalar in [1, n − 1]. */
  readonly privateKey: Uint8Array
  /** 65 bytes: 0x04 ‖ X ‖ Y. */
  readonly publicKey: Uint8Array
}

/** A fresh random secp256k1 private key (32 bytes). */
export function generatePrivateKey(): Uint8Array {
  return secpUtils.randomSecretKey()
}

/**
 * A fresh random key pair, as geth's `shh_newKeyPair`.
 * @example
 * ```ts
 * const { privateKey, publicKey } = generateKeyPair()
 * ```
 */
export function generateKeyPair(): KeyPair {
  const privateKey = generatePrivateKey()
  return { privateKey, publicKey: getPublicKey(privateKey) }
}

/** Whether `privateKey` is 32 bytes encoding a scalar in [1, n − 1]. */
export function isValidPrivateKey(privateKey: Uint8Array): boolean {
  return privateKey instanceof Uint8Array && secpUtils.isValidSecretKey(privateKey)
}

/** Whether `publicKey` is a 65-byte uncompressed (0x04 ‖ X ‖ Y) point on secp256k1. */
export function isValidPublicKey(publicKey: Uint8Array): boolean {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_LENGTH_BYTES || publicKey[0] !== 0x04) {
    return false
  }
  try {
    Point.fromBytes(publicKey)
    return true
  } catch {
    return false
  }
}

/**
 * Throws unless `privateKey` is a valid secp256k1 private key.
 * @throws {TypeError | RangeError} naming `label`
 */
export function assertPrivateKey(privateKey: unknown, label: string): asserts privateKey is Uint8Array {
  assertBytes(privateKey, label, PRIVATE_KEY_LENGTH_BYTES)
  if (!secpUtils.isValidSecretKey(privateKey)) throw new RangeError(`${label} is not a valid secp256k1 private key`)
}

/**
 * Throws unless `publicKey` is a 65-byte uncompressed point on secp256k1.
 * @throws {TypeError | RangeError} naming `label`
 */
export function assertPublicKey(publicKey: unknown, label: string): asserts publicKey is Uint8Array {
  assertBytes(publicKey, label, PUBLIC_KEY_LENGTH_BYTES)
  if (!isValidPublicKey(publicKey)) throw new RangeError(`${label} is not an uncompressed secp256k1 public key`)
}

/**
 * The 65-byte uncompressed public key of `privateKey`.
 * @throws {TypeError | RangeError} when `privateKey` is not a valid private key
 */
export function getPublicKey(privateKey: Uint8Array): Uint8Array {
  assertPrivateKey(privateKey, 'privateKey')
  return nobleGetPublicKey(privateKey, false)
}

/** A fresh random 32-byte AES-256-GCM key, as geth's `shh_newSymKey`. */
export function generateSymKey(): Uint8Array {
  return randomBytes(SYMMETRIC_KEY_LENGTH_BYTES)
}

/**
 * geth's password key (`shh_generateSymKeyFromPassword`): PBKDF2-HMAC-SHA-256 of the UTF-8
 * password with an empty salt, 65356 iterations, 32 bytes (spec §5.7). Deliberately slow:
 * about 30 ms with the Node backend and several times that with noble.
 * @throws {TypeError} when `password` is not a string
 */
export function symKeyFromPassword(password: string, options: CryptoOptions = {}): Uint8Array {
  const backend = options.backend ?? defaultCryptoBackend()
  return backend.pbkdf2Sha256(...passwordKeyInputs(password))
}

/**
 * The PBKDF2 arguments of geth's password key, shared by the sync and async derivations.
 * @throws {TypeError} when `password` is not a string
 */
function passwordKeyInputs(password: string): [password: Uint8Array, salt: Uint8Array, iterations: number, lengthBytes: number] {
  if (typeof password !== 'string') throw new TypeError('password must be a string')
  return [utf8ToBytes(password), new Uint8Array(0), PASSWORD_KEY_ITERATIONS, SYMMETRIC_KEY_LENGTH_BYTES]
}

/** Options of {@link symKeyFromPasswordAsync}. */
export interface SymKeyFromPasswordOptions extends CryptoOptions {
  /** Checked before and after the derivation, which itself cannot be interrupted. */
  signal?: AbortSignal
}

/**
 * {@link symKeyFromPassword} without blocking the event loop, for servers (the RPC's
 * `shh_generateSymKeyFromPassword`): the Node backend derives on libuv's thread pool, noble in
 * ~10 ms slices between macrotasks. Same bytes as the sync function.
 * @throws {TypeError} when `password` is not a string (synchronously, before any work)
 * @throws the signal's reason (`AbortError`) when `options.signal` is aborted
 * @example
 * ```ts
 * const key = await symKeyFromPasswordAsync('correct horse', { signal })
 * ```
 */
export function symKeyFromPasswordAsync(password: string, options: SymKeyFromPasswordOptions = {}): Promise<Uint8Array> {
  const inputs = passwordKeyInputs(password) // throws before the promise exists
  return deriveAbortably(options.backend ?? defaultCryptoBackend(), inputs, options.signal)
}

async function deriveAbortably(backend: CryptoBackend, inputs: ReturnType<typeof passwordKeyInputs>, signal: AbortSignal | undefined): Promise<Uint8Array> {
  signal?.throwIfAborted()
  const key = await backend.pbkdf2Sha256Async(...inputs)
  if (signal?.aborted === true) {
    key.fill(0)
    signal.throwIfAborted()
  }
  return key
}
