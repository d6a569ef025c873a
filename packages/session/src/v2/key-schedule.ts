/**
 * The session v2 key schedule (docs/SESSION.md §3): every derivation and its label, as pure
 * functions, plus the handshake's symmetric state (`MixHash`, `MixKey`, `EncryptAndHash`,
 * `DecryptAndHash`, `Split`). SHA-256, HMAC-SHA-256 and HKDF-SHA-256 (RFC 5869) from
 * `@noble/hashes`; AES-256-GCM from `aead.ts`. Every function that replaces a secret wipes the
 * one it replaced; outputs are fresh arrays the caller owns (and wipes).
 */
import { expand, hkdf } from '@noble/hashes/hkdf.js'
import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { utf8ToBytes } from '@noble/hashes/utils.js'
import { assertBytes, wipe } from '../assert.ts'
import { open, seal } from './aead.ts'

/** The labels of every derivation (the `info` strings of HKDF, and the protocol name). */
export const LABELS: {
  readonly handshake: 'hush/session/v2/handshake'
  readonly rendezvous: 'hush/session/v2/rendezvous'
  readonly mixKey: 'hush/session/v2/mix-key'
  readonly split: 'hush/session/v2/split'
  readonly ratchet: 'hush/session/v2/ratchet'
  readonly ratchetFirst: 'hush/session/v2/ratchet-first'
  readonly headerKey: 'hush/session/v2/header-key'
  readonly topic: 'hush/session/v2/topic'
} = {
  handshake: 'hush/session/v2/handshake',
  rendezvous: 'hush/session/v2/rendezvous',
  mixKey: 'hush/session/v2/mix-key',
  split: 'hush/session/v2/split',
  ratchet: 'hush/session/v2/ratchet',
  ratchetFirst: 'hush/session/v2/ratchet-first',
  headerKey: 'hush/session/v2/header-key',
  topic: 'hush/session/v2/topic',
}

/** Bytes of every key, chain key, seed and hash of the schedule. */
const SECRET_BYTES = 32

const INFO = {
  rendezvous: utf8ToBytes(LABELS.rendezvous),
  mixKey: utf8ToBytes(LABELS.mixKey),
  split: utf8ToBytes(LABELS.split),
  ratchet: utf8ToBytes(LABELS.ratchet),
  ratchetFirst: utf8ToBytes(LABELS.ratchetFirst),
  headerKey: utf8ToBytes(LABELS.headerKey),
  topic: utf8ToBytes(LABELS.topic),
}
const EMPTY = new Uint8Array(0)
const MESSAGE_KEY_INPUT = Uint8Array.of(0x01)
const CHAIN_KEY_INPUT = Uint8Array.of(0x02)

/** `h0 = SHA-256("hush/session/v2/handshake")`, the initial handshake hash and chaining key. */
export function protocolHash(): Uint8Array {
  return sha256(utf8ToBytes(LABELS.handshake))
}

/** `k_rdv = HKDF(salt = empty, ikm = invitation body, info = rendezvous, 32)`: seals msg1's outer layer. */
export function rendezvousKey(invitationBody: Uint8Array): Uint8Array {
  assertBytes(invitationBody, 'invitationBody')
  return hkdf(sha256, invitationBody, undefined, INFO.rendezvous, SECRET_BYTES)
}

/** Splits `okm` into fresh `SECRET_BYTES` parts and wipes it. */
function parts(okm: Uint8Array, count: number): Uint8Array[] {
  const out: Uint8Array[] = []
  for (let i = 0; i < count; i++) out.push(okm.slice(i * SECRET_BYTES, (i + 1) * SECRET_BYTES))
  wipe(okm)
  return out
}

/** The handshake's symmetric state (Noise's): transcript hash, chaining key, and the current key. */
export interface SymmetricState {
  /** The handshake hash `h`. */
  h: Uint8Array
  /** The chaining key `ck`. */
  ck: Uint8Array
  /** The key of `EncryptAndHash`, set by the first `MixKey`. */
  k: Uint8Array | undefined
  /** Its nonce counter. */
  n: number
}

/** A fresh symmetric state: `h = ck = h0`, no key. */
export function initialState(): SymmetricState {
  const h0 = protocolHash()
  return { h: h0, ck: h0.slice(), k: undefined, n: 0 }
}

/** `MixHash(x)`: `h = SHA-256(h ‖ x)`. */
export function mixHash(state: SymmetricState, x: Uint8Array): void {
  assertBytes(x, 'x')
  state.h = sha256.create().update(state.h).update(x).digest()
}

/** `MixKey(dh)`: `ck ‖ k = HKDF(salt = ck, ikm = dh, info = mix-key, 64)`, `n = 0`; wipes the old `ck` and `k`. */
export function mixKey(state: SymmetricState, dh: Uint8Array): void {
  assertBytes(dh, 'dh')
  const [ck, k] = parts(hkdf(sha256, dh, state.ck, INFO.mixKey, 2 * SECRET_BYTES), 2)
  wipe(state.ck, state.k)
  state.ck = ck
  state.k = k
  state.n = 0
}

/** The AEAD nonce of handshake message `n`: `0x00000000 ‖ u64(n)`. */
function handshakeNonce(n: number): Uint8Array {
  const nonce = new Uint8Array(12)
  new DataView(nonce.buffer).setBigUint64(4, BigInt(n))
  return nonce
}

/**
 * `EncryptAndHash(p)`: `c = SEAL(k, 0x00000000 ‖ u64(n), aad = h, p)`, `n += 1`, `MixHash(c)`.
 * @throws {RangeError} before the first `MixKey` (there is no key)
 */
export function encryptAndHash(state: SymmetricState, plaintext: Uint8Array): Uint8Array {
  if (state.k === undefined) throw new RangeError('state has no key yet: MixKey first')
  const c = seal(state.k, handshakeNonce(state.n), state.h, plaintext)
  state.n++
  mixHash(state, c)
  return c
}

/**
 * `DecryptAndHash(c)`: the inverse of {@link encryptAndHash}. Returns `undefined`, with the state
 * unchanged, when `c` does not authenticate.
 * @throws {RangeError} before the first `MixKey`
 */
export function decryptAndHash(state: SymmetricState, ciphertext: Uint8Array): Uint8Array | undefined {
  if (state.k === undefined) throw new RangeError('state has no key yet: MixKey first')
  const p = open(state.k, handshakeNonce(state.n), state.h, ciphertext)
  if (p === undefined) return undefined
  state.n++
  mixHash(state, ciphertext)
  return p
}

/** What `Split` gives both parties (docs/SESSION.md §3, §6.2). */
export interface SplitKeys {
  /** The first root key `RK0`. */
  readonly rootKey: Uint8Array
  /** The joiner's first sending chain key `CK_A1`. */
  readonly chainA1: Uint8Array
  /** The seeds of the joiner's first two chains and of the inviter's first chain. */
  readonly seedA1: Uint8Array
  readonly seedA2: Uint8Array
  readonly seedB1: Uint8Array
  /** The handshake hash after message 1: every record's associated data. */
  readonly ad: Uint8Array
}

/**
 * `Split`: `RK0 ‖ CK_A1 ‖ SD_A1 ‖ SD_A2 ‖ SD_B1 = HKDF(salt = ck, ikm = empty, info = split, 160)`,
 * `AD = h`. Wipes the state's `ck` and `k`: the handshake is over.
 */
export function split(state: SymmetricState): SplitKeys {
  const [rootKey, chainA1, seedA1, seedA2, seedB1] = parts(hkdf(sha256, EMPTY, state.ck, INFO.split, 5 * SECRET_BYTES), 5)
  wipe(state.ck, state.k)
  state.k = undefined
  return { rootKey, chainA1, seedA1, seedA2, seedB1, ad: state.h.slice() }
}

/** Wipes every key of a Split, once the ratchet has its copies. */
export function wipeSplitKeys(keys: SplitKeys): void {
  wipe(keys.rootKey, keys.chainA1, keys.seedA1, keys.seedA2, keys.seedB1, keys.ad)
}

/** The output of a root-key step: the next root key, the new chain key, and the next chain's seed. */
export interface RootStep {
  readonly rootKey: Uint8Array
  readonly chainKey: Uint8Array
  readonly nextSeed: Uint8Array
}

/** `KDF_RK(RK, dh)`: `RK' ‖ CK ‖ NSD = HKDF(salt = RK, ikm = dh, info = ratchet, 96)`. */
export function kdfRk(rootKey: Uint8Array, dh: Uint8Array): RootStep {
  assertBytes(rootKey, 'rootKey', SECRET_BYTES)
  assertBytes(dh, 'dh', SECRET_BYTES)
  const [next, chainKey, nextSeed] = parts(hkdf(sha256, dh, rootKey, INFO.ratchet, 3 * SECRET_BYTES), 3)
  return { rootKey: next, chainKey, nextSeed }
}

/**
 * `KDF_RK_FIRST(RK, ee ‖ se)`: the inviter's first step and the joiner's mirror of it, with
 * `ikm = DH(B1, e_A) ‖ DH(B1, S_A)` and `info = ratchet-first`. Used once per session.
 */
export function kdfRkFirst(rootKey: Uint8Array, ee: Uint8Array, se: Uint8Array): RootStep {
  assertBytes(rootKey, 'rootKey', SECRET_BYTES)
  assertBytes(ee, 'ee', SECRET_BYTES)
  assertBytes(se, 'se', SECRET_BYTES)
  const ikm = new Uint8Array(2 * SECRET_BYTES)
  ikm.set(ee)
  ikm.set(se, SECRET_BYTES)
  const [next, chainKey, nextSeed] = parts(hkdf(sha256, ikm, rootKey, INFO.ratchetFirst, 3 * SECRET_BYTES), 3)
  wipe(ikm)
  return { rootKey: next, chainKey, nextSeed }
}

/** `KDF_CK(CK)`: the message key `mk = HMAC(CK, 0x01)` and the next chain key `CK' = HMAC(CK, 0x02)`. */
export function kdfCk(chainKey: Uint8Array): { messageKey: Uint8Array; chainKey: Uint8Array } {
  assertBytes(chainKey, 'chainKey', SECRET_BYTES)
  return { messageKey: hmac(sha256, chainKey, MESSAGE_KEY_INPUT), chainKey: hmac(sha256, chainKey, CHAIN_KEY_INPUT) }
}

/** `HK = EXPAND(SD, header-key, 32)`: a chain's header key, from its seed. */
export function headerKeyOf(seed: Uint8Array): Uint8Array {
  assertBytes(seed, 'seed', SECRET_BYTES)
  return expand(sha256, seed, INFO.headerKey, SECRET_BYTES)
}

/** `TOPIC = EXPAND(SD, topic, 4)`: a chain's 4-byte envelope topic, from its seed. */
export function chainTopicOf(seed: Uint8Array): Uint8Array {
  assertBytes(seed, 'seed', SECRET_BYTES)
  return expand(sha256, seed, INFO.topic, 4)
}
