/**
 * What a recording observer can compute: it holds every envelope and, in the forward-secrecy
 * test, both static private keys; with the ephemeral private keys (the positive control) it
 * can derive the session keys.
 */
import { type Envelope, decryptAsymmetric, unwrapPayload } from '@hush/envelope'
import { equalBytes } from '@noble/ciphers/utils.js'
import { type HandshakeFrame, type ReplyFrame, decodeFrame, encodeFrame } from '../src/frames.ts'
import { type SessionKeys, deriveReplyKeys, deriveSessionKeys, ecdh, transcriptHash } from '../src/kdf.ts'
import { openRecordFrame, openRecordNumber } from '../src/record.ts'
import { discoveryTopic } from '../src/topics.ts'

export interface Transcript {
  handshake: HandshakeFrame
  handshakeBytes: Uint8Array
  reply: ReplyFrame
  replyBytes: Uint8Array
  replyEnvelope: Envelope
  /** Every other envelope on the two session topics. */
  records: Envelope[]
}

/** Opens the handshake with the responder's static key and the reply with the keys from keyBA. */
export function readHandshake(posted: readonly Envelope[], responderPrivateKey: Uint8Array, responderPublicKey: Uint8Array): Transcript {
  const discovery = discoveryTopic(responderPublicKey, 16)
  const handshakeEnvelope = posted.find((e) => equalBytes(e.topic, discovery))
  if (handshakeEnvelope === undefined) throw new Error('no handshake recorded')
  const inner = unwrapPayload(decryptAsymmetric(handshakeEnvelope.data, responderPrivateKey))
  const handshake = decodeFrame(inner.payload) as HandshakeFrame
  const onSession = posted.filter((e) => equalBytes(e.topic, handshake.topicAB) || equalBytes(e.topic, handshake.topicBA))
  const replyKeys = deriveReplyKeys(handshake.keyBA)
  const replyEnvelope = onSession.find((e) => {
    try {
      return openRecordNumber(e.data, replyKeys.headerKey) === 0
    } catch {
      return false
    }
  })
  if (replyEnvelope === undefined) throw new Error('no reply recorded')
  const reply = openRecordFrame(replyEnvelope.data, replyKeys.bodyKey) as ReplyFrame
  return {
    handshake,
    handshakeBytes: encodeFrame(handshake),
    reply,
    replyBytes: encodeFrame(reply),
    replyEnvelope,
    records: onSession.filter((e) => !equalBytes(e.data, replyEnvelope.data)),
  }
}

/** The session keys from a DH value the attacker computed (right or wrong). */
export function keysFromDh(t: Transcript, dh: Uint8Array): SessionKeys {
  return deriveSessionKeys(dh, t.handshake.keyAB, t.handshake.keyBA, transcriptHash(t.handshakeBytes, t.replyBytes))
}

/** The DH only the ephemeral private key gives. */
export function ephemeralDh(initiatorEphemeralPrivateKey: Uint8Array, t: Transcript): Uint8Array {
  return ecdh(initiatorEphemeralPrivateKey, t.reply.ephemeralKey)
}
