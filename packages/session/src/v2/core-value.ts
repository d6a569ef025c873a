/**
 * The value of a session's `.core` snapshot (docs/SESSION.md §12.2), as pure functions: every
 * secret and counter of one session, and the frames waiting behind a gap. Big-endian fields in
 * the text's order; `opt(x)` is a presence byte `0x00`/`0x01`, then x; the ratchet part is
 * `ratchet-value.ts`. The enum codes the text leaves open: state 1 `pending`, 2 `requested`,
 * 3 `open`, 4 `closing`; a waiting frame's type is its frame type code (2 data, 4 close, §8.2).
 *
 * Decoding is strict and all or nothing: exact lengths, presence and boolean bytes 0 or 1, enums in
 * range, counts within bounds, fields that agree with each other, no trailing bytes; anything else
 * throws {@link StateCorruptedError}, with every secret copied so far wiped. An encoder refuses
 * (with a `RangeError`) exactly the values its decoder would refuse, so what is written loads.
 */
import { MAX_MESSAGE_BYTES } from './frames.ts'
import { IDENTITY_KINDS, type IdentityKind } from './invitation-value.ts'
import type { RatchetState, SkippedKeyBudget } from './ratchet-state.ts'
import { readRatchet, writeRatchet } from './ratchet-value.ts'
import { ACK_WINDOW } from './receive-queue.ts'
import { codeOf, corrupted, decodeValue, encodeValue, readStateId, type ValueReader, writeStateId } from './value-bytes.ts'

const VERSION = 1
const KEY_BYTES = 32
const TOPIC_BYTES = 4
const MSG1_BYTES = 340
const ROLES = ['joiner', 'inviter'] as const
const STATES = ['pending', 'requested', 'open', 'closing'] as const
const FRAME_CODES = { data: 2, close: 4 } as const

/** A frame delivered out of order, waiting behind a gap (§9.2). */
export interface WaitingFrame {
  readonly seq: number
  readonly type: 'data' | 'close'
  /** The data payload; empty for a close. */
  readonly payload: Uint8Array
}

/** The `.core` value: one session's every secret and counter (§12.2). Times are integer ms. */
export interface SessionCoreValue {
  readonly role: 'joiner' | 'inviter'
  /** A joiner is `pending`, `open` or `closing`; an inviter `requested`, `open` or `closing` (§11.1). */
  readonly state: 'pending' | 'requested' | 'open' | 'closing'
  readonly peerStaticKey: Uint8Array
  /** Our own static public key (the safety number needs both). */
  readonly ownStaticKey: Uint8Array
  readonly identityKind: IdentityKind
  /** Only with `identityKind` `'per-contact'`, and only while it is kept (it is wiped once the handshake is done). */
  readonly ownStaticPrivateKey: Uint8Array | undefined
  /** Its first step is done exactly when the session is not a pending joiner's. */
  readonly ratchet: RatchetState
  readonly nextSeq: number
  readonly peerAckBase: number
  readonly recvBase: number
  /** 0: no close sent. */
  readonly closeSeq: number
  readonly createdAtMs: number
  readonly openedAtMs: number | undefined
  readonly lastHeardMs: number
  readonly lastSentMs: number
  readonly caughtUpMs: number
  /** Present exactly for a pending joiner: msg1 (340 bytes) and the invitation's topic `T` for resends, and its deadlines. */
  readonly pendingJoin:
    | { readonly msg1: Uint8Array; readonly topic: Uint8Array; readonly handshakeDeadlineMs: number; readonly nextInitResendMs: number }
    | undefined
  /** Present exactly for an inviter: the invitation the session consumed (`inviteId` as 32 hex). */
  readonly consumed:
    | { readonly inviteId: string; readonly topic: Uint8Array; readonly expirySeconds: number; readonly initHash: Uint8Array }
    | undefined
  /** SHA-256 of the invitation body. */
  readonly invitationHash: Uint8Array
  /** Ascending, each within `recvBase < seq ≤ recvBase + 256`, so at most 256. */
  readonly waiting: readonly WaitingFrame[]
  readonly verified: boolean
}

/** What a decoded core needs from the session's owner. */
export interface SessionCoreContext {
  /** The budget shared by the peer's sessions: its `used` grows by the skipped keys loaded. */
  readonly budget: SkippedKeyBudget
  /** Skipped keys a session may hold; a value holding more is refused. */
  readonly maxSkippedKeys: number
}

/** What makes a core value inconsistent across its fields (beyond the ratchet's own checks), or `undefined`. */
function coreProblem(v: SessionCoreValue): string | undefined {
  const joiner = v.role === 'joiner'
  if (v.state === (joiner ? 'requested' : 'pending')) return `a ${v.role} is never ${v.state}`
  if (v.identityKind === 'account' && v.ownStaticPrivateKey !== undefined) return 'an account identity stores no static private key'
  if (v.ratchet.firstStepDone !== (!joiner || v.state !== 'pending')) return 'the first ratchet step is done exactly when not a pending joiner'
  if ((v.pendingJoin !== undefined) !== (joiner && v.state === 'pending')) return 'pendingJoin is present exactly for a pending joiner'
  if ((v.consumed !== undefined) !== !joiner) return 'consumed is present exactly for an inviter'
  if (v.waiting.length > ACK_WINDOW) return `${v.waiting.length} waiting frames, more than ${ACK_WINDOW}`
  let last = v.recvBase
  for (const f of v.waiting) {
    if (f.type !== 'data' && f.type !== 'close') return `waiting frame ${f.seq} has type ${String(f.type)}`
    if (f.seq <= last || f.seq - v.recvBase > ACK_WINDOW) return `waiting frame ${f.seq} is out of order or beyond the window`
    if (f.payload.length > (f.type === 'close' ? 0 : MAX_MESSAGE_BYTES)) return `waiting ${f.type} frame ${f.seq} has a ${f.payload.length}-byte payload`
    last = f.seq
  }
  return undefined
}

/**
 * Encodes a session's core value (§12.2), with the ratchet part of `ratchet-value.ts` after
 * `ownStatic` (including `opt(S_A.priv)` after `firstStepDone`). The result holds every secret of
 * the session: wipe it once it is sealed.
 * @throws {TypeError | RangeError} when a field is malformed or the fields disagree (the cases
 *   {@link decodeSessionCore} refuses)
 */
export function encodeSessionCore(value: SessionCoreValue): Uint8Array {
  return encodeValue((w) => {
    const role = codeOf(ROLES, value.role, 'value.role')
    const state = codeOf(STATES, value.state, 'value.state')
    const problem = coreProblem(value)
    if (problem !== undefined) throw new RangeError(`value: ${problem}`)
    w.u8(VERSION, 'value.version')
    w.u8(role, 'value.role')
    w.u8(state, 'value.state')
    w.bytes(value.peerStaticKey, KEY_BYTES, 'value.peerStaticKey')
    w.bytes(value.ownStaticKey, KEY_BYTES, 'value.ownStaticKey')
    w.u8(codeOf(IDENTITY_KINDS, value.identityKind, 'value.identityKind'), 'value.identityKind')
    w.present(value.ownStaticPrivateKey !== undefined)
    if (value.ownStaticPrivateKey !== undefined) w.bytes(value.ownStaticPrivateKey, KEY_BYTES, 'value.ownStaticPrivateKey')
    writeRatchet(w, value.ratchet)
    w.u32(value.nextSeq, 'value.nextSeq')
    w.u32(value.peerAckBase, 'value.peerAckBase')
    w.u32(value.recvBase, 'value.recvBase')
    w.u32(value.closeSeq, 'value.closeSeq')
    w.u64(value.createdAtMs, 'value.createdAtMs')
    w.present(value.openedAtMs !== undefined)
    if (value.openedAtMs !== undefined) w.u64(value.openedAtMs, 'value.openedAtMs')
    w.u64(value.lastHeardMs, 'value.lastHeardMs')
    w.u64(value.lastSentMs, 'value.lastSentMs')
    w.u64(value.caughtUpMs, 'value.caughtUpMs')
    const { pendingJoin, consumed } = value
    if (w.present(pendingJoin !== undefined) && pendingJoin !== undefined) {
      w.bytes(pendingJoin.msg1, MSG1_BYTES, 'value.pendingJoin.msg1')
      w.bytes(pendingJoin.topic, TOPIC_BYTES, 'value.pendingJoin.topic')
      w.u64(pendingJoin.handshakeDeadlineMs, 'value.pendingJoin.handshakeDeadlineMs')
      w.u64(pendingJoin.nextInitResendMs, 'value.pendingJoin.nextInitResendMs')
    }
    if (w.present(consumed !== undefined) && consumed !== undefined) {
      writeStateId(w, consumed.inviteId, 'value.consumed.inviteId')
      w.bytes(consumed.topic, TOPIC_BYTES, 'value.consumed.topic')
      w.u32(consumed.expirySeconds, 'value.consumed.expirySeconds')
      w.bytes(consumed.initHash, KEY_BYTES, 'value.consumed.initHash')
    }
    w.bytes(value.invitationHash, KEY_BYTES, 'value.invitationHash')
    w.u16(value.waiting.length, 'value.waiting.length')
    for (const [i, f] of value.waiting.entries()) {
      w.u32(f.seq, `value.waiting[${i}].seq`)
      w.u8(FRAME_CODES[f.type], `value.waiting[${i}].type`)
      w.u16(f.payload.length, `value.waiting[${i}].payload.length`)
      w.bytes(f.payload, f.payload.length, `value.waiting[${i}].payload`)
    }
    w.flag(value.verified, 'value.verified')
  })
}

function readWaiting(r: ValueReader): WaitingFrame[] {
  const count = r.u16('waiting count')
  if (count > ACK_WINDOW) throw corrupted(`${count} waiting frames, more than ${ACK_WINDOW}`)
  const waiting: WaitingFrame[] = []
  for (let i = 0; i < count; i++) {
    const seq = r.u32('waiting seq')
    const code = r.u8('waiting type')
    if (code !== FRAME_CODES.data && code !== FRAME_CODES.close) throw corrupted(`waiting frame type ${code}`)
    const length = r.u16('waiting payload length')
    if (length > MAX_MESSAGE_BYTES) throw corrupted(`waiting payload of ${length} bytes`)
    waiting.push({ seq, type: code === FRAME_CODES.data ? 'data' : 'close', payload: r.secret(length, 'waiting payload') })
  }
  return waiting
}

/**
 * Decodes a session's core value (see {@link encodeSessionCore}). The ratchet gets
 * `context.maxSkippedKeys` and `context.budget`, whose `used` grows by the skipped keys loaded
 * (only when the whole value decodes); its seeds' header keys and topics are derived again.
 * @throws {StateCorruptedError} when the bytes are not one well-formed, consistent core value,
 *   or hold more than `maxSkippedKeys` skipped keys
 * @throws {TypeError | RangeError} when `bytes` or `context` is malformed
 */
export function decodeSessionCore(bytes: Uint8Array, context: SessionCoreContext): SessionCoreValue {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array')
  const { budget, maxSkippedKeys } = context ?? {}
  if (typeof budget !== 'object' || budget === null || !Number.isInteger(budget.used)) throw new TypeError('context.budget must be a SkippedKeyBudget')
  if (!Number.isInteger(maxSkippedKeys) || maxSkippedKeys < 0) throw new RangeError(`context.maxSkippedKeys must be a non-negative integer, got ${maxSkippedKeys}`)
  const value = decodeValue(bytes, (r): SessionCoreValue => {
    const version = r.u8('version')
    if (version !== VERSION) throw corrupted(`version ${version}`)
    const role = r.choice('role', ROLES)
    const state = r.choice('state', STATES)
    const peerStaticKey = r.copy(KEY_BYTES, 'peer static key')
    const ownStaticKey = r.copy(KEY_BYTES, 'own static key')
    const identityKind = r.choice('identityKind', IDENTITY_KINDS)
    const ownStaticPrivateKey = r.flag('presence of own static private key') ? r.secret(KEY_BYTES, 'own static private key') : undefined
    const ratchet = readRatchet(r, { budget, maxSkippedKeys })
    const nextSeq = r.u32('nextSeq')
    const peerAckBase = r.u32('peerAckBase')
    const recvBase = r.u32('recvBase')
    const closeSeq = r.u32('closeSeq')
    const createdAtMs = r.u64('createdAtMs')
    const openedAtMs = r.flag('presence of openedAtMs') ? r.u64('openedAtMs') : undefined
    const lastHeardMs = r.u64('lastHeardMs')
    const lastSentMs = r.u64('lastSentMs')
    const caughtUpMs = r.u64('caughtUpMs')
    const pendingJoin = r.flag('presence of pendingJoin')
      ? {
          msg1: r.copy(MSG1_BYTES, 'msg1'),
          topic: r.copy(TOPIC_BYTES, 'pendingJoin topic'),
          handshakeDeadlineMs: r.u64('handshakeDeadlineMs'),
          nextInitResendMs: r.u64('nextInitResendMs'),
        }
      : undefined
    const consumed = r.flag('presence of consumed')
      ? { inviteId: readStateId(r, 'inviteId'), topic: r.copy(TOPIC_BYTES, 'topic'), expirySeconds: r.u32('expiry'), initHash: r.copy(KEY_BYTES, 'initHash') }
      : undefined
    const invitationHash = r.copy(KEY_BYTES, 'invitationHash')
    const waiting = readWaiting(r)
    const verified = r.flag('verified')
    const core: SessionCoreValue = {
      ...{ role, state, peerStaticKey, ownStaticKey, identityKind, ownStaticPrivateKey, ratchet, nextSeq, peerAckBase, recvBase, closeSeq },
      ...{ createdAtMs, openedAtMs, lastHeardMs, lastSentMs, caughtUpMs, pendingJoin, consumed, invitationHash, waiting, verified },
    }
    const problem = coreProblem(core)
    if (problem !== undefined) throw corrupted(problem)
    return core
  })
  budget.used += value.ratchet.skippedCount
  return value
}
