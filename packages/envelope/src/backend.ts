/**
 * The crypto backend seam. Every symmetric primitive the payload crypto needs (SHA-256, HMAC,
 * AES-128-CTR, AES-256-GCM, PBKDF2) and secp256k1 ECDH go through a {@link CryptoBackend}.
 * Two exist: {@link nobleBackend} (pure TypeScript, runs everywhere) and the Node backend
 * ({@link getNodeBackend}), which calls `node:crypto` (OpenSSL) where it measured faster.
 * Both produce identical bytes; the test suite runs every vector and property against each.
 *
 * ECDSA signing, public-key recovery and public-key derivation always use noble: OpenSSL
 * has no recovery and noble's precomputed base-point multiplication beat it (see bench/README.md).
 */
import { nobleBackend } from './backend-noble.ts'
import { getNodeBackend } from './backend-node.ts'

/**
 * The primitives a backend provides. All return fresh, unpooled bytes; all are synchronous except
 * {@link CryptoBackend.pbkdf2Sha256Async}, the slow key derivation's twin for servers.
 */
export interface CryptoBackend {
  /** Short name for tables and test titles: `'noble'` or `'node'`. */
  readonly name: string
  /** SHA-256 of `data`. */
  sha256(data: Uint8Array): Uint8Array
  /** HMAC-SHA-256 of `data` under `key`. */
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array
  /** AES-128-CTR with a 16-byte initial counter block (128-bit big-endian increment); encrypts and decrypts. */
  aes128Ctr(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array
  /** AES-256-GCM seal without AAD: returns `ciphertext ‖ tag(16)`. */
  aes256GcmEncrypt(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array): Uint8Array
  /** AES-256-GCM open of `ciphertext ‖ tag(16)` without AAD; `undefined` when the tag does not verify. */
  aes256GcmDecrypt(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array): Uint8Array | undefined
  /**
   * secp256k1 ECDH: the 32-byte big-endian X coordinate of `privateKey · publicKey`;
   * `undefined` when `publicKey` is not a valid point.
   */
  ecdhX(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array | undefined
  /** PBKDF2-HMAC-SHA-256. */
  pbkdf2Sha256(password: Uint8Array, salt: Uint8Array, iterations: number, lengthBytes: number): Uint8Array
  /**
   * PBKDF2-HMAC-SHA-256 without blocking the event loop: on another thread (Node backend, libuv's
   * pool) or in ~10 ms slices between macrotasks (noble). Same bytes as {@link CryptoBackend.pbkdf2Sha256}.
   */
  pbkdf2Sha256Async(password: Uint8Array, salt: Uint8Array, iterations: number, lengthBytes: number): Promise<Uint8Array>
}

/** Per-call options of the crypto functions: which backend to use. */
export interface CryptoOptions {
  /**
   * The backend to run on.
   * @default the Node backend on Node.js (and runtimes with `process.getBuiltinModule`), else noble
   */
  backend?: CryptoBackend
}

export { nobleBackend, getNodeBackend }

let preferred: CryptoBackend | undefined

/**
 * The backend used when a call passes none: the Node backend where `node:crypto` is reachable,
 * noble elsewhere (browsers, workers without Node APIs). Resolved once.
 */
export function defaultCryptoBackend(): CryptoBackend {
  return (preferred ??= getNodeBackend() ?? nobleBackend)
}

/** Every backend available in this runtime, noble first: what tests and the bench iterate over. */
export function availableCryptoBackends(): CryptoBackend[] {
  const node = getNodeBackend()
  return node === undefined ? [nobleBackend] : [nobleBackend, node]
}
