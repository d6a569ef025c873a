/**
 * geth's shh key methods over the node's {@link KeyStore}: key pairs and symmetric keys under
 * random ids. The Whisper service inherits them, so `node.services.shh.newKeyPair()` works as in
 * web3.js.
 */
import { TypedEventEmitter } from '@libp2p/interface'
import { KeyStore } from './key-store.ts'
import type { WhisperEvents } from './types.ts'

/** The shh key API; the base of the Whisper service. */
export class ShhKeyMethods extends TypedEventEmitter<WhisperEvents> {
  /** The key store behind the shh key methods. */
  readonly keys: KeyStore = new KeyStore()

  /** Generates a key pair; returns its id. */
  newKeyPair(): string {
    return this.keys.newKeyPair()
  }
  /** Stores a private key; returns its id. */
  addPrivateKey(privateKey: Uint8Array): string {
    return this.keys.addPrivateKey(privateKey)
  }
  /** Deletes (and zeroizes) a key pair. */
  deleteKeyPair(id: string): boolean {
    return this.keys.deleteKeyPair(id)
  }
  /** Whether a key pair exists. */
  hasKeyPair(id: string): boolean {
    return this.keys.hasKeyPair(id)
  }
  /** The public key of a key pair. @throws {KeyNotFoundError} */
  getPublicKey(id: string): Uint8Array {
    return this.keys.getPublicKey(id)
  }
  /** The private key of a key pair. @throws {KeyNotFoundError} */
  getPrivateKey(id: string): Uint8Array {
    return this.keys.getPrivateKey(id)
  }
  /** Generates a symmetric key; returns its id. */
  newSymKey(): string {
    return this.keys.newSymKey()
  }
  /** Stores a symmetric key; returns its id. */
  addSymKey(key: Uint8Array): string {
    return this.keys.addSymKey(key)
  }
  /** Derives a symmetric key from a password the geth way (PBKDF2, 65356 rounds); returns its id. */
  generateSymKeyFromPassword(password: string): string {
    return this.keys.addSymKeyFromPassword(password)
  }
  /**
   * {@link ShhKeyMethods.generateSymKeyFromPassword} without blocking the event loop (PBKDF2 on
   * another thread); the RPC's `shh_generateSymKeyFromPassword` uses it.
   * @throws {TypeError} when `password` is not a string
   */
  generateSymKeyFromPasswordAsync(password: string, options: { signal?: AbortSignal } = {}): Promise<string> {
    return this.keys.addSymKeyFromPasswordAsync(password, options)
  }
  /** Whether a symmetric key exists. */
  hasSymKey(id: string): boolean {
    return this.keys.hasSymKey(id)
  }
  /** A symmetric key. @throws {KeyNotFoundError} */
  getSymKey(id: string): Uint8Array {
    return this.keys.getSymKey(id)
  }
  /** Deletes (and zeroizes) a symmetric key. */
  deleteSymKey(id: string): boolean {
    return this.keys.deleteSymKey(id)
  }
}
