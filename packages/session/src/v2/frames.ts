/**
 * Session v2 record frames (docs/SESSION.md §8.1–8.2): the plaintext of every ratchet record.
 *
 * ```
 * version(1) = 2 ‖ type(1) ‖ bodyLength(u16) ‖ body ‖ zero padding   (to 256, 1024 or 4096)
 * ```
 *
 * | type | name  | body                                  |
 * | ---- | ----- | ------------------------------------- |
 * | 2    | data  | `seq(u32) ‖ ack ‖ payload`            |
 * | 3    | ack   | `ack` (5 to 37 B)                     |
 * | 4    | close | `seq(u32) ‖ ack` (9 to 41 B)          |
 *
 * where `ack = ackBase(u32) ‖ n(u8) ‖ ackBitmap[0..n)`: the 256-bit bitmap without its trailing
 * zero bytes (n ≤ 32, and byte n − 1 is not zero), so an ack with nothing out of order costs 5
 * bytes and a data frame 9 bytes before its payload. Type 1 (init) lives only inside msg1 and
 * always has 208 bytes (`init-frame.ts`); a record carrying it is refused here. Ack bitmap bit `i`
 * (byte `⌊i/8⌋`, mask `0x80 >> (i mod 8)`) says that `seq = ackBase + 1 + i` was received; bit 0
 * is always 0. Decoding is strict: anything but the one canonical encoding throws
 * {@link InvalidFrameError}, which the session counts as a refused record (reason `frame`).
 */
import { assertBytes, assertInt } from '../assert.ts'
import { FRAME_HEADER_BYTES, FRAME_SIZE_CLASSES_BYTES } from '../constants.ts'
import { InvalidFrameError } from '../errors.ts'

/** Version byte of every v2 frame. */
const FRAME_VERSION = 2
/** Numbers one ack reports: the base plus a 256-bit bitmap (§9.1, the in-flight cap). */
const ACK_WINDOW = 256
/** Bytes of the ack bitmap. */
const ACK_BITMAP_BYTES: number = ACK_WINDOW / 8
/** `ackBase(4) ‖ n(1)`: an ack without its bitmap bytes. */
const ACK_FIXED_BYTES = 5
/** `seq(4)` before the ack of data and close frames. */
const SEQ_BYTES = 4
/**
 * The largest payload of one data frame: `4096 − 4 − 4 − 5 − 32` (§8.2), so that it fits whatever
 * the ack it carries.
 */
export const MAX_MESSAGE_BYTES: number = 4096 - FRAME_HEADER_BYTES - SEQ_BYTES - ACK_FIXED_BYTES - ACK_BITMAP_BYTES
const MAX_U32 = 0xffff_ffff

const TYPE_CODES = { data: 2, ack: 3, close: 4 } as const
const INIT_TYPE_CODE = 1

/** An acknowledgement: every `seq ≤ base`, plus bit `i` of `bitmap` for `seq = base + 1 + i`. */
export interface Ack {
  /** Highest `seq` below which everything was received or skipped (0: nothing yet). */
  readonly base: number
  /** 32 bytes; bit 0 (mask 0x80 of byte 0) is always 0. */
  readonly bitmap: Uint8Array
}

/** One numbered application message, with the current ack. */
export interface DataFrame {
  readonly type: 'data'
  /** Per-direction number over data and close frames, from 1. */
  readonly seq: number
  readonly ack: Ack
  /** Application bytes, at most {@link MAX_MESSAGE_BYTES}. */
  readonly payload: Uint8Array
}

/** A standalone ack: no `seq`, never acknowledged, never resent. */
export interface AckFrame {
  readonly type: 'ack'
  readonly ack: Ack
}

/** The authenticated end of one direction, numbered after its last data frame. */
export interface CloseFrame {
  readonly type: 'close'
  readonly seq: number
  readonly ack: Ack
}

/** Any frame a ratchet record carries. */
export type RecordFrame = DataFrame | AckFrame | CloseFrame

/** The smallest size class that holds `length` bytes, or undefined when none does. */
function sizeClassFor(length: number): number | undefined {
  return FRAME_SIZE_CLASSES_BYTES.find((c) => c >= length)
}

/**
 * Whether `ack` reports `seq` as received.
 * @throws {TypeError | RangeError} when `seq` is not an integer in [1, 2^32 − 1]
 */
export function ackCovers(ack: Ack, seq: number): boolean {
  assertInt(seq, 'seq', 1, MAX_U32)
  if (seq <= ack.base) return true
  const i = seq - ack.base - 1
  if (i >= ACK_WINDOW) return false
  return (ack.bitmap[i >> 3] & (0x80 >> (i & 7))) !== 0
}

function checkAck(ack: Ack): void {
  if (typeof ack !== 'object' || ack === null) throw new TypeError('frame.ack must be an object')
  assertInt(ack.base, 'frame.ack.base', 0, MAX_U32)
  assertBytes(ack.bitmap, 'frame.ack.bitmap', ACK_BITMAP_BYTES)
  if ((ack.bitmap[0] & 0x80) !== 0) throw new RangeError('frame.ack.bitmap bit 0 must be 0 (ackBase + 1 would be in the base)')
}

/** Bytes of `bitmap` up to its last non-zero byte (0 when it is empty). */
function trimmedLength(bitmap: Uint8Array): number {
  let n = bitmap.length
  while (n > 0 && bitmap[n - 1] === 0) n--
  return n
}

/** Writes `ack` at `offset` (base, length, trimmed bitmap); returns the bytes written. */
function writeAck(view: DataView, out: Uint8Array, offset: number, ack: Ack): number {
  const n = trimmedLength(ack.bitmap)
  view.setUint32(offset, ack.base)
  out[offset + 4] = n
  out.set(ack.bitmap.subarray(0, n), offset + ACK_FIXED_BYTES)
  return ACK_FIXED_BYTES + n
}

/**
 * Encodes a data, ack or close frame, zero-padded to the smallest size class that holds it.
 * @throws {TypeError | RangeError} when a field has the wrong type or range (naming it), or the
 *   payload exceeds {@link MAX_MESSAGE_BYTES}
 * @example
 * ```ts
 * const bytes = encodeFrame({ type: 'ack', ack: { base: 3, bitmap: new Uint8Array(32) } }) // 256 bytes
 * ```
 */
export function encodeFrame(frame: RecordFrame): Uint8Array {
  if (typeof frame !== 'object' || frame === null) throw new TypeError('frame must be an object')
  if (frame.type !== 'data' && frame.type !== 'ack' && frame.type !== 'close') {
    throw new TypeError('frame.type must be one of data, ack, close')
  }
  checkAck(frame.ack)
  const ackBytes = ACK_FIXED_BYTES + trimmedLength(frame.ack.bitmap)
  let bodyLength = ackBytes
  let payload: Uint8Array | undefined
  if (frame.type !== 'ack') {
    assertInt(frame.seq, 'frame.seq', 1, MAX_U32)
    bodyLength += SEQ_BYTES
    if (frame.type === 'data') {
      payload = frame.payload
      assertBytes(payload, 'frame.payload')
      if (payload.length > MAX_MESSAGE_BYTES) {
        throw new RangeError(`frame.payload must be at most ${MAX_MESSAGE_BYTES} bytes, got ${payload.length}`)
      }
      bodyLength += payload.length
    }
  }
  const out = new Uint8Array(sizeClassFor(FRAME_HEADER_BYTES + bodyLength) as number)
  const view = new DataView(out.buffer)
  out[0] = FRAME_VERSION
  out[1] = TYPE_CODES[frame.type]
  view.setUint16(2, bodyLength)
  if (frame.type === 'ack') {
    writeAck(view, out, FRAME_HEADER_BYTES, frame.ack)
  } else {
    view.setUint32(FRAME_HEADER_BYTES, frame.seq)
    const written = writeAck(view, out, FRAME_HEADER_BYTES + SEQ_BYTES, frame.ack)
    if (payload !== undefined) out.set(payload, FRAME_HEADER_BYTES + SEQ_BYTES + written)
  }
  return out
}

function invalid(message: string): never {
  throw new InvalidFrameError(message)
}

/**
 * Reads the ack at `offset` of a body ending at `end`: its value and the bytes it took. Refuses a
 * bitmap longer than 32 bytes, one with trailing zero bytes (not canonical), or bit 0 set.
 */
function readAck(bytes: Uint8Array, view: DataView, offset: number, end: number): { ack: Ack; length: number } {
  if (offset + ACK_FIXED_BYTES > end) invalid('ack runs past the body')
  const n = bytes[offset + 4]
  if (n > ACK_BITMAP_BYTES) invalid(`ack bitmap of ${n} bytes`)
  if (offset + ACK_FIXED_BYTES + n > end) invalid('ack bitmap runs past the body')
  if (n > 0 && bytes[offset + ACK_FIXED_BYTES + n - 1] === 0) invalid('ack bitmap ends in a zero byte')
  const bitmap = new Uint8Array(ACK_BITMAP_BYTES)
  bitmap.set(bytes.subarray(offset + ACK_FIXED_BYTES, offset + ACK_FIXED_BYTES + n))
  if ((bitmap[0] & 0x80) !== 0) invalid('ack bitmap bit 0 is set')
  return { ack: { base: view.getUint32(offset), bitmap }, length: ACK_FIXED_BYTES + n }
}

function readSeq(view: DataView): number {
  const seq = view.getUint32(FRAME_HEADER_BYTES)
  if (seq === 0) invalid('seq 0')
  return seq
}

/**
 * Decodes one padded record frame strictly (§8.2): the size must be the smallest class that
 * holds the body, the version 2, the type data, ack or close, fixed bodies exactly their length,
 * the padding all zeros, `seq ≥ 1` and ack bitmap bit 0 clear. Returned byte fields are copies.
 * @throws {InvalidFrameError} when the bytes are not exactly one canonical record frame
 * @example
 * ```ts
 * const frame = decodeFrame(opened.frame)
 * if (frame.type === 'data') deliver(frame.seq, frame.payload)
 * ```
 */
export function decodeFrame(bytes: Uint8Array): RecordFrame {
  assertBytes(bytes, 'bytes')
  if (!FRAME_SIZE_CLASSES_BYTES.includes(bytes.length)) invalid(`frame of ${bytes.length} bytes is not a size class`)
  if (bytes[0] !== FRAME_VERSION) invalid(`unknown frame version ${bytes[0]}`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const code = bytes[1]
  const bodyLength = view.getUint16(2)
  const end = FRAME_HEADER_BYTES + bodyLength
  if (end > bytes.length) invalid(`body of ${bodyLength} bytes runs past the end`)
  if (sizeClassFor(end) !== bytes.length) invalid('frame is padded past its smallest size class')
  for (let i = end; i < bytes.length; i++) if (bytes[i] !== 0) invalid('padding is not all zeros')
  switch (code) {
    case TYPE_CODES.data: {
      if (bodyLength < SEQ_BYTES + ACK_FIXED_BYTES) invalid(`data body of ${bodyLength} bytes is too short`)
      const { ack, length } = readAck(bytes, view, FRAME_HEADER_BYTES + SEQ_BYTES, end)
      return { type: 'data', seq: readSeq(view), ack, payload: bytes.slice(FRAME_HEADER_BYTES + SEQ_BYTES + length, end) }
    }
    case TYPE_CODES.ack: {
      const { ack, length } = readAck(bytes, view, FRAME_HEADER_BYTES, end)
      if (length !== bodyLength) invalid(`ack body must be ${length} bytes, got ${bodyLength}`)
      return { type: 'ack', ack }
    }
    case TYPE_CODES.close: {
      if (bodyLength < SEQ_BYTES + ACK_FIXED_BYTES) invalid(`close body of ${bodyLength} bytes is too short`)
      const { ack, length } = readAck(bytes, view, FRAME_HEADER_BYTES + SEQ_BYTES, end)
      if (SEQ_BYTES + length !== bodyLength) invalid(`close body must be ${SEQ_BYTES + length} bytes, got ${bodyLength}`)
      return { type: 'close', seq: readSeq(view), ack }
    }
    case INIT_TYPE_CODE:
      return invalid('an init frame is only valid inside msg1')
    default:
      return invalid(`unknown frame type ${code}`)
  }
}
