/**
 * Key derivations of the session: the ephemeral ECDH, the HKDF-SHA-256 key schedule over the
 * DH output and the handshake transcript, and the hash-ratchet chain step.
 *
 * ```
 * dh        = X(ephemeralA · ephemeralB)                       (32 bytes)
 * transcript = SHA-256(handshake frame ‖ reply frame)          (the padded plaintexts)
 * okm       = HKDF-SHA-256(ikm = dh ‖ keyAB ‖ keyBA, salt = transcript, info = "hush/session/v1", 224)
 *           = chainAB ‖ chainBA ‖ headerAB ‖ headerBA ‖ controlAB ‖ controlBA ‖ topicSecret
 * step:  messageKey = HMAC-SHA-256(chainKey, 0x01), nextChainKey = HMAC-SHA-256(chainKey, 0x02)
 * reply: headerKey = HKDF-SHA-256(ikm = keyBA, salt = none, info = "hush/session/v1/reply-header", 32)
 *        bodyKey   = HKDF-SHA-256(ikm = keyBA, salt = none, info = "hush/session/v1/reply-body", 32)
 * ```
 * Only the ephemeral private keys (deleted once the keys are derived) give `dh`, so a recorded
 * handshake and later stolen static keys reveal nothing about these keys.
 */
import { hkdf } from '@noble/hashes/hkdf.js'
import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { getSharedSecret } from '@noble/secp256k1'
import { assertBytes, wipe } from './assert.ts'
import { KEY_BYTES, REPLY_BODY_KDF_INFO, REPLY_HEADER_KDF_INFO, SESSION_KDF_INFO } from './constants.ts'

/** The keys of one direction. */
export interface DirectionKeys {
  /** The hash-ratchet chain key before message 1. */
  readonly chainKey: Uint8Array
  /** Encrypts each record's header (its message number). */
  readonly headerKey: Uint8Array
  /** Encrypts control records (acks), which consume no message number. */
  readonly controlKey: Uint8Array
}

/** Both directions' keys after the handshake. */
export interface SessionKeys {
  /** Initiator → responder. */
  readonly ab: DirectionKeys
  /** Responder → initiator. */
  readonly ba: DirectionKeys
  /** Seeds the partial-topic rotation (`topic-schedule.ts`). */
  readonly topicSecret: Uint8Array
}

const INFO = utf8ToBytes(SESSION_KDF_INFO)
const REPLY_HEADER_INFO = utf8ToBytes(REPLY_HEADER_KDF_INFO)
const REPLY_BODY_INFO = utf8ToBytes(REPLY_BODY_KDF_INFO)
const MESSAGE_KEY_LABEL = Uint8Array.of(0x01)
const CHAIN_KEY_LABEL = Uint8Array.of(0x02)

/**
 * The X coordinate of `privateKey · publicKey` on secp256k1 (32 bytes).
 * @throws {Error} when `publicKey` is not on the curve (callers validate it first)
 */
export function ecdh(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  return getSharedSecret(privateKey, publicKey, true).subarray(1)
}

/** SHA-256 of the handshake frame followed by the reply frame (both padded plaintexts). */
export function transcriptHash(handshakeFrame: Uint8Array, replyFrame: Uint8Array): Uint8Array {
  assertBytes(handshakeFrame, 'handshakeFrame')
  assertBytes(replyFrame, 'replyFrame')
  return sha256(concatBytes(handshakeFrame, replyFrame))
}

/**
 * The session key schedule: HKDF-SHA-256 over the ephemeral DH output and the handshake keys,
 * salted with the transcript hash.
 * @throws {TypeError | RangeError} when an argument has the wrong length
 */
export function deriveSessionKeys(dh: Uint8Array, keyAB: Uint8Array, keyBA: Uint8Array, transcript: Uint8Array): SessionKeys {
  assertBytes(dh, 'dh', KEY_BYTES)
  assertBytes(keyAB, 'keyAB', KEY_BYTES)
  assertBytes(keyBA, 'keyBA', KEY_BYTES)
  assertBytes(transcript, 'transcript', 32)
  const ikm = concatBytes(dh, keyAB, keyBA)
  const okm = hkdf(sha256, ikm, transcript, INFO, 7 * KEY_BYTES)
  wipe(ikm)
  const part = (i: number): Uint8Array => okm.slice(i * KEY_BYTES, (i + 1) * KEY_BYTES)
  const keys: SessionKeys = {
    ab: { chainKey: part(0), headerKey: part(2), controlKey: part(4) },
    ba: { chainKey: part(1), headerKey: part(3), controlKey: part(5) },
    topicSecret: part(6),
  }
  wipe(okm)
  return keys
}

/**
 * One hash-ratchet step: the message key for the next number and the chain key after it.
 * The caller wipes the old chain key.
 */
export function chainStep(chainKey: Uint8Array): { messageKey: Uint8Array; nextChainKey: Uint8Array } {
  assertBytes(chainKey, 'chainKey', KEY_BYTES)
  return { messageKey: hmac(sha256, chainKey, MESSAGE_KEY_LABEL), nextChainKey: hmac(sha256, chainKey, CHAIN_KEY_LABEL) }
}

/**
 * The two keys of the reply record, each from the handshake's `keyBA` under its own label, so
 * the reply's header and body are never sealed under one key (as every later record's are not).
 * @throws {TypeError | RangeError} when `keyBA` is not 32 bytes
 */
export function deriveReplyKeys(keyBA: Uint8Array): { headerKey: Uint8Array; bodyKey: Uint8Array } {
  assertBytes(keyBA, 'keyBA', KEY_BYTES)
  return { headerKey: hkdf(sha256, keyBA, undefined, REPLY_HEADER_INFO, KEY_BYTES), bodyKey: hkdf(sha256, keyBA, undefined, REPLY_BODY_INFO, KEY_BYTES) }
}
