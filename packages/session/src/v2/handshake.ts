/**
 * The session v2 handshake, message 1 (docs/SESSION.md §5.1–5.3): Noise IK with the invitation's
 * one-time key `I` added, and no signature (authentication is by DH only, §14.3).
 *
 * ```
 * pre-messages:  <- s, i                                   (S_B and I, from the invitation)
 * message 1:     -> e, es, ei, s, ss, payload              (A to B, on T)
 * msg1 = SEAL_hdr(k_rdv, e_A ‖ 0×8) (68) ‖ c_s (48) ‖ c_p (224)   = 340 bytes
 * ```
 *
 * The joiner builds msg1 with {@link buildMessage1}; the inviter opens it with
 * {@link openMessage1}, which returns a rejection reason instead of throwing on hostile bytes.
 * Both wipe every DH output and every key they derive but do not return.
 */
import { equalBytes } from '@noble/ciphers/utils.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { assertBytes, assertInt, wipe } from '../assert.ts'
import { InvalidInvitationError } from '../errors.ts'
import { openHeader, sealHeader } from './aead.ts'
import { decodeInitFrame, encodeInitFrame } from './init-frame.ts'
import { type Invitation, type PendingInvitation, invitationBody } from './invitation.ts'
import {
  type SplitKeys,
  type SymmetricState,
  decryptAndHash,
  encryptAndHash,
  initialState,
  mixHash,
  mixKey,
  rendezvousKey,
  split,
} from './key-schedule.ts'
import { type RandomSource, systemRandom } from './random.ts'
import { type X25519Backend, type X25519KeyPair, generateX25519, x25519 } from './x25519.ts'

/** Bytes of msg1, the size of a smallest-class record (§5.2, `MSG1_BYTES`). */
const MSG1_BYTES = 340
const KEY_BYTES = 32
/** The outer plaintext: `e_A.pub(32) ‖ zero(8)`. */
const OUTER_PLAIN_BYTES = 40
/** msg1 offsets (§5.2): outer `[0..68)`, `c_s` `[68..116)`, `c_p` `[116..340)`. */
const OUTER_END = 68
const STATIC_END = 116

/** Options of {@link buildMessage1}. */
export interface BuildMessage1Init {
  /** The parsed invitation (§4.2; `parseInvitation` has checked it). */
  readonly invitation: Invitation
  /** The joiner's static key pair `S_A` (per-contact or account, §4.3). */
  readonly staticKey: X25519KeyPair
  /** The joiner's clock at `join`, unix milliseconds: sent in the init frame (§8.3). */
  readonly createdAtMs: number
  /** Draws `e_A` (32 bytes), then the outer nonce (12 bytes). @default systemRandom */
  readonly random?: RandomSource
  /** @default node:crypto where reachable, else noble */
  readonly x25519?: X25519Backend
}

/** What the joiner gets from {@link buildMessage1}: msg1 and what its ratchet starts from (§6.2). */
export interface BuiltMessage1 {
  /** The 340 bytes to post on `T`, and to post again unchanged (§5.5). */
  readonly msg1: Uint8Array
  /** The `Split` outputs and `AD`. */
  readonly keys: SplitKeys
  /** `e_A`: its private key is needed for A's mirror of `KDF_RK_FIRST` (§6.3), then wiped. */
  readonly ephemeralKey: X25519KeyPair
  /** `S_A`, as given. */
  readonly staticKey: X25519KeyPair
}

/**
 * Builds message 1 at the joiner (§5.1 steps 2–8).
 * @example
 * const invitation = parseInvitation(uri, Date.now())
 * const { msg1, keys, ephemeralKey } = buildMessage1({ invitation, staticKey: generateX25519(), createdAtMs: Date.now() })
 * @throws {InvalidInvitationError} when `I` or `S_B` is a low-order key (a DH output is zero),
 * `S_B` is the joiner's own static key, or `createdAtMs` is after the expiry
 * @throws {TypeError | RangeError} when an argument has the wrong type or length
 */
export function buildMessage1(init: BuildMessage1Init): BuiltMessage1 {
  const { invitation, staticKey, createdAtMs, random = systemRandom, x25519: backend } = init
  assertBytes(staticKey.privateKey, 'staticKey.privateKey', KEY_BYTES)
  assertBytes(staticKey.publicKey, 'staticKey.publicKey', KEY_BYTES)
  assertInt(createdAtMs, 'createdAtMs')
  const body = invitationBody(invitation)
  if (equalBytes(staticKey.publicKey, invitation.staticKey)) throw new InvalidInvitationError("the invitation's static key is our own")
  if (createdAtMs > invitation.expirySeconds * 1000) throw new InvalidInvitationError('the invitation has expired')

  const state = initialState()
  const ephemeralKey = generateX25519(random, backend)
  const secrets: Array<Uint8Array | undefined> = []
  try {
    bindPrologue(state, body, invitation)
    mixHash(state, ephemeralKey.publicKey)
    const es = x25519(ephemeralKey.privateKey, invitation.staticKey, backend)
    const ei = x25519(ephemeralKey.privateKey, invitation.oneTimeKey, backend)
    const ss = x25519(staticKey.privateKey, invitation.staticKey, backend)
    secrets.push(es, ei, ss)
    if (es === undefined || ei === undefined || ss === undefined) throw new InvalidInvitationError('the invitation holds a low-order key')
    mixKey(state, es)
    mixKey(state, ei)
    const cs = encryptAndHash(state, staticKey.publicKey)
    mixKey(state, ss)
    const cp = encryptAndHash(state, encodeInitFrame(createdAtMs))

    const outerPlain = new Uint8Array(OUTER_PLAIN_BYTES)
    outerPlain.set(ephemeralKey.publicKey)
    const rdv = rendezvousKey(body)
    secrets.push(rdv)
    const outer = sealHeader(rdv, outerPlain, random)

    const msg1 = new Uint8Array(MSG1_BYTES)
    msg1.set(outer)
    msg1.set(cs, OUTER_END)
    msg1.set(cp, STATIC_END)
    return { msg1, keys: split(state), ephemeralKey, staticKey }
  } catch (err) {
    wipe(ephemeralKey.privateKey)
    throw err
  } finally {
    wipe(...secrets, state.ck, state.k, state.h)
  }
}

/** Why the inviter refused a msg1 (§5.3; counted in `stats.rejected`). */
export type Message1RejectReason =
  /** The data is not 340 bytes. */
  | 'size'
  /** The outer layer does not open under `k_rdv`, or its 8 reserved bytes are not zero. */
  | 'outer'
  /** `e_A` or `S_A` is a low-order key: a DH output is zero. */
  | 'low-order'
  /** `c_s` does not open (not made with `I` and `S_B`, or tampered), or `S_A` is not canonically encoded. */
  | 'static'
  /** `S_A = S_B`: the joiner claims the inviter's own static key. */
  | 'own-static'
  /** `c_p` does not open: the sender does not hold `S_A`'s private key (or tampered). */
  | 'payload'
  /** The init frame does not decode strictly, or `createdAtMs` is after the expiry. */
  | 'init-frame'

/** What the inviter learns from a msg1 that authenticates (§5.3). */
export interface OpenedMessage1 {
  /** The joiner's static public key `S_A`: the session's peer identity (safety number, §13). */
  readonly peerStaticKey: Uint8Array
  /** `e_A`, for `KDF_RK_FIRST`'s `DH(B1, e_A)` (§6.3). */
  readonly peerEphemeralKey: Uint8Array
  /** The joiner's clock at `join`, from the init frame: where catch-up starts (§5.3 step 6). */
  readonly createdAtMs: number
  /** The `Split` outputs and `AD`. */
  readonly keys: SplitKeys
  /** `SHA-256(msg1)`: the consumed invitation's tombstone recognises A's resends by it (§5.4). */
  readonly initHash: Uint8Array
}

/** Options of {@link openMessage1}. */
export interface OpenMessage1Options {
  /** @default node:crypto where reachable, else noble */
  readonly x25519?: X25519Backend
}

/**
 * Opens message 1 at the inviter (§5.3 steps 1–4, up to and including `Split`). Every check
 * passes, or the reason of the first that fails is returned: hostile bytes never throw, and
 * `pending` is never changed.
 *
 * This does **not** consume the invitation and does not wipe `I`'s private key: the caller makes
 * the consumption durable first (tombstone with `initHash`, §5.4 and §12.3) and only then wipes
 * `pending.oneTimePrivateKey`. Nor does it check the expiry against a clock: the caller deletes
 * expired invitations before any msg1 can reach them (§4.4).
 * @throws {TypeError | RangeError} when `msg1` is not a Uint8Array or a key of `pending` has the
 * wrong length
 */
export function openMessage1(pending: PendingInvitation, msg1: Uint8Array, options: OpenMessage1Options = {}): OpenedMessage1 | Message1RejectReason {
  assertBytes(msg1, 'msg1')
  assertBytes(pending.oneTimePrivateKey, 'pending.oneTimePrivateKey', KEY_BYTES)
  assertBytes(pending.staticPrivateKey, 'pending.staticPrivateKey', KEY_BYTES)
  const { invitation } = pending
  const body = invitationBody(invitation)
  if (msg1.length !== MSG1_BYTES) return 'size'

  const backend = options.x25519
  const peerEphemeralKey = openOuter(body, msg1)
  if (peerEphemeralKey === undefined) return 'outer'

  const state = initialState()
  const secrets: Array<Uint8Array | undefined> = []
  try {
    bindPrologue(state, body, invitation)
    mixHash(state, peerEphemeralKey)
    const es = x25519(pending.staticPrivateKey, peerEphemeralKey, backend)
    const ei = x25519(pending.oneTimePrivateKey, peerEphemeralKey, backend)
    secrets.push(es, ei)
    if (es === undefined || ei === undefined) return 'low-order'
    mixKey(state, es)
    mixKey(state, ei)
    const peerStaticKey = decryptAndHash(state, msg1.subarray(OUTER_END, STATIC_END))
    if (peerStaticKey === undefined) return 'static'
    if (equalBytes(peerStaticKey, invitation.staticKey)) return 'own-static'
    const ss = x25519(pending.staticPrivateKey, peerStaticKey, backend)
    secrets.push(ss)
    if (ss === undefined) return 'low-order'
    // X25519 ignores the top bit and reduces mod p, so one key has several encodings: only the
    // canonical one is taken, or the parties would compute different safety numbers.
    if (!isCanonicalKey(peerStaticKey)) return 'static'
    mixKey(state, ss)
    const frame = decryptAndHash(state, msg1.subarray(STATIC_END))
    if (frame === undefined) return 'payload'
    const createdAtMs = initFrameTime(frame)
    if (createdAtMs === undefined || createdAtMs > invitation.expirySeconds * 1000) return 'init-frame'
    return { peerStaticKey, peerEphemeralKey, createdAtMs, keys: split(state), initHash: sha256(msg1) }
  } finally {
    wipe(...secrets, state.ck, state.k, state.h)
  }
}

/**
 * Whether `data` is a message 1 made from `invitation` (§5.3 steps 1–2): 340 bytes whose outer
 * layer opens under `k_rdv` with its reserved bytes zero. Only someone who holds the invitation
 * can make one, and no private key is needed to tell: a consumed invitation's tombstone
 * recognises a second join of it so (§5.4). One HKDF and one AES-GCM.
 * @throws {TypeError} when `data` is not a Uint8Array
 */
export function isMessage1For(invitation: Invitation, data: Uint8Array): boolean {
  assertBytes(data, 'data')
  return data.length === MSG1_BYTES && openOuter(invitationBody(invitation), data) !== undefined
}

/** msg1's outer layer (§5.1 step 6) opened under `k_rdv`: `e_A`, or `undefined` when it does not open or its reserved bytes are not zero. */
function openOuter(body: Uint8Array, msg1: Uint8Array): Uint8Array | undefined {
  const rdv = rendezvousKey(body)
  const outerPlain = openHeader(rdv, msg1.subarray(0, OUTER_END))
  wipe(rdv)
  if (outerPlain === undefined || !isZero(outerPlain.subarray(KEY_BYTES))) return undefined
  return outerPlain.slice(0, KEY_BYTES)
}

/** §5.1 step 2: `MixHash(body)`, `MixHash(S_B)`, `MixHash(I)`. */
function bindPrologue(state: SymmetricState, body: Uint8Array, invitation: Invitation): void {
  mixHash(state, body)
  mixHash(state, invitation.staticKey)
  mixHash(state, invitation.oneTimeKey)
}

/** `createdAtMs` of a strictly valid init frame, else `undefined`. */
function initFrameTime(frame: Uint8Array): number | undefined {
  try {
    return decodeInitFrame(frame)
  } catch {
    return undefined
  }
}

/**
 * Whether a 32-byte X25519 public key is in canonical form: the little-endian value is below
 * p = 2^255 − 19 (which also means the top bit is clear).
 */
function isCanonicalKey(key: Uint8Array): boolean {
  if ((key[31] & 0x80) !== 0) return false
  if (key[31] !== 0x7f) return true
  for (let i = 30; i >= 1; i--) if (key[i] !== 0xff) return true
  return key[0] < 0xed
}

function isZero(bytes: Uint8Array): boolean {
  let acc = 0
  for (const b of bytes) acc |= b
  return acc === 0
}
