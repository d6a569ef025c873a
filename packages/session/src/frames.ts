/**
 * Session frames: the plaintext inside every session envelope, before encryption.
 *
 * ```
 * version(1) = 1 ‖ type(1) ‖ bodyLength(2, big-endian) ‖ body ‖ zero padding
 * ```
 * The whole frame is padded with zeros to the smallest size class that holds it (256, 1024 or
 * 4096 bytes), so handshakes, replies, data, acks and closes cannot be told apart by size once
 * encrypted. Bodies (integers big-endian):
 *
 * | type | name      | body                                                                              |
 * | ---- | --------- | --------------------------------------------------------------------------------- |
 * | 1    | handshake | sessionId(16) ‖ createdAtMs(8) ‖ recipientKey(65) ‖ ephemeralKey(65) ‖ keyAB(32) ‖ keyBA(32) ‖ topicAB(4) ‖ topicBA(4) ‖ topicRotationMs(4) |
 * | 2    | reply     | sessionId(16) ‖ ephemeralKey(65)                                                  |
 * | 3    | data      | number(4) ‖ ackBase(4) ‖ ackBitmap(4) ‖ payload                                   |
 * | 4    | ack       | ackBase(4) ‖ ackBitmap(4)                                                         |
 * | 5    | close     | number(4) ‖ ackBase(4) ‖ ackBitmap(4)                                             |
 *
 * The decoder is strict: exact size class (the smallest that fits), known version and type,
 * exact body length for fixed bodies, all-zero padding, message numbers ≥ 1, public keys on the
 * curve. Anything else throws {@link InvalidFrameError}.
 */
import { isValidPublicKey } from '@hush/envelope'
import { assertBytes, assertInt } from './assert.ts'
import {
  DATA_FIXED_BYTES,
  FRAME_HEADER_BYTES,
  FRAME_SIZE_CLASSES_BYTES,
  FRAME_VERSION,
  KEY_BYTES,
  MAX_MESSAGE_BYTES,
  MAX_MESSAGE_NUMBER,
  PUBLIC_KEY_BYTES,
  SESSION_ID_BYTES,
  TOPIC_BYTES,
} from './constants.ts'
import { InvalidFrameError } from './errors.ts'

/** Acknowledgement state: every number ≤ `base` received, plus bit i of `bitmap` for base + 2 + i. */
export interface Ack {
  /** Highest contiguous number received (0: none yet). */
  readonly base: number
  /** uint32; bit i set when number base + 2 + i was received (base + 1 is missing by definition). */
  readonly bitmap: number
}

/** The initiator's first frame, sent ECIES-encrypted and signed on the recipient's discovery topic. */
export interface HandshakeFrame {
  readonly type: 'handshake'
  /** 16 random bytes naming the session. */
  readonly sessionId: Uint8Array
  /** Unix milliseconds when the handshake was made (staleness check). */
  readonly createdAtMs: number
  /** The recipient's static public key (binds the signature to the intended recipient). */
  readonly recipientKey: Uint8Array
  /** The initiator's ephemeral public key. */
  readonly ephemeralKey: Uint8Array
  /** Handshake key A→B (only protects handshake-phase traffic). */
  readonly keyAB: Uint8Array
  /** Handshake key B→A: the reply's header and body keys are derived from it (`deriveReplyKeys`). */
  readonly keyBA: Uint8Array
  /** Partial topic A→B. */
  readonly topicAB: Uint8Array
  /** Partial topic B→A. */
  readonly topicBA: Uint8Array
  /**
   * The partial-topic rotation period the initiator proposes, milliseconds (uint32; 0: never
   * rotate). The responder uses it or refuses the handshake, so both sides share one schedule.
   */
  readonly topicRotationMs: number
}

/** The responder's reply, sealed under the keys derived from `keyBA`, on the B→A topic. */
export interface ReplyFrame {
  readonly type: 'reply'
  readonly sessionId: Uint8Array
  /** The responder's ephemeral public key. */
  readonly ephemeralKey: Uint8Array
}

/** One numbered application message, with a piggybacked ack. */
export interface DataFrame {
  readonly type: 'data'
  /** Per-direction number, from 1. */
  readonly number: number
  readonly ack: Ack
  /** Application bytes (at most {@link MAX_MESSAGE_BYTES}). */
  readonly payload: Uint8Array
}

/** A standalone ack. */
export interface AckFrame {
  readonly type: 'ack'
  readonly ack: Ack
}

/** The authenticated end of one direction, numbered after the last data message. */
export interface CloseFrame {
  readonly type: 'close'
  readonly number: number
  readonly ack: Ack
}

/** Any session frame. */
export type Frame = HandshakeFrame | ReplyFrame | DataFrame | AckFrame | CloseFrame

/** Frame type names. */
export type FrameType = Frame['type']

const TYPE_CODES: Readonly<Record<FrameType, number>> = { handshake: 1, reply: 2, data: 3, ack: 4, close: 5 }
const HANDSHAKE_BODY_BYTES = SESSION_ID_BYTES + 8 + 2 * PUBLIC_KEY_BYTES + 2 * KEY_BYTES + 2 * TOPIC_BYTES + 4
const REPLY_BODY_BYTES = SESSION_ID_BYTES + PUBLIC_KEY_BYTES
const ACK_BODY_BYTES = 8

/** The size class a frame of `length` bytes pads to, or undefined when none holds it. */
function sizeClassFor(length: number): number | undefined {
  return FRAME_SIZE_CLASSES_BYTES.find((c) => c >= length)
}

function checkKey(value: Uint8Array, label: string, length: number): void {
  assertBytes(value, label, length)
}

function checkAck(ack: Ack, label: string): void {
  if (typeof ack !== 'object' || ack === null) throw new TypeError(`${label} must be an object`)
  assertInt(ack.base, `${label}.base`, 0, MAX_MESSAGE_NUMBER)
  assertInt(ack.bitmap, `${label}.bitmap`, 0, 0xffff_ffff)
}

function bodyOf(frame: Frame): Uint8Array {
  switch (frame.type) {
    case 'handshake': {
      checkKey(frame.sessionId, 'frame.sessionId', SESSION_ID_BYTES)
      assertInt(frame.createdAtMs, 'frame.createdAtMs')
      checkKey(frame.recipientKey, 'frame.recipientKey', PUBLIC_KEY_BYTES)
      checkKey(frame.ephemeralKey, 'frame.ephemeralKey', PUBLIC_KEY_BYTES)
      checkKey(frame.keyAB, 'frame.keyAB', KEY_BYTES)
      checkKey(frame.keyBA, 'frame.keyBA', KEY_BYTES)
      checkKey(frame.topicAB, 'frame.topicAB', TOPIC_BYTES)
      checkKey(frame.topicBA, 'frame.topicBA', TOPIC_BYTES)
      assertInt(frame.topicRotationMs, 'frame.topicRotationMs', 0, 0xffff_ffff)
      const body = new Uint8Array(HANDSHAKE_BODY_BYTES)
      const view = new DataView(body.buffer)
      let p = 0
      body.set(frame.sessionId, p)
      p += SESSION_ID_BYTES
      view.setBigUint64(p, BigInt(frame.createdAtMs))
      p += 8
      for (const part of [frame.recipientKey, frame.ephemeralKey, frame.keyAB, frame.keyBA, frame.topicAB, frame.topicBA]) {
        body.set(part, p)
        p += part.length
      }
      view.setUint32(p, frame.topicRotationMs)
      return body
    }
    case 'reply': {
      checkKey(frame.sessionId, 'frame.sessionId', SESSION_ID_BYTES)
      checkKey(frame.ephemeralKey, 'frame.ephemeralKey', PUBLIC_KEY_BYTES)
      const body = new Uint8Array(REPLY_BODY_BYTES)
      body.set(frame.sessionId, 0)
      body.set(frame.ephemeralKey, SESSION_ID_BYTES)
      return body
    }
    case 'data':
    case 'close': {
      assertInt(frame.number, 'frame.number', 1, MAX_MESSAGE_NUMBER)
      checkAck(frame.ack, 'frame.ack')
      const payload = frame.type === 'data' ? frame.payload : new Uint8Array(0)
      assertBytes(payload, 'frame.payload')
      if (payload.length > MAX_MESSAGE_BYTES) {
        throw new RangeError(`frame.payload must be at most ${MAX_MESSAGE_BYTES} bytes, got ${payload.length}`)
      }
      const body = new Uint8Array(DATA_FIXED_BYTES + payload.length)
      const view = new DataView(body.buffer)
      view.setUint32(0, frame.number)
      view.setUint32(4, frame.ack.base)
      view.setUint32(8, frame.ack.bitmap)
      body.set(payload, DATA_FIXED_BYTES)
      return body
    }
    case 'ack': {
      checkAck(frame.ack, 'frame.ack')
      const body = new Uint8Array(ACK_BODY_BYTES)
      const view = new DataView(body.buffer)
      view.setUint32(0, frame.ack.base)
      view.setUint32(4, frame.ack.bitmap)
      return body
    }
    default:
      throw new TypeError('frame.type must be one of handshake, reply, data, ack, close')
  }
}

/**
 * Encodes a frame, zero-padded to its size class.
 * @throws {TypeError | RangeError} when a field has the wrong type or length, or the payload
 *   exceeds {@link MAX_MESSAGE_BYTES}
 * @example
 * ```ts
 * const bytes = encodeFrame({ type: 'ack', ack: { base: 3, bitmap: 0 } }) // 256 bytes
 * ```
 */
export function encodeFrame(frame: Frame): Uint8Array {
  if (typeof frame !== 'object' || frame === null) throw new TypeError('frame must be an object')
  const body = bodyOf(frame)
  const size = sizeClassFor(FRAME_HEADER_BYTES + body.length) as number
  const out = new Uint8Array(size)
  out[0] = FRAME_VERSION
  out[1] = TYPE_CODES[frame.type]
  new DataView(out.buffer).setUint16(2, body.length)
  out.set(body, FRAME_HEADER_BYTES)
  return out
}

function invalid(message: string): never {
  throw new InvalidFrameError(message)
}

function readAck(view: DataView, offset: number): Ack {
  return { base: view.getUint32(offset), bitmap: view.getUint32(offset + 4) }
}

function readPublicKey(bytes: Uint8Array, offset: number, label: string): Uint8Array {
  const key = bytes.slice(offset, offset + PUBLIC_KEY_BYTES)
  if (!isValidPublicKey(key)) invalid(`${label} is not an uncompressed secp256k1 public key`)
  return key
}

/**
 * Decodes one padded frame strictly. Returned byte fields are copies.
 * @throws {InvalidFrameError} when the bytes are not exactly one canonical frame
 * @example
 * ```ts
 * const frame = decodeFrame(bytes)
 * if (frame.type === 'data') deliver(frame.number, frame.payload)
 * ```
 */
export function decodeFrame(bytes: Uint8Array): Frame {
  assertBytes(bytes, 'bytes')
  if (!FRAME_SIZE_CLASSES_BYTES.includes(bytes.length)) invalid(`frame of ${bytes.length} bytes is not a size class`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (bytes[0] !== FRAME_VERSION) invalid(`unknown frame version ${bytes[0]}`)
  const code = bytes[1]
  const bodyLength = view.getUint16(2)
  const end = FRAME_HEADER_BYTES + bodyLength
  if (end > bytes.length) invalid(`body of ${bodyLength} bytes runs past the end`)
  if (sizeClassFor(end) !== bytes.length) invalid('frame is padded past its smallest size class')
  for (let i = end; i < bytes.length; i++) if (bytes[i] !== 0) invalid('padding is not all zeros')
  const body = bytes.subarray(FRAME_HEADER_BYTES, end)
  const bodyView = new DataView(body.buffer, body.byteOffset, body.byteLength)
  const expectLength = (n: number, name: string): void => {
    if (bodyLength !== n) invalid(`${name} body must be ${n} bytes, got ${bodyLength}`)
  }
  const readNumber = (): number => {
    const n = bodyView.getUint32(0)
    if (n === 0) invalid('message number 0')
    return n
  }
  switch (code) {
    case 1: {
      expectLength(HANDSHAKE_BODY_BYTES, 'handshake')
      const createdAt = bodyView.getBigUint64(SESSION_ID_BYTES)
      if (createdAt > BigInt(Number.MAX_SAFE_INTEGER)) invalid('createdAtMs out of range')
      let p = SESSION_ID_BYTES + 8
      const recipientKey = readPublicKey(body, p, 'recipientKey')
      p += PUBLIC_KEY_BYTES
      const ephemeralKey = readPublicKey(body, p, 'ephemeralKey')
      p += PUBLIC_KEY_BYTES
      const take = (n: number): Uint8Array => body.slice(p, (p += n))
      return {
        type: 'handshake',
        sessionId: body.slice(0, SESSION_ID_BYTES),
        createdAtMs: Number(createdAt),
        recipientKey,
        ephemeralKey,
        keyAB: take(KEY_BYTES),
        keyBA: take(KEY_BYTES),
        topicAB: take(TOPIC_BYTES),
        topicBA: take(TOPIC_BYTES),
        topicRotationMs: bodyView.getUint32(HANDSHAKE_BODY_BYTES - 4),
      }
    }
    case 2:
      expectLength(REPLY_BODY_BYTES, 'reply')
      return { type: 'reply', sessionId: body.slice(0, SESSION_ID_BYTES), ephemeralKey: readPublicKey(body, SESSION_ID_BYTES, 'ephemeralKey') }
    case 3:
      if (bodyLength < DATA_FIXED_BYTES) invalid(`data body of ${bodyLength} bytes is too short`)
      return { type: 'data', number: readNumber(), ack: readAck(bodyView, 4), payload: body.slice(DATA_FIXED_BYTES) }
    case 4:
      expectLength(ACK_BODY_BYTES, 'ack')
      return { type: 'ack', ack: readAck(bodyView, 0) }
    case 5:
      expectLength(DATA_FIXED_BYTES, 'close')
      return { type: 'close', number: readNumber(), ack: readAck(bodyView, 4) }
    default:
      return invalid(`unknown frame type ${code}`)
  }
}
