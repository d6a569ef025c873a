/**
 * The handshake (paper §3.2.D, made forward-secure; design.md §7), as pure functions.
 *
 * 1. A → B on B's discovery topic: ECIES to B's static key of a payload signed by A's static key
 *    (@hush/envelope `wrapPayload`), carrying the handshake frame: session id, creation time, B's
 *    key, A's ephemeral key, keyAB, keyBA and the partial topics.
 * 2. B → A on topicBA: a record (`record.ts`, number 0) under two keys derived from keyBA (header
 *    and body, `deriveReplyKeys`) carrying the reply frame with B's ephemeral key.
 * 3. Both: keys = HKDF(ECDH(ephA, ephB) ‖ keyAB ‖ keyBA, salt = SHA-256(handshake ‖ reply)).
 */
import { DecryptionError, type KeyPair, decryptAsymmetric, encryptAsymmetric, unwrapPayload, wrapPayload } from '@hush/envelope'
import { equalBytes } from '@noble/ciphers/utils.js'
import { randomBytes } from '@noble/hashes/utils.js'
import { DEFAULT_TOPIC_ROTATION_MS, KEY_BYTES, MIN_TOPIC_ROTATION_MS, SESSION_ID_BYTES } from './constants.ts'
import { HandshakeRejectedError, InvalidFrameError, RecordRejectedError } from './errors.ts'
import { type Frame, type HandshakeFrame, type ReplyFrame, decodeFrame, encodeFrame } from './frames.ts'
import { wipe } from './assert.ts'
import { type SessionKeys, deriveReplyKeys, deriveSessionKeys, ecdh, transcriptHash } from './kdf.ts'
import { openRecordFrame, openRecordNumber, sealRecord } from './record.ts'
import { randomTopicPair } from './topics.ts'

/** An initiator's handshake, ready to post, with what it must keep until the reply. */
export interface OutgoingHandshake {
  readonly frame: HandshakeFrame
  /** The padded frame plaintext (transcript input; holds keyAB and keyBA: wipe it after use). */
  readonly frameBytes: Uint8Array
  /** The envelope data: ECIES(signed payload(frame)). */
  readonly data: Uint8Array
}

/**
 * Builds A's handshake to `recipientKey`, proposing `topicRotationMs` as the session's rotation period.
 * @throws {TypeError | RangeError} when a key or the period is invalid
 */
export function createHandshake(
  identity: Uint8Array,
  recipientKey: Uint8Array,
  ephemeral: KeyPair,
  nowMs: number,
  topicRotationMs: number = DEFAULT_TOPIC_ROTATION_MS
): OutgoingHandshake {
  const [topicAB, topicBA] = randomTopicPair()
  const frame: HandshakeFrame = {
    type: 'handshake',
    sessionId: randomBytes(SESSION_ID_BYTES),
    createdAtMs: Math.floor(nowMs),
    recipientKey,
    ephemeralKey: ephemeral.publicKey,
    keyAB: randomBytes(KEY_BYTES),
    keyBA: randomBytes(KEY_BYTES),
    topicAB,
    topicBA,
    topicRotationMs,
  }
  const frameBytes = encodeFrame(frame)
  const signed = wrapPayload({ payload: frameBytes, signingKey: identity })
  const data = encryptAsymmetric(signed, recipientKey)
  wipe(signed)
  return { frame, frameBytes, data }
}

/** A handshake B could open, with the signer's key. */
export interface IncomingHandshake {
  readonly frame: HandshakeFrame
  /** The padded frame plaintext (transcript input; holds keyAB and keyBA: wipe it after use). */
  readonly frameBytes: Uint8Array
  /** The initiator's static public key, recovered from the signature. */
  readonly initiatorKey: Uint8Array
}

/** Limits of {@link openHandshake}. */
export interface HandshakeLimits {
  /** Oldest accepted age. */
  maxAgeMs: number
  /** Largest accepted time in the future (clock skew). */
  futureAllowanceMs: number
  /**
   * Our own rotation period: the longest proposed period we accept (0: any, including none).
   * A proposal of 0 or longer is refused when ours is set, so topics rotate at least as often
   * as either side asked; one shorter than {@link MIN_TOPIC_ROTATION_MS} is always refused.
   */
  topicRotationMs: number
}

/**
 * Opens a handshake posted on our discovery topic. Returns undefined when it is not encrypted to
 * us (discovery topics are shared: that is the normal case for other users' handshakes).
 * @throws {HandshakeRejectedError} when it decrypts but is unsigned, malformed, addressed to
 *   another key, stale or from the future, or proposes a rotation period outside `limits`
 */
export function openHandshake(
  data: Uint8Array,
  identity: KeyPair,
  nowMs: number,
  limits: HandshakeLimits
): IncomingHandshake | undefined {
  let plaintext: Uint8Array
  try {
    plaintext = decryptAsymmetric(data, identity.privateKey)
  } catch (err) {
    if (err instanceof DecryptionError) return undefined
    throw err
  }
  let frameBytes: Uint8Array
  let initiatorKey: Uint8Array | undefined
  let frame
  try {
    const unwrapped = unwrapPayload(plaintext)
    frameBytes = unwrapped.payload.slice()
    initiatorKey = unwrapped.senderPublicKey
    frame = decodeFrame(frameBytes)
  } catch (err) {
    throw new HandshakeRejectedError('handshake payload is malformed', { cause: err })
  } finally {
    wipe(plaintext) // it holds keyAB and keyBA
  }
  try {
    checkHandshake(frame, initiatorKey, identity, nowMs, limits)
  } catch (err) {
    wipe(frameBytes)
    if (frame.type === 'handshake') wipe(frame.keyAB, frame.keyBA)
    throw err
  }
  return { frame: frame as HandshakeFrame, frameBytes, initiatorKey: initiatorKey as Uint8Array }
}

function checkHandshake(frame: Frame, initiatorKey: Uint8Array | undefined, identity: KeyPair, nowMs: number, limits: HandshakeLimits): void {
  if (initiatorKey === undefined) throw new HandshakeRejectedError('handshake is not signed')
  if (frame.type !== 'handshake') throw new HandshakeRejectedError(`expected a handshake frame, got ${frame.type}`)
  if (!equalBytes(frame.recipientKey, identity.publicKey)) throw new HandshakeRejectedError('handshake is addressed to another key')
  if (equalBytes(initiatorKey, identity.publicKey)) throw new HandshakeRejectedError('handshake signed by our own key')
  if (frame.createdAtMs < nowMs - limits.maxAgeMs) throw new HandshakeRejectedError('handshake is stale')
  if (frame.createdAtMs > nowMs + limits.futureAllowanceMs) throw new HandshakeRejectedError('handshake is from the future')
  if (equalBytes(frame.topicAB, frame.topicBA)) throw new HandshakeRejectedError('handshake topics are equal')
  const proposed = frame.topicRotationMs
  if (proposed !== 0 && proposed < MIN_TOPIC_ROTATION_MS) throw new HandshakeRejectedError('handshake proposes a topic rotation period below the minimum')
  if (limits.topicRotationMs !== 0 && (proposed === 0 || proposed > limits.topicRotationMs)) {
    throw new HandshakeRejectedError('handshake proposes a topic rotation period longer than ours')
  }
}

/** B's reply and the keys both sides will hold. */
export interface Reply {
  /** The envelope data to post on topicBA. */
  readonly data: Uint8Array
  readonly keys: SessionKeys
}

/** Builds B's reply and derives the session keys; the caller then wipes `ephemeral.privateKey`. */
export function createReply(incoming: IncomingHandshake, ephemeral: KeyPair): Reply {
  const { frame } = incoming
  const reply: ReplyFrame = { type: 'reply', sessionId: frame.sessionId, ephemeralKey: ephemeral.publicKey }
  const replyBytes = encodeFrame(reply)
  const replyKeys = deriveReplyKeys(frame.keyBA)
  const data = sealRecord(0, replyKeys.headerKey, replyKeys.bodyKey, replyBytes)
  wipe(replyKeys.headerKey, replyKeys.bodyKey)
  const dh = ecdh(ephemeral.privateKey, frame.ephemeralKey)
  const keys = deriveSessionKeys(dh, frame.keyAB, frame.keyBA, transcriptHash(incoming.frameBytes, replyBytes))
  dh.fill(0)
  return { data, keys }
}

/**
 * A's side of the reply: undefined when `data` is not the reply to this handshake (other
 * traffic on the topic); the keys otherwise. The caller then wipes its ephemeral private key.
 */
export function openReply(data: Uint8Array, outgoing: OutgoingHandshake, ephemeralPrivateKey: Uint8Array): SessionKeys | undefined {
  const { frame } = outgoing
  let reply
  let replyBytes: Uint8Array
  const replyKeys = deriveReplyKeys(frame.keyBA)
  try {
    if (openRecordNumber(data, replyKeys.headerKey) !== 0) return undefined
    reply = openRecordFrame(data, replyKeys.bodyKey)
    if (reply.type !== 'reply' || !equalBytes(reply.sessionId, frame.sessionId)) return undefined
    replyBytes = encodeFrame(reply)
  } catch (err) {
    if (err instanceof RecordRejectedError || err instanceof InvalidFrameError) return undefined
    throw err
  } finally {
    wipe(replyKeys.headerKey, replyKeys.bodyKey)
  }
  const dh = ecdh(ephemeralPrivateKey, reply.ephemeralKey)
  const keys = deriveSessionKeys(dh, frame.keyAB, frame.keyBA, transcriptHash(outgoing.frameBytes, replyBytes))
  dh.fill(0)
  return keys
}
