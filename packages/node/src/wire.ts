/**
 * The `/shh/6.0.0` frame codec (design.md §2, docs/WIRE.md): each frame is one RLP list
 * `[code, body]` where `body` is what devp2p would carry for that shh/6 packet code. Length
 * prefixes are handled by {@link FrameDecoder} and {@link encodeLengthPrefix}.
 */
import {
  BLOOM_LENGTH_BYTES,
  DEFAULT_MAX_ENVELOPE_SIZE_BYTES,
  type Bloom,
  type RlpItem,
  decodeRlp,
  encodeRlp,
  readRlpItem,
  scanRlpItem,
  rlpHeaderLength,
  uintToBytes,
  writeRlpHeader,
} from '@hush/envelope'
import {
  CODE_BLOOM_FILTER,
  CODE_KNOWN_HASHES,
  CODE_MESSAGES,
  CODE_P2P_COMPLETE,
  CODE_P2P_MESSAGE,
  CODE_P2P_REQUEST,
  CODE_POW_REQUIREMENT,
  CODE_STATUS,
  DEFAULT_MIN_POW,
  MAX_KNOWN_HASHES_PER_FRAME,
  MAX_P2P_COMPLETE_BODY_BYTES,
  PROTOCOL_VERSION,
} from './constants.ts'
import { InvalidFrameError } from './errors.ts'

/** The status packet (code 0): geth's four items plus our clock and max-size extensions. */
export interface Status {
  /** Protocol version; always 6. */
  version: number
  /** The sender's minimum PoW. */
  minPow: number
  /** The sender's bloom; `undefined` for a full node (sent as an empty byte string). */
  bloom: Bloom | undefined
  /** Whether the sender is a light node. */
  isLight: boolean
  /** The sender's clock in unix milliseconds, if it sent one. */
  clockMs: number | undefined
  /** The largest envelope `size()` the sender accepts, in bytes. */
  maxSizeBytes: number
}

/** A decoded frame. Envelopes stay raw bytes (views into the frame) until the router decodes them. */
export type Frame =
  | { code: typeof CODE_STATUS; status: Status }
  | { code: typeof CODE_MESSAGES; envelopes: Uint8Array[] }
  | { code: typeof CODE_POW_REQUIREMENT; minPow: number }
  | { code: typeof CODE_BLOOM_FILTER; bloom: Bloom }
  | { code: typeof CODE_P2P_REQUEST | typeof CODE_P2P_MESSAGE; envelope: Uint8Array }
  /** `body`: the encoded RLP list (header included), a view into the frame. */
  | { code: typeof CODE_P2P_COMPLETE; body: Uint8Array }
  | { code: typeof CODE_KNOWN_HASHES; hashes: Uint8Array[] }
  | { code: number; unknown: true }

const fail = (message: string): never => {
  throw new InvalidFrameError(message)
}

/** The uint64 bit pattern of a float64 PoW as a minimal RLP integer (geth; 0.0 → empty). */
export function powToBytes(pow: number): Uint8Array {
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, pow)
  return uintToBytes(view.getBigUint64(0))
}

/** Reads a PoW from a 0–8 byte big-endian float64 bit pattern; rejects NaN, ±Infinity and negatives. */
export function powFromBytes(bytes: Uint8Array): number {
  if (bytes.length > 8) fail('PoW wider than 8 bytes')
  if (bytes.length > 0 && bytes[0] === 0) fail('PoW has a leading zero byte')
  const padded = new Uint8Array(8)
  padded.set(bytes, 8 - bytes.length)
  const pow = new DataView(padded.buffer).getFloat64(0)
  if (!Number.isFinite(pow) || pow < 0) fail('PoW is NaN, infinite or negative')
  return pow
}

function uintFrom(bytes: Uint8Array, maxBytes: number, field: string): number {
  if (bytes.length > maxBytes) fail(`${field} wider than ${maxBytes} bytes`)
  if (bytes.length > 0 && bytes[0] === 0) fail(`${field} has a leading zero byte`)
  let v = 0
  for (const b of bytes) v = v * 256 + b
  return v
}

const RLP_TRUE = Uint8Array.of(1)
const EMPTY = new Uint8Array(0)

/** Encodes a frame `[code, body]` as RLP (without the length prefix). */
function frame(code: number, body: RlpItem): Uint8Array {
  return encodeRlp([uintToBytes(code), body])
}

/** Encodes a status frame. */
export function encodeStatusFrame(status: Omit<Status, 'version'>): Uint8Array {
  const items: RlpItem[] = [
    uintToBytes(PROTOCOL_VERSION),
    powToBytes(status.minPow),
    status.bloom ?? EMPTY,
    status.isLight ? RLP_TRUE : EMPTY,
  ]
  if (status.clockMs !== undefined) items.push(uintToBytes(status.clockMs))
  else items.push(EMPTY)
  items.push(uintToBytes(status.maxSizeBytes))
  return frame(CODE_STATUS, items)
}

/** Encodes a PoW requirement frame (code 2). */
export function encodePowFrame(minPow: number): Uint8Array {
  return frame(CODE_POW_REQUIREMENT, powToBytes(minPow))
}

/** Encodes a bloom filter frame (code 3). */
export function encodeBloomFrame(bloom: Bloom): Uint8Array {
  if (bloom.length !== BLOOM_LENGTH_BYTES) throw new RangeError('bloom must be 64 bytes')
  return frame(CODE_BLOOM_FILTER, bloom)
}

/** Encodes a known-hashes frame (our code 20): hashes of envelopes the sender already has. */
export function encodeKnownHashesFrame(hashes: readonly Uint8Array[]): Uint8Array {
  return frame(CODE_KNOWN_HASHES, [...hashes])
}

/** Encodes a p2p message (code 127) or request (code 126) carrying one raw envelope. */
export function encodeP2PFrame(code: typeof CODE_P2P_MESSAGE | typeof CODE_P2P_REQUEST, envelope: Uint8Array): Uint8Array {
  return concatFrame(code, [envelope], false)
}

/**
 * Why `body` cannot be the body of a p2p-complete frame (code 125), or `undefined` when it can:
 * exactly one canonical RLP list of at most {@link MAX_P2P_COMPLETE_BODY_BYTES} bytes, encoded.
 */
function p2pCompleteBodyError(body: Uint8Array): string | undefined {
  if (body.length > MAX_P2P_COMPLETE_BODY_BYTES) return `p2p complete body is over ${MAX_P2P_COMPLETE_BODY_BYTES} bytes`
  try {
    if (!Array.isArray(decodeRlp(body))) return 'p2p complete body is not a list'
  } catch (err) {
    return `p2p complete body is not RLP: ${(err as Error).message}`
  }
  return undefined
}

/**
 * Encodes a p2p-complete frame (code 125) around `body`, one encoded RLP list (copied once).
 * @throws {TypeError} when `body` is not a Uint8Array
 * @throws {RangeError} when `body` is not one canonical RLP list of at most 4096 bytes
 */
export function encodeP2PCompleteFrame(body: Uint8Array): Uint8Array {
  if (!(body instanceof Uint8Array)) throw new TypeError('body must be a Uint8Array')
  const error = p2pCompleteBodyError(body)
  if (error !== undefined) throw new RangeError(error)
  return concatFrame(CODE_P2P_COMPLETE, [body], false)
}

/** Size in bytes of a messages frame carrying envelopes whose raw sizes add up to `envelopeBytes`. */
export function messagesFrameSize(envelopeBytes: number): number {
  return rlpHeaderLength(rlpHeaderLength(envelopeBytes) + envelopeBytes + 1) + rlpHeaderLength(envelopeBytes) + envelopeBytes + 1
}

/**
 * Encodes a messages frame (code 1) from raw, canonical envelope RLP, copying each once.
 */
export function encodeMessagesFrame(envelopes: readonly Uint8Array[]): Uint8Array {
  return concatFrame(CODE_MESSAGES, envelopes, true)
}

function concatFrame(code: number, items: readonly Uint8Array[], asList: boolean): Uint8Array {
  let payload = 0
  for (const e of items) payload += e.length
  const body = asList ? rlpHeaderLength(payload) + payload : payload
  const codeLen = code < 0x80 ? 1 : 2
  const total = codeLen + body
  const out = new Uint8Array(rlpHeaderLength(total) + total)
  let pos = writeRlpHeader(out, 0, total, 0xc0)
  if (code === 0) out[pos++] = 0x80
  else if (code < 0x80) out[pos++] = code
  else {
    out[pos++] = 0x81
    out[pos++] = code
  }
  if (asList) pos = writeRlpHeader(out, pos, payload, 0xc0)
  for (const e of items) {
    out.set(e, pos)
    pos += e.length
  }
  return out
}

/**
 * Decodes one frame (without its length prefix). Envelopes are returned as raw views into
 * `bytes`, to be decoded (and hashed) one by one so that one bad envelope does not hide the rest.
 * Unknown codes decode to `{ code, unknown: true }` and are ignored by the router (spec §7.4).
 * @throws {InvalidFrameError} when the frame is not canonical RLP `[code, body]` or a known
 * packet's body is malformed
 */
export function decodeFrame(bytes: Uint8Array): Frame {
  try {
    return decodeFrameUnchecked(bytes)
  } catch (err) {
    if (err instanceof InvalidFrameError) throw err
    throw new InvalidFrameError(`malformed frame: ${(err as Error).message}`, { cause: err })
  }
}

function decodeFrameUnchecked(bytes: Uint8Array): Frame {
  const outer = readRlpItem(bytes, 0)
  if (!outer.isList) fail('frame is not a list')
  if (outer.next !== bytes.length) fail('trailing bytes after the frame')
  const codeItem = readRlpItem(bytes, outer.start, outer.end)
  if (codeItem.isList) fail('frame code is a list')
  const code = uintFrom(bytes.subarray(codeItem.start, codeItem.end), 1, 'code')
  const bodyItem = readRlpItem(bytes, codeItem.next, outer.end)
  if (bodyItem.next !== outer.end) fail('frame has more than two items')
  const body = bytes.subarray(bodyItem.start, bodyItem.end)
  switch (code) {
    case CODE_STATUS:
      if (!bodyItem.isList) fail('status body is not a list')
      return { code, status: decodeStatusBody(bytes, bodyItem.start, bodyItem.end) }
    case CODE_MESSAGES: {
      if (!bodyItem.isList) fail('messages body is not a list')
      const envelopes: Uint8Array[] = []
      let pos = bodyItem.start
      while (pos < bodyItem.end) {
        // One item per envelope: read its bounds without an object each.
        const next = scanRlpItem(bytes, pos, bodyItem.end, itemBounds)
        envelopes.push(bytes.subarray(pos, next))
        pos = next
      }
      return { code, envelopes }
    }
    case CODE_POW_REQUIREMENT:
      if (bodyItem.isList) fail('PoW requirement is a list')
      return { code, minPow: powFromBytes(body) }
    case CODE_BLOOM_FILTER:
      if (bodyItem.isList || body.length !== BLOOM_LENGTH_BYTES) fail('bloom is not 64 bytes')
      return { code, bloom: body }
    case CODE_P2P_REQUEST:
    case CODE_P2P_MESSAGE:
      if (!bodyItem.isList) fail('p2p body is not an envelope list')
      return { code, envelope: bytes.subarray(codeItem.next, bodyItem.next) }
    case CODE_P2P_COMPLETE: {
      const encoded = bytes.subarray(codeItem.next, bodyItem.next)
      const error = p2pCompleteBodyError(encoded)
      if (error !== undefined) fail(error)
      return { code, body: encoded }
    }
    case CODE_KNOWN_HASHES: {
      if (!bodyItem.isList) fail('known hashes body is not a list')
      const hashes: Uint8Array[] = []
      let pos = bodyItem.start
      while (pos < bodyItem.end) {
        if (hashes.length >= MAX_KNOWN_HASHES_PER_FRAME) fail('too many known hashes in one frame')
        const item = readRlpItem(bytes, pos, bodyItem.end)
        if (item.isList || item.end - item.start !== 32) fail('known hash is not 32 bytes')
        hashes.push(bytes.subarray(item.start, item.end))
        pos = item.next
      }
      return { code, hashes }
    }
    default:
      return { code, unknown: true }
  }
}

/** Scratch bounds for {@link scanRlpItem} (decoding never nests). */
const itemBounds = new Float64Array(2)

function decodeStatusBody(bytes: Uint8Array, start: number, end: number): Status {
  const items: Uint8Array[] = []
  let pos = start
  while (pos < end) {
    const item = readRlpItem(bytes, pos, end)
    // Items after the sixth are ignored for forward compatibility, whatever their shape.
    if (items.length < 6) {
      if (item.isList) fail('status item is a list')
      items.push(bytes.subarray(item.start, item.end))
    }
    pos = item.next
  }
  if (items.length === 0) fail('status has no version')
  const version = uintFrom(items[0], 4, 'version')
  if (version !== PROTOCOL_VERSION) fail(`unsupported version ${version}`)
  const minPow = items.length > 1 ? powFromBytes(items[1]) : DEFAULT_MIN_POW
  let bloom: Bloom | undefined
  if (items.length > 2 && items[2].length > 0) {
    if (items[2].length !== BLOOM_LENGTH_BYTES) fail('status bloom is neither empty nor 64 bytes')
    // A copy: a view would keep the whole received chunk alive for as long as the peer is connected.
    bloom = items[2].slice()
  }
  // geth ignores errors in the light flag: anything but 0x01 reads as false.
  const isLight = items.length > 3 && items[3].length === 1 && items[3][0] === 1
  const clockMs = items.length > 4 && items[4].length > 0 ? uintFrom(items[4], 7, 'clock') : undefined
  const maxSizeBytes = items.length > 5 ? uintFrom(items[5], 4, 'max size') : DEFAULT_MAX_ENVELOPE_SIZE_BYTES
  return { version, minPow, bloom, isLight, clockMs, maxSizeBytes }
}
