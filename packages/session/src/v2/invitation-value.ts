/**
 * The value of an invitation's `.inv` snapshot (docs/SESSION.md §12.2), as pure functions:
 *
 * ```
 * pending:  u8 state = 1 ‖ body(74) ‖ I.priv(32) ‖ u8 identityKind (1 per-contact, 2 account) ‖
 *           opt(S_B.priv(32)) ‖ u64 createdAtMs ‖ u8 autoAccept
 * consumed: u8 state = 2 ‖ T(4) ‖ u32 expiry ‖ initHash(32) ‖ sessionId(16)
 * ```
 *
 * The body is the invitation's bytes `[0..74)` (§4.1, no checksum). Decoding is strict (version 2,
 * flags 0, presence and boolean bytes 0 or 1, no trailing bytes) but checks no clock: an expired
 * invitation still loads, so that it can be deleted (§12.4).
 */
import { type Invitation, invitationBody } from './invitation.ts'
import { codeOf, corrupted, decodeValue, encodeValue, readStateId, type ValueReader, writeStateId } from './value-bytes.ts'

const KEY_BYTES = 32
const TOPIC_BYTES = 4
const BODY_BYTES = 74
const INVITATION_STATES = ['pending', 'consumed'] as const
/** The codes of {@link IdentityKind}, from 1. */
export const IDENTITY_KINDS: readonly ['per-contact', 'account'] = ['per-contact', 'account']

/** Which static key a session or invitation uses (§4.3): one made for this contact, or the account's. */
export type IdentityKind = (typeof IDENTITY_KINDS)[number]

/** The `.inv` value: an invitation waiting for its joiner, or the tombstone of a consumed one (§4.4). */
export type InvitationValue =
  | {
      readonly state: 'pending'
      readonly invitation: Invitation
      /** `I`'s private key. */
      readonly oneTimePrivateKey: Uint8Array
      readonly identityKind: IdentityKind
      /** `S_B`'s private key: present exactly when `identityKind` is `'per-contact'`. */
      readonly staticPrivateKey?: Uint8Array
      readonly createdAtMs: number
      readonly autoAccept: boolean
    }
  | {
      readonly state: 'consumed'
      readonly topic: Uint8Array
      readonly expirySeconds: number
      /** The hash that identifies the msg1 that consumed it (§5.4). */
      readonly initHash: Uint8Array
      /** The `<id>` of the session's files: 32 lowercase hex characters. */
      readonly sessionId: string
    }

/**
 * Encodes an invitation value: pending `u8 1 ‖ body(74) ‖ I.priv(32) ‖ u8 identityKind ‖
 * opt(S_B.priv(32)) ‖ u64 createdAtMs ‖ u8 autoAccept`; consumed `u8 2 ‖ T(4) ‖ u32 expiry ‖
 * initHash(32) ‖ sessionId(16)`. The result holds secrets: wipe it once it is sealed.
 * @throws {TypeError | RangeError} when a field is malformed, or `staticPrivateKey` is present
 *   for an `'account'` invitation or absent for a `'per-contact'` one
 */
export function encodeInvitationValue(value: InvitationValue): Uint8Array {
  return encodeValue((w) => {
    if (value.state === 'consumed') {
      w.u8(2, 'value.state')
      w.bytes(value.topic, TOPIC_BYTES, 'value.topic')
      w.u32(value.expirySeconds, 'value.expirySeconds')
      w.bytes(value.initHash, KEY_BYTES, 'value.initHash')
      writeStateId(w, value.sessionId, 'value.sessionId')
      return
    }
    if (value.state !== 'pending') throw new TypeError("value.state must be 'pending' or 'consumed'")
    w.u8(1, 'value.state')
    w.bytes(invitationBody(value.invitation), BODY_BYTES, 'value.invitation')
    w.bytes(value.oneTimePrivateKey, KEY_BYTES, 'value.oneTimePrivateKey')
    w.u8(codeOf(IDENTITY_KINDS, value.identityKind, 'value.identityKind'), 'value.identityKind')
    if ((value.identityKind === 'per-contact') !== (value.staticPrivateKey !== undefined)) {
      throw new RangeError('staticPrivateKey must be present exactly for a per-contact invitation')
    }
    w.present(value.staticPrivateKey !== undefined)
    if (value.staticPrivateKey !== undefined) w.bytes(value.staticPrivateKey, KEY_BYTES, 'value.staticPrivateKey')
    w.u64(value.createdAtMs, 'value.createdAtMs')
    w.flag(value.autoAccept, 'value.autoAccept')
  })
}

/** The invitation of a stored body (§4.1): version 2, flags 0; the expiry is not checked. */
function readBody(r: ValueReader): Invitation {
  if (r.u8('invitation version') !== 2) throw corrupted('invitation version is not 2')
  if (r.u8('invitation flags') !== 0) throw corrupted('invitation flags are not 0')
  const topic = r.copy(TOPIC_BYTES, 'invitation topic')
  const oneTimeKey = r.copy(KEY_BYTES, 'invitation one-time key')
  const staticKey = r.copy(KEY_BYTES, 'invitation static key')
  return { topic, oneTimeKey, staticKey, expirySeconds: r.u32('invitation expiry') }
}

/**
 * Decodes an invitation value (see {@link encodeInvitationValue}). An expired invitation decodes
 * too: the caller deletes it (§12.4).
 * @throws {StateCorruptedError} when the bytes are not one well-formed invitation value
 * @throws {TypeError} when `bytes` is not a Uint8Array
 */
export function decodeInvitationValue(bytes: Uint8Array): InvitationValue {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array')
  return decodeValue(bytes, (r): InvitationValue => {
    if (r.choice('invitation state', INVITATION_STATES) === 'consumed') {
      const topic = r.copy(TOPIC_BYTES, 'topic')
      const expirySeconds = r.u32('expiry')
      const initHash = r.copy(KEY_BYTES, 'initHash')
      return { state: 'consumed', topic, expirySeconds, initHash, sessionId: readStateId(r, 'sessionId') }
    }
    const invitation = readBody(r)
    const oneTimePrivateKey = r.secret(KEY_BYTES, 'one-time private key')
    const identityKind = r.choice('identityKind', IDENTITY_KINDS)
    const staticPrivateKey = r.flag('presence of the static private key') ? r.secret(KEY_BYTES, 'static private key') : undefined
    if ((identityKind === 'per-contact') !== (staticPrivateKey !== undefined)) throw corrupted('static private key and identity kind disagree')
    const createdAtMs = r.u64('createdAtMs')
    const autoAccept = r.flag('autoAccept')
    const common = { state: 'pending', invitation, oneTimePrivateKey, identityKind, createdAtMs, autoAccept } as const
    return staticPrivateKey === undefined ? common : { ...common, staticPrivateKey }
  })
}
