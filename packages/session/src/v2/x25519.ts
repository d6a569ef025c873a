/**
 * X25519 (RFC 7748) for session v2 (docs/SESSION.md §2): `node:crypto` where it is reachable
 * (about 35–65 µs per DH here), `@noble/curves` elsewhere (about 1 ms). Both give the same bytes;
 * the tests run the RFC vectors on each.
 *
 * Private keys stay raw 32-byte arrays that the caller can wipe. `node:crypto` gets each as a JWK,
 * once per array (the key object is cached beside the array): that string and OpenSSL's key
 * object are copies we cannot wipe, and they live until the garbage collector takes the array
 * (the noble backend keeps none). A received public key has its top bit masked (RFC 7748 §5), and an
 * all-zero shared secret (a low-order peer key, §6.1) is refused: `dh` returns `undefined`.
 */
import type * as NodeCrypto from 'node:crypto'
import { x25519 as nobleX25519 } from '@noble/curves/ed25519.js'
import { assertBytes } from '../assert.ts'
import { type RandomSource, systemRandom } from './random.ts'

/** Bytes of an X25519 key (private or public) and of a shared secret. */
const X25519_BYTES = 32

/** An X25519 key pair: raw 32-byte keys. Wipe `privateKey` when done. */
export interface X25519KeyPair {
  readonly privateKey: Uint8Array
  readonly publicKey: Uint8Array
}

/** One X25519 implementation. */
export interface X25519Backend {
  /** `'node'` or `'noble'`. */
  readonly name: string
  /** The public key of `privateKey` (32 bytes). */
  publicKey(privateKey: Uint8Array): Uint8Array
  /** The shared secret, or `undefined` when it is all zeros (a low-order `publicKey`). */
  dh(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array | undefined
}

/**
 * The `x` member of the JWK that imports a private key. OpenSSL derives the public key from `d`
 * and ignores `x`, which Node only requires to be present; importing as JWK costs about 25 µs
 * against about 300 µs as PKCS#8 DER. The RFC vectors in the tests hold this backend to it.
 */
const UNUSED_X = 'A'.repeat(43)

/** `publicKey` with its top bit cleared (RFC 7748 §5: implementations must mask it). */
function masked(publicKey: Uint8Array): Uint8Array {
  if ((publicKey[31] & 0x80) === 0) return publicKey
  const copy = publicKey.slice()
  copy[31] &= 0x7f
  return copy
}

function isZero(bytes: Uint8Array): boolean {
  let acc = 0
  for (const b of bytes) acc |= b
  return acc === 0
}

/** FNV-1a of the 32 key bytes: tells a cached key object from a key array that changed (or was wiped). */
function fingerprint(bytes: Uint8Array): number {
  let h = 0x811c9dc5
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193)
  return h >>> 0
}

function nodeBackend(c: typeof NodeCrypto): X25519Backend {
  const b64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64url')
  // A ratchet key takes part in two or three DHs: importing it once saves about 23 µs each time.
  // The cache is keyed by the array and checked against its bytes, so a wiped or rewritten array
  // is imported afresh; the key object goes when the array is collected.
  const imported = new WeakMap<Uint8Array, { readonly fp: number; readonly key: NodeCrypto.KeyObject }>()
  const privateKeyObject = (privateKey: Uint8Array): NodeCrypto.KeyObject => {
    const fp = fingerprint(privateKey)
    const cached = imported.get(privateKey)
    if (cached !== undefined && cached.fp === fp) return cached.key
    const key = c.createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: b64(privateKey), x: UNUSED_X }, format: 'jwk' })
    imported.set(privateKey, { fp, key })
    return key
  }
  return {
    name: 'node',
    publicKey(privateKey) {
      const x = c.createPublicKey(privateKeyObject(privateKey)).export({ format: 'jwk' }).x as string
      return new Uint8Array(Buffer.from(x, 'base64url'))
    },
    dh(privateKey, publicKey) {
      try {
        const secret = c.diffieHellman({
          privateKey: privateKeyObject(privateKey),
          publicKey: c.createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: b64(masked(publicKey)) }, format: 'jwk' }),
        })
        const out = new Uint8Array(secret)
        secret.fill(0)
        return isZero(out) ? undefined : out
      } catch {
        // OpenSSL refuses an all-zero result itself.
        return undefined
      }
    },
  }
}

/** The pure-TS backend (`@noble/curves`). */
const nobleX25519Backend: X25519Backend = {
  name: 'noble',
  publicKey: (privateKey) => nobleX25519.getPublicKey(privateKey),
  dh(privateKey, publicKey) {
    try {
      const out = nobleX25519.getSharedSecret(privateKey, masked(publicKey))
      return isZero(out) ? undefined : out
    } catch {
      // noble refuses an all-zero result itself.
      return undefined
    }
  },
}

let nodeX25519: X25519Backend | null | undefined

/** The `node:crypto` backend, or `undefined` where `node:crypto` is not reachable. */
function getNodeX25519Backend(): X25519Backend | undefined {
  if (nodeX25519 === undefined) {
    const builtin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule
    const c = typeof builtin === 'function' ? (builtin('node:crypto') as typeof NodeCrypto | undefined) : undefined
    nodeX25519 = c?.diffieHellman === undefined ? null : nodeBackend(c)
  }
  return nodeX25519 ?? undefined
}

/** The backend used by default: `node:crypto` where reachable, else noble. */
function defaultX25519Backend(): X25519Backend {
  return getNodeX25519Backend() ?? nobleX25519Backend
}

/** Every backend available here, noble first (what the tests iterate over). */
export function availableX25519Backends(): X25519Backend[] {
  const node = getNodeX25519Backend()
  return node === undefined ? [nobleX25519Backend] : [nobleX25519Backend, node]
}

/** A fresh key pair from `random` (32 bytes; X25519 clamps them itself). */
export function generateX25519(random: RandomSource = systemRandom, backend: X25519Backend = defaultX25519Backend()): X25519KeyPair {
  const privateKey = random(X25519_BYTES)
  assertBytes(privateKey, 'random(32)', X25519_BYTES)
  return { privateKey, publicKey: backend.publicKey(privateKey) }
}

/**
 * The X25519 shared secret of `privateKey` and `publicKey`, or `undefined` when it is all zeros
 * (a low-order `publicKey`: the handshake or record being processed is refused).
 * @throws {TypeError | RangeError} when a key is not 32 bytes
 */
export function x25519(privateKey: Uint8Array, publicKey: Uint8Array, backend: X25519Backend = defaultX25519Backend()): Uint8Array | undefined {
  assertBytes(privateKey, 'privateKey', X25519_BYTES)
  assertBytes(publicKey, 'publicKey', X25519_BYTES)
  return backend.dh(privateKey, publicKey)
}
