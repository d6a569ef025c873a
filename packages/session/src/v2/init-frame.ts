/**
 * The init frame (docs/SESSION.md §8.3), the payload of msg1: `02 01 0008 ‖ createdAtMs(u64) ‖
 * zero ×196`, always exactly 208 bytes so that msg1 is 340. `createdAtMs` is the joiner's clock
 * when it joined; the inviter catches up A's early data from it (§5.3 step 6).
 */
import { assertBytes, assertInt } from '../assert.ts'
import { InvalidFrameError } from '../errors.ts'

/** Bytes of the init frame. */
const INIT_FRAME_BYTES = 208
const FRAME_VERSION = 2
const INIT_TYPE = 1
const BODY_BYTES = 8

/**
 * The 208-byte init frame carrying `createdAtMs`.
 * @throws {TypeError | RangeError} when `createdAtMs` is not a non-negative safe integer
 */
export function encodeInitFrame(createdAtMs: number): Uint8Array {
  assertInt(createdAtMs, 'createdAtMs')
  const frame = new Uint8Array(INIT_FRAME_BYTES)
  const view = new DataView(frame.buffer)
  frame[0] = FRAME_VERSION
  frame[1] = INIT_TYPE
  view.setUint16(2, BODY_BYTES)
  view.setBigUint64(4, BigInt(createdAtMs))
  return frame
}

/**
 * The `createdAtMs` of an init frame, decoded strictly: exactly 208 bytes, version 2, type 1,
 * body length 8, a value within `Number.MAX_SAFE_INTEGER`, and zero padding.
 * @throws {InvalidFrameError} when any of those fails
 * @throws {TypeError} when `frame` is not a Uint8Array
 */
export function decodeInitFrame(frame: Uint8Array): number {
  assertBytes(frame, 'frame')
  if (frame.length !== INIT_FRAME_BYTES) throw new InvalidFrameError(`init frame must be ${INIT_FRAME_BYTES} bytes, got ${frame.length}`)
  const view = new DataView(frame.buffer, frame.byteOffset, frame.length)
  if (frame[0] !== FRAME_VERSION) throw new InvalidFrameError(`init frame version must be 2, got ${frame[0]}`)
  if (frame[1] !== INIT_TYPE) throw new InvalidFrameError(`init frame type must be 1, got ${frame[1]}`)
  if (view.getUint16(2) !== BODY_BYTES) throw new InvalidFrameError(`init frame body must be 8 bytes, got ${view.getUint16(2)}`)
  const createdAtMs = view.getBigUint64(4)
  if (createdAtMs > BigInt(Number.MAX_SAFE_INTEGER)) throw new InvalidFrameError('init frame createdAtMs is beyond 2^53 - 1')
  for (let i = 4 + BODY_BYTES; i < INIT_FRAME_BYTES; i++) {
    if (frame[i] !== 0) throw new InvalidFrameError('init frame padding is not zero')
  }
  return Number(createdAtMs)
}
