/**
 * Key pairs and symmetric keys under random ids (geth: 32 random bytes as 64 hex digits, never
 * derived from key material), overwritten with zeros when deleted (design.md §6).
 */
import {
  SYMMETRIC_KEY_LENGTH_BYTES,
  generateKeyPair,
  generateSymKey,
  getPublicKey,
  isValidPrivateKey,
  symKeyFromPassword,
  symKeyFromPasswordAsync,
} from '@hush/envelope'
import { bytesToHex, randomBytes } from '@noble/hashes/utils.js'
import { KeyNotFoundError } from './errors.ts'

interface StoredKeyPair {
  privateKey: Uint8Array
  publicKey: Uint8Array
}

/** A new random key id: 64 lowercase hex digits. */
export function newKeyId(): string {
  return bytesToHex(randomBytes(32))
}

function checkId(id: unknown, label: string): asserts id is string {
  if (typeof id !== 'string') throw new TypeError(`${label} must be a string`)
}

/** The node's key store. All methods but the password derivation's async twin are synchronous; returned keys are copies. */
export class KeyStore {
  private readonly pairs = new Map<string, StoredKeyPair>()
  private readonly symKeys = new Map<string, Uint8Array>()
  /** Bumped by `clear()`, so a derivation that outlives it stores nothing. */
  private generation = 0

  /** Generates a key pair and returns its id. */
  newKeyPair(): string {
    const { privateKey, publicKey } = generateKeyPair()
    const id = newKeyId()
    this.pairs.set(id, { privateKey, publicKey })
    return id
  }

  /** Stores a copy of `privateKey` and returns its id. */
  addPrivateKey(privateKey: Uint8Array): string {
    if (!(privateKey instanceof Uint8Array)) throw new TypeError('privateKey must be a Uint8Array')
    if (!isValidPrivateKey(privateKey)) throw new RangeError('privateKey is not a valid secp256k1 private key')
    const id = newKeyId()
    const copy = privateKey.slice()
    this.pairs.set(id, { privateKey: copy, publicKey: getPublicKey(copy) })
    return id
  }

  /** Deletes and zeroizes a key pair; returns whether it existed. */
  deleteKeyPair(id: string): boolean {
    checkId(id, 'id')
    const pair = this.pairs.get(id)
    if (pair === undefined) return false
    pair.privateKey.fill(0)
    this.pairs.delete(id)
    return true
  }

  /** Whether a key pair with this id exists. */
  hasKeyPair(id: string): boolean {
    checkId(id, 'id')
    return this.pairs.has(id)
  }

  /** The 65-byte public key of a key pair. @throws {KeyNotFoundError} */
  getPublicKey(id: string): Uint8Array {
    return this.pair(id).publicKey.slice()
  }

  /** The 32-byte private key of a key pair. @throws {KeyNotFoundError} */
  getPrivateKey(id: string): Uint8Array {
    return this.pair(id).privateKey.slice()
  }

  /** Generates a symmetric key and returns its id. */
  newSymKey(): string {
    return this.storeSymKey(generateSymKey())
  }

  /** Stores a copy of a 32-byte symmetric key and returns its id. */
  addSymKey(key: Uint8Array): string {
    if (!(key instanceof Uint8Array)) throw new TypeError('key must be a Uint8Array')
    if (key.length !== SYMMETRIC_KEY_LENGTH_BYTES) throw new RangeError(`key must be ${SYMMETRIC_KEY_LENGTH_BYTES} bytes`)
    return this.storeSymKey(key.slice())
  }

  /** Derives a symmetric key from a password as geth does (PBKDF2-HMAC-SHA256, 65356 rounds) and returns its id. */
  addSymKeyFromPassword(password: string): string {
    if (typeof password !== 'string') throw new TypeError('password must be a string')
    return this.storeSymKey(symKeyFromPassword(password))
  }

  /**
   * {@link KeyStore.addSymKeyFromPassword} without blocking the event loop (the derivation runs on
   * another thread, or in slices): what a server answering many clients uses.
   * @throws {TypeError} when `password` is not a string
   * @throws the signal's reason when `options.signal` aborts, or an `AbortError` when the store is
   * cleared (the node stopped) before the key is ready; no key is stored then
   */
  async addSymKeyFromPasswordAsync(password: string, options: { signal?: AbortSignal } = {}): Promise<string> {
    if (typeof password !== 'string') throw new TypeError('password must be a string')
    const generation = this.generation
    const key = await symKeyFromPasswordAsync(password, options)
    if (generation !== this.generation) {
      key.fill(0)
      throw new DOMException('the key store was cleared while the key was derived', 'AbortError')
    }
    return this.storeSymKey(key)
  }

  /** Takes ownership of `key` (the caller keeps no reference) and returns its new id. */
  private storeSymKey(key: Uint8Array): string {
    const id = newKeyId()
    this.symKeys.set(id, key)
    return id
  }

  /** Whether a symmetric key with this id exists. */
  hasSymKey(id: string): boolean {
    checkId(id, 'id')
    return this.symKeys.has(id)
  }

  /** A copy of a symmetric key. @throws {KeyNotFoundError} */
  getSymKey(id: string): Uint8Array {
    return this.symKey(id).slice()
  }

  /** Deletes and zeroizes a symmetric key; returns whether it existed. */
  deleteSymKey(id: string): boolean {
    checkId(id, 'id')
    const key = this.symKeys.get(id)
    if (key === undefined) return false
    key.fill(0)
    this.symKeys.delete(id)
    return true
  }

  /** The stored key pair itself (not a copy), for the node's own use. @throws {KeyNotFoundError} */
  pair(id: string): { readonly privateKey: Uint8Array; readonly publicKey: Uint8Array } {
    checkId(id, 'id')
    const pair = this.pairs.get(id)
    if (pair === undefined) throw new KeyNotFoundError(`no key pair with id ${id}`)
    return pair
  }

  /** The stored symmetric key itself (not a copy), for the node's own use. @throws {KeyNotFoundError} */
  symKey(id: string): Uint8Array {
    checkId(id, 'id')
    const key = this.symKeys.get(id)
    if (key === undefined) throw new KeyNotFoundError(`no symmetric key with id ${id}`)
    return key
  }

  /** Zeroizes and forgets every key. */
  clear(): void {
    for (const pair of this.pairs.values()) pair.privateKey.fill(0)
    for (const key of this.symKeys.values()) key.fill(0)
    this.pairs.clear()
    this.symKeys.clear()
    this.generation++
  }
}
