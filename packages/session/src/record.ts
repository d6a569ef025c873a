/**
 * Session records: the `data` of every envelope after the handshake (and of the reply).
 *
 * ```
 * AES-256-GCM(headerKey, number(4, big-endian))   32 bytes: ct(4) ‖ tag(16) ‖ nonce(12)
 * ‖ AES-256-GCM(bodyKey, frame)                   frame size class + 28 bytes
 * ```
 * The number is hidden from observers; it selects the body key: the ratchet's message key for
 * numbers ≥ 1, the direction's control key for 0 (acks); the reply's two keys come from keyBA.
 * So every record is 32 + 28 + 256, 1024 or 4096 bytes.
 */
import { DecryptionError, decryptSymmetric, encryptSymmetric } from '@hush/envelope'
import { assertInt } from './assert.ts'
import { MAX_MESSAGE_NUMBER } from './constants.ts'
import { RecordRejectedError } from './errors.ts'
import { decodeFrame, type Frame } from './frames.ts'

/** Length of the encrypted header. */
export const RECORD_HEADER_BYTES = 32

/**
 * Seals an encoded frame into a record.
 * @throws {RangeError} when `number` is not a uint32
 */
export function sealRecord(number: number, headerKey: Uint8Array, bodyKey: Uint8Array, frame: Uint8Array): Uint8Array {
  assertInt(number, 'number', 0, MAX_MESSAGE_NUMBER)
  const header = new Uint8Array(4)
  new DataView(header.buffer).setUint32(0, number)
  const sealedHeader = encryptSymmetric(header, headerKey)
  const body = encryptSymmetric(frame, bodyKey)
  const out = new Uint8Array(sealedHeader.length + body.length)
  out.set(sealedHeader, 0)
  out.set(body, sealedHeader.length)
  return out
}

function rejectOnDecryption<T>(what: string, f: () => T): T {
  try {
    return f()
  } catch (err) {
    if (err instanceof DecryptionError) throw new RecordRejectedError(`${what} does not decrypt`, { cause: err })
    throw err
  }
}

/**
 * The message number in a record's header.
 * @throws {RecordRejectedError} when the record is too short or the header does not decrypt
 */
export function openRecordNumber(record: Uint8Array, headerKey: Uint8Array): number {
  if (!(record instanceof Uint8Array) || record.length <= RECORD_HEADER_BYTES) throw new RecordRejectedError('record too short')
  const header = rejectOnDecryption('header', () => decryptSymmetric(record.subarray(0, RECORD_HEADER_BYTES), headerKey))
  if (header.length !== 4) throw new RecordRejectedError('header is not 4 bytes')
  return new DataView(header.buffer, header.byteOffset, 4).getUint32(0)
}

/**
 * Decrypts and decodes a record's frame.
 * @throws {RecordRejectedError} when the body does not decrypt under `bodyKey`
 * @throws {InvalidFrameError} when the plaintext is not a frame
 */
export function openRecordFrame(record: Uint8Array, bodyKey: Uint8Array): Frame {
  const plaintext = rejectOnDecryption('body', () => decryptSymmetric(record.subarray(RECORD_HEADER_BYTES), bodyKey))
  return decodeFrame(plaintext)
}
