/**
 * The Whisper v6 payload: the plaintext inside an envelope's `data` (spec §5.1–5.4).
 *
 * ```
 * flags(1) ‖ size(1–3, little-endian) ‖ payload ‖ padding ‖ [signature(65) = r ‖ s ‖ v]
 * ```
 * flags & 0x03 is the size-field length, flags & 0x04 marks the signature. Auto padding makes
 * the whole plaintext, signature included, a multiple of 256 bytes (geth `appendPadding`).
 */
import { assertBytes } from './assert.ts'
import {
  FLAGS_SIGNATURE_BIT,
  FLAGS_SIZE_MASK,
  MAX_PAYLOAD_LENGTH_BYTES,
  PADDING_BLOCK_BYTES,
  SIGNATURE_LENGTH_BYTES,
} from './constants.ts'
import { InvalidPayloadError } from './errors.ts'
import { keccak256 } from './keccak.ts'
import { assertPrivateKey } from './keys.ts'
import { fillRandom } from './random.ts'
import { recoverSigner, signDigest } from './signature.ts'

/** What goes into a payload plaintext. */
export interface PayloadInit {
  /** The application bytes (at most 16 MiB − 1). */
  payload: Uint8Array
  /**
   * Padding used verbatim, of any length. Empty or absent means automatic: 1–256 random bytes
   * so the plaintext including the signature is a multiple of 256 (geth: empty = auto).
   * @default automatic
   */
  padding?: Uint8Array
  /** A secp256k1 private key to sign with; unsigned when absent. */
  signingKey?: Uint8Array
}

/** A parsed payload plaintext. Byte fields are views into the parsed input (no copies). */
export interface UnwrappedPayload {
  /** The application bytes. */
  readonly payload: Uint8Array
  /** Everything between the payload and the signature (or the end). */
  readonly padding: Uint8Array
  /** The 65-byte signature r ‖ s ‖ v exactly as received, when the payload is signed. */
  readonly signature?: Uint8Array
  /** The signer's recovered 65-byte uncompressed public key, when the payload is signed. */
  readonly senderPublicKey?: Uint8Array
}

/** Length of the minimal size field for a payload of `length` bytes: always ≥ 1 (spec §5.1). */
export function sizeFieldLength(length: number): number {
  return length < 0x100 ? 1 : length < 0x1_0000 ? 2 : 3
}

/**
 * geth's auto padding length (1–256) for a payload of `payloadLength` bytes: what brings
 * flags + size field + payload + (65 if signed) up to the next multiple of 256, a full block
 * when it already is one (spec §5.2).
 */
export function autoPaddingLength(payloadLength: number, signed: boolean): number {
  const raw = 1 + sizeFieldLength(payloadLength) + payloadLength + (signed ? SIGNATURE_LENGTH_BYTES : 0)
  return PADDING_BLOCK_BYTES - (raw % PADDING_BLOCK_BYTES)
}

/**
 * Builds the payload plaintext: flags, the minimal little-endian size field, the payload,
 * padding and, with `signingKey`, the signature over Keccak-256 of everything before it
 * (the signature flag set first, spec §5.3).
 * @throws {TypeError | RangeError} when a field has the wrong type, the payload is 16 MiB or
 *   larger, or `signingKey` is not a valid private key
 * @example
 * ```ts
 * const plaintext = wrapPayload({ payload: utf8ToBytes('hi'), signingKey })
 * plaintext.length % 256 // 0
 * ```
 */
export function wrapPayload(init: PayloadInit): Uint8Array {
  if (typeof init !== 'object' || init === null) throw new TypeError('init must be an object')
  const { payload, padding, signingKey } = init
  assertBytes(payload, 'init.payload')
  if (payload.length > MAX_PAYLOAD_LENGTH_BYTES) {
    throw new RangeError(`init.payload must be at most ${MAX_PAYLOAD_LENGTH_BYTES} bytes, got ${payload.length}`)
  }
  if (padding !== undefined) assertBytes(padding, 'init.padding')
  const signed = signingKey !== undefined
  if (signed) assertPrivateKey(signingKey, 'init.signingKey')
  const n = sizeFieldLength(payload.length)
  const autoPad = padding === undefined || padding.length === 0
  const padLength = autoPad ? autoPaddingLength(payload.length, signed) : padding.length
  const bodyLength = 1 + n + payload.length + padLength
  const out = new Uint8Array(bodyLength + (signed ? SIGNATURE_LENGTH_BYTES : 0))
  out[0] = n | (signed ? FLAGS_SIGNATURE_BIT : 0)
  for (let i = 0; i < n; i++) out[1 + i] = (payload.length >>> (8 * i)) & 0xff
  out.set(payload, 1 + n)
  const padStart = 1 + n + payload.length
  if (autoPad) fillRandom(out.subarray(padStart, bodyLength))
  else out.set(padding, padStart)
  if (signed) out.set(signDigest(keccak256(out.subarray(0, bodyLength)), signingKey), bodyLength)
  return out
}

function invalid(message: string): never {
  throw new InvalidPayloadError(message)
}

/**
 * Parses a payload plaintext with the strictness of spec §5.4: bounds are checked before every
 * read, and a signature must recover a public key. Lenient where senders rely on it: unknown
 * flag bits are ignored, a size field wider than needed is accepted, and a zero-length size
 * field means an empty payload (geth). v may be 0/1 (as written) or 27/28.
 * The returned byte fields are views into `bytes`.
 * @throws {InvalidPayloadError} when the layout is malformed or the signature recovers nothing
 * @example
 * ```ts
 * const { payload, senderPublicKey } = unwrapPayload(plaintext)
 * ```
 */
export function unwrapPayload(bytes: Uint8Array): UnwrappedPayload {
  assertBytes(bytes, 'bytes')
  let end = bytes.length
  if (end < 1) invalid('empty payload plaintext')
  const flags = bytes[0]
  let signature: Uint8Array | undefined
  let senderPublicKey: Uint8Array | undefined
  if ((flags & FLAGS_SIGNATURE_BIT) !== 0) {
    end -= SIGNATURE_LENGTH_BYTES
    if (end <= 1) invalid('signed payload too short for its signature')
    signature = bytes.subarray(end)
    senderPublicKey = recoverSigner(keccak256(bytes.subarray(0, end)), signature)
    if (senderPublicKey === undefined) invalid('signature recovers no public key')
  }
  const n = flags & FLAGS_SIZE_MASK
  let size = 0
  if (n > 0) {
    if (1 + n > end) invalid('size field runs past the end')
    for (let i = n - 1; i >= 0; i--) size = size * 256 + bytes[1 + i]
    if (1 + n + size > end) invalid(`payload of ${size} bytes runs past the end`)
  }
  const payloadEnd = 1 + n + size
  const result: {
    payload: Uint8Array
    padding: Uint8Array
    signature?: Uint8Array
    senderPublicKey?: Uint8Array
  } = { payload: bytes.subarray(1 + n, payloadEnd), padding: bytes.subarray(payloadEnd, end) }
  if (signature !== undefined && senderPublicKey !== undefined) {
    result.signature = signature
    result.senderPublicKey = senderPublicKey
  }
  return result
}
