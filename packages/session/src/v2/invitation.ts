/**
 * One-time invitations (docs/SESSION.md §4): the inviter's random rendezvous topic `T`, one-time
 * key `I`, static key `S_B` and expiry, as 78 bytes (§4.1), as the URI
 * `hush:invite?d=<104 base64url characters>` or as those 104 characters alone (§4.2). Parsing is
 * strict: every rule of §4.2 either holds or the text is refused with an
 * {@link InvalidInvitationError}, before anything is sent.
 */
import { equalBytes } from '@noble/ciphers/utils.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { assertBytes, assertInt } from '../assert.ts'
import { InvalidInvitationError } from '../errors.ts'
import { fromBase64url, toBase64url } from './base64url.ts'
import { type RandomSource, systemRandom } from './random.ts'
import { type X25519Backend, type X25519KeyPair, generateX25519 } from './x25519.ts'

/** Bytes of the binary form: body(74) ‖ checksum(4). */
const INVITATION_BYTES = 78
/** Bytes of the body, the handshake's prologue and the input of `k_rdv`. */
const BODY_BYTES = 74
const VERSION = 0x02
const FLAGS = 0x00
const TOPIC_BYTES = 4
const KEY_BYTES = 32
/** Characters of the base64url form of the 78 bytes. */
const TEXT_CHARS = 104
const URI_PREFIX = 'hush:invite?d='
/** A joiner needs the expiry at least this far ahead of its clock (§4.2). */
const MIN_REMAINING_MS = 60_000
/** The default lifetime, 7 days (`inviteLifetimeSeconds`, §4.4). */
const DEFAULT_LIFETIME_SECONDS = 7 * 24 * 3600
/** The shortest lifetime a joiner can still accept right away (60 s to spare, rounded down). */
const MIN_LIFETIME_SECONDS = 61
const MAX_U32 = 0xffff_ffff
/** Random topics drawn before `isTopicInUse` is deemed to refuse them all. */
const MAX_TOPIC_DRAWS = 1000

/** The public content of an invitation (§4.1). */
export interface Invitation {
  /** The rendezvous topic `T` (4 bytes, random). */
  readonly topic: Uint8Array
  /** The one-time public key `I` (32 bytes). */
  readonly oneTimeKey: Uint8Array
  /** The inviter's static public key `S_B` (32 bytes). */
  readonly staticKey: Uint8Array
  /** Unix seconds after which the inviter deletes `I`'s private key (u32). */
  readonly expirySeconds: number
}

/**
 * The inviter's side of an invitation: its public form and the private keys of `I` and `S_B`.
 * The caller persists it (state `pending`, §4.4) and wipes `oneTimePrivateKey` at consumption.
 */
export interface PendingInvitation {
  readonly invitation: Invitation
  /** `I`'s private key. */
  readonly oneTimePrivateKey: Uint8Array
  /** `S_B`'s private key: the caller's own array when `staticKey` was given, not a copy. */
  readonly staticPrivateKey: Uint8Array
}

/** Options of {@link createInvitation}. */
export interface CreateInvitationInit {
  /** The inviter's clock, unix milliseconds. */
  readonly nowMs: number
  /**
   * Seconds from `nowMs` to the expiry (§4.4), at least 61 so that a joiner has 60 s to spare.
   * @default 604800 (7 days)
   */
  readonly lifetimeSeconds?: number
  /**
   * The static key pair `S_B`: the account's session identity (§4.3 `'account'`).
   * @default a fresh key pair for this contact (`'per-contact'`)
   */
  readonly staticKey?: X25519KeyPair
  /**
   * Whether the inviter already listens on a topic; such a topic is drawn again (§4.1: `T` MUST
   * NOT equal any of them).
   * @default () => false
   */
  readonly isTopicInUse?: (topic: Uint8Array) => boolean
  /** @default systemRandom */
  readonly random?: RandomSource
  /** @default node:crypto where reachable, else noble */
  readonly x25519?: X25519Backend
}

/**
 * Creates an invitation: a random topic, a fresh one-time key pair `I`, the static key pair (fresh
 * unless given) and the expiry. Draws from `random` in that order: topic, `I`, `S_B`.
 * @example
 * const pending = createInvitation({ nowMs: Date.now() })
 * const uri = formatInvitation(pending.invitation) // give it to the joiner out of band
 * @throws {RangeError} when `lifetimeSeconds` is out of range, the expiry does not fit a u32,
 * `isTopicInUse` refuses 1000 random topics, or `random` repeats a key (`I = S_B`)
 */
export function createInvitation(init: CreateInvitationInit): PendingInvitation {
  const { nowMs, lifetimeSeconds = DEFAULT_LIFETIME_SECONDS, staticKey, isTopicInUse, random = systemRandom, x25519 } = init
  assertInt(nowMs, 'nowMs')
  assertInt(lifetimeSeconds, 'lifetimeSeconds', MIN_LIFETIME_SECONDS, MAX_U32)
  const expirySeconds = Math.floor(nowMs / 1000) + lifetimeSeconds
  if (expirySeconds > MAX_U32) throw new RangeError(`lifetimeSeconds puts the expiry beyond u32 (${expirySeconds})`)
  if (staticKey !== undefined) {
    assertBytes(staticKey.privateKey, 'staticKey.privateKey', KEY_BYTES)
    assertBytes(staticKey.publicKey, 'staticKey.publicKey', KEY_BYTES)
  }
  let topic = random(TOPIC_BYTES)
  for (let draws = 1; isTopicInUse?.(topic) === true; draws++) {
    if (draws >= MAX_TOPIC_DRAWS) throw new RangeError(`isTopicInUse refused ${MAX_TOPIC_DRAWS} random topics`)
    topic = random(TOPIC_BYTES)
  }
  const oneTime = generateX25519(random, x25519)
  const own = staticKey ?? generateX25519(random, x25519)
  if (equalBytes(oneTime.publicKey, own.publicKey)) throw new RangeError('random gave the one-time key and the static key the same value')
  return {
    invitation: { topic, oneTimeKey: oneTime.publicKey, staticKey: own.publicKey.slice(), expirySeconds },
    oneTimePrivateKey: oneTime.privateKey,
    staticPrivateKey: own.privateKey,
  }
}

/**
 * The invitation body, bytes `[0..74)`: `02 ‖ 00 ‖ T ‖ I ‖ S_B ‖ u32(expiry)`. The handshake
 * binds it as its prologue and derives `k_rdv` from it (§3, §5.1).
 * @throws {TypeError | RangeError} when a field has the wrong type or length
 */
export function invitationBody(invitation: Invitation): Uint8Array {
  assertBytes(invitation.topic, 'invitation.topic', TOPIC_BYTES)
  assertBytes(invitation.oneTimeKey, 'invitation.oneTimeKey', KEY_BYTES)
  assertBytes(invitation.staticKey, 'invitation.staticKey', KEY_BYTES)
  assertInt(invitation.expirySeconds, 'invitation.expirySeconds', 0, MAX_U32)
  const body = new Uint8Array(BODY_BYTES)
  body[0] = VERSION
  body[1] = FLAGS
  body.set(invitation.topic, 2)
  body.set(invitation.oneTimeKey, 6)
  body.set(invitation.staticKey, 38)
  new DataView(body.buffer).setUint32(70, invitation.expirySeconds)
  return body
}

/**
 * The 78-byte binary form (§4.1): the body and `SHA-256(body)[0..4)`.
 * @throws {TypeError | RangeError} when a field has the wrong type or length
 */
export function encodeInvitation(invitation: Invitation): Uint8Array {
  const out = new Uint8Array(INVITATION_BYTES)
  const body = invitationBody(invitation)
  out.set(body)
  out.set(sha256(body).subarray(0, 4), BODY_BYTES)
  return out
}

/**
 * The text form (§4.2): the URI `hush:invite?d=…` (118 characters) or, `compact`, its 104
 * base64url characters alone.
 * @throws {TypeError | RangeError} when a field has the wrong type or length
 */
export function formatInvitation(invitation: Invitation, form: 'uri' | 'compact' = 'uri'): string {
  const text = toBase64url(encodeInvitation(invitation))
  return form === 'compact' ? text : URI_PREFIX + text
}

/**
 * Decodes and checks the 78-byte form: checksum, version 2, flags 0, `I ≠ S_B`, and an expiry at
 * least 60 s after `nowMs` (the joiner's clock).
 * @throws {InvalidInvitationError} when any rule of §4.1–4.2 fails
 * @throws {TypeError | RangeError} when `bytes` is not a Uint8Array or `nowMs` not a time
 */
export function decodeInvitation(bytes: Uint8Array, nowMs: number): Invitation {
  assertBytes(bytes, 'bytes')
  assertInt(nowMs, 'nowMs')
  if (bytes.length !== INVITATION_BYTES) throw new InvalidInvitationError(`invitation must be ${INVITATION_BYTES} bytes, got ${bytes.length}`)
  const checksum = sha256(bytes.subarray(0, BODY_BYTES)).subarray(0, 4)
  if (!equalBytes(checksum, bytes.subarray(BODY_BYTES))) throw new InvalidInvitationError('invitation checksum does not match (a copy error?)')
  if (bytes[0] !== VERSION) throw new InvalidInvitationError(`invitation version must be 2, got ${bytes[0]}`)
  if (bytes[1] !== FLAGS) throw new InvalidInvitationError(`invitation flags must be 0, got ${bytes[1]}`)
  const oneTimeKey = bytes.slice(6, 38)
  const staticKey = bytes.slice(38, 70)
  if (equalBytes(oneTimeKey, staticKey)) throw new InvalidInvitationError('invitation one-time key equals its static key')
  const expirySeconds = new DataView(bytes.buffer, bytes.byteOffset, bytes.length).getUint32(70)
  if (expirySeconds * 1000 - nowMs < MIN_REMAINING_MS) throw new InvalidInvitationError('invitation expires in less than 60 s, or has expired')
  return { topic: bytes.slice(2, 6), oneTimeKey, staticKey, expirySeconds }
}

/**
 * Parses the URI or compact form (§4.2). The scheme is case-insensitive; the rest is exact:
 * `invite?`, then exactly one parameter, `d`, of 104 base64url characters. Surrounding whitespace
 * is refused too: trimming pasted text is the caller's choice.
 * @example
 * const invitation = parseInvitation(pasted.trim(), Date.now())
 * @throws {InvalidInvitationError} when any rule of §4.1–4.2 fails
 * @throws {TypeError | RangeError} when `text` is not a string or `nowMs` not a time
 */
export function parseInvitation(text: string, nowMs: number): Invitation {
  if (typeof text !== 'string') throw new TypeError('text must be a string')
  assertInt(nowMs, 'nowMs')
  const data = text.includes(':') ? dataOfUri(text) : text
  if (data.length !== TEXT_CHARS) throw new InvalidInvitationError(`invitation data must be ${TEXT_CHARS} characters, got ${data.length}`)
  const bytes = fromBase64url(data)
  if (bytes === undefined) throw new InvalidInvitationError('invitation data is not base64url')
  return decodeInvitation(bytes, nowMs)
}

/** The `d` parameter of a `hush:invite?…` URI. */
function dataOfUri(uri: string): string {
  const colon = uri.indexOf(':')
  // No `u` flag: `i` then folds ASCII letters only.
  if (!/^hush$/i.test(uri.slice(0, colon))) throw new InvalidInvitationError('not a hush: URI')
  const rest = uri.slice(colon + 1)
  if (!rest.startsWith('invite?')) throw new InvalidInvitationError('not a hush:invite URI')
  let data: string | undefined
  for (const param of rest.slice('invite?'.length).split('&')) {
    const eq = param.indexOf('=')
    const name = eq < 0 ? param : param.slice(0, eq)
    if (name !== 'd') throw new InvalidInvitationError('invitation URI has an unknown parameter')
    if (eq < 0) throw new InvalidInvitationError('invitation URI parameter d has no value')
    if (data !== undefined) throw new InvalidInvitationError('invitation URI has more than one d parameter')
    data = param.slice(eq + 1)
  }
  return data as string
}
