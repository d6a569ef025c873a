/**
 * AES-256-GCM for session v2 (docs/SESSION.md §2): `SEAL`/`OPEN` with an explicit 12-byte nonce
 * and associated data, and the header layout `ct ‖ tag(16) ‖ nonce(12)` (Whisper's symmetric
 * layout) with a random nonce and no associated data. `node:crypto` where reachable, else
 * `@noble/ciphers`; both give the same bytes.
 */
import type * as NodeCrypto from 'node:crypto'
import { gcm } from '@noble/ciphers/aes.js'
import { assertBytes } from '../assert.ts'
import type { RandomSource } from './random.ts'

/** Bytes of an AES-256-GCM key. */
const AEAD_KEY_BYTES = 32
/** Bytes of an AES-256-GCM nonce. */
const AEAD_NONCE_BYTES = 12
/** Bytes of an AES-256-GCM tag. */
const AEAD_TAG_BYTES = 16

type Seal = (key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array) => Uint8Array
type Open = (key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array) => Uint8Array | undefined

function nodeAead(c: typeof NodeCrypto): { seal: Seal; open: Open } {
  return {
    seal(key, nonce, aad, plaintext) {
      const cipher = c.createCipheriv('aes-256-gcm', key, nonce, { authTagLength: AEAD_TAG_BYTES })
      if (aad.length > 0) cipher.setAAD(aad)
      const out = new Uint8Array(plaintext.length + AEAD_TAG_BYTES)
      out.set(cipher.update(plaintext), 0)
      cipher.final()
      out.set(cipher.getAuthTag(), plaintext.length)
      return out
    },
    open(key, nonce, aad, sealed) {
      if (sealed.length < AEAD_TAG_BYTES) return undefined
      const end = sealed.length - AEAD_TAG_BYTES
      const decipher = c.createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: AEAD_TAG_BYTES })
      decipher.setAuthTag(sealed.subarray(end))
      if (aad.length > 0) decipher.setAAD(aad)
      const out = decipher.update(sealed.subarray(0, end))
      try {
        decipher.final()
      } catch {
        out.fill(0)
        return undefined
      }
      return new Uint8Array(out)
    },
  }
}

const nobleAead: { seal: Seal; open: Open } = {
  seal: (key, nonce, aad, plaintext) => gcm(key, nonce, aad).encrypt(plaintext),
  open(key, nonce, aad, sealed) {
    try {
      return gcm(key, nonce, aad).decrypt(sealed)
    } catch {
      return undefined
    }
  },
}

let chosen: { seal: Seal; open: Open } | undefined

function aead(): { seal: Seal; open: Open } {
  if (chosen === undefined) {
    const builtin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule
    const c = typeof builtin === 'function' ? (builtin('node:crypto') as typeof NodeCrypto | undefined) : undefined
    chosen = c?.createCipheriv === undefined ? nobleAead : nodeAead(c)
  }
  return chosen
}

/** The backends available here, noble first, for tests that compare them. */
export function availableAeads(): Array<{ name: string; seal: Seal; open: Open }> {
  const own = aead()
  return own === nobleAead ? [{ name: 'noble', ...nobleAead }] : [{ name: 'noble', ...nobleAead }, { name: 'node', ...own }]
}

/**
 * `SEAL(key, nonce, aad, plaintext)`: AES-256-GCM, returns `ciphertext ‖ tag(16)`.
 * @throws {TypeError | RangeError} when the key or nonce has the wrong length
 */
export function seal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
  assertBytes(key, 'key', AEAD_KEY_BYTES)
  assertBytes(nonce, 'nonce', AEAD_NONCE_BYTES)
  assertBytes(aad, 'aad')
  assertBytes(plaintext, 'plaintext')
  return aead().seal(key, nonce, aad, plaintext)
}

/**
 * `OPEN`: the plaintext of `sealed` (`ciphertext ‖ tag`), or `undefined` when the tag does not
 * verify (wrong key, nonce, associated data or bytes).
 * @throws {TypeError | RangeError} when the key or nonce has the wrong length
 */
export function open(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array | undefined {
  assertBytes(key, 'key', AEAD_KEY_BYTES)
  assertBytes(nonce, 'nonce', AEAD_NONCE_BYTES)
  assertBytes(aad, 'aad')
  assertBytes(sealed, 'sealed')
  return aead().open(key, nonce, aad, sealed)
}

/** Bytes the header layout adds to a plaintext: tag and nonce. */
const HEADER_AEAD_OVERHEAD: number = AEAD_TAG_BYTES + AEAD_NONCE_BYTES

/**
 * Seals `plaintext` in the header layout `ct ‖ tag(16) ‖ nonce(12)`, with a nonce from `random`
 * and no associated data (docs/SESSION.md §2).
 */
export function sealHeader(key: Uint8Array, plaintext: Uint8Array, random: RandomSource): Uint8Array {
  const nonce = random(AEAD_NONCE_BYTES)
  const sealed = seal(key, nonce, EMPTY, plaintext)
  const out = new Uint8Array(sealed.length + AEAD_NONCE_BYTES)
  out.set(sealed)
  out.set(nonce, sealed.length)
  return out
}

/** Opens the header layout (see {@link sealHeader}); `undefined` when it does not authenticate. */
export function openHeader(key: Uint8Array, sealed: Uint8Array): Uint8Array | undefined {
  assertBytes(sealed, 'sealed')
  if (sealed.length < HEADER_AEAD_OVERHEAD) return undefined
  const end = sealed.length - AEAD_NONCE_BYTES
  return open(key, sealed.subarray(end), EMPTY, sealed.subarray(0, end))
}

const EMPTY = new Uint8Array(0)
