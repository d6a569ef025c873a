/**
 * Strict, allocation-light RLP: the encoder writes canonical RLP, the reader accepts only canonical
 * RLP (shortest length forms, no prefixed single bytes) and never reads past its bounds. Errors are
 * {@link InvalidRlpError}; callers that decode a protocol object re-throw their own named error.
 */
import { InvalidRlpError } from './errors.ts'

/** An RLP value: a byte string or a list of values. */
export type RlpItem = Uint8Array | RlpItem[]

/** Limits for {@link decodeRlp}. */
export interface RlpLimits {
  /** Deepest list nesting accepted. @default 16 */
  maxDepth?: number
  /** Most items accepted in one list. @default 65536 */
  maxListItems?: number
}

/** Where one RLP item sits inside a byte array: `[start, end)` is its payload, `next` follows it. */
export interface RlpItemBounds {
  isList: boolean
  start: number
  end: number
  next: number
}

/** Number of bytes needed to write `n` big-endian without leading zeros (0 for 0). */
function byteLength(n: number): number {
  let len = 0
  while (n > 0) {
    len++
    n = Math.floor(n / 256)
  }
  return len
}

/** Length of the RLP header for a payload of `length` bytes (string or list). */
export function rlpHeaderLength(length: number): number {
  return length < 56 ? 1 : 1 + byteLength(length)
}

/** Length of the canonical RLP encoding of the byte string `bytes`. */
function rlpBytesLength(bytes: Uint8Array): number {
  if (bytes.length === 1 && bytes[0] < 0x80) return 1
  return rlpHeaderLength(bytes.length) + bytes.length
}

/** Writes a string (`offset` 0x80) or list (`offset` 0xc0) header at `pos`; returns the new position. */
export function writeRlpHeader(out: Uint8Array, pos: number, length: number, offset: 0x80 | 0xc0): number {
  if (length < 56) {
    out[pos] = offset + length
    return pos + 1
  }
  const lenLen = byteLength(length)
  out[pos] = offset + 55 + lenLen
  for (let i = lenLen; i >= 1; i--) {
    out[pos + i] = length & 0xff
    length = Math.floor(length / 256)
  }
  return pos + 1 + lenLen
}

/** Writes the canonical RLP encoding of `bytes` at `pos`; returns the new position. */
export function writeRlpBytes(out: Uint8Array, pos: number, bytes: Uint8Array): number {
  if (bytes.length === 1 && bytes[0] < 0x80) {
    out[pos] = bytes[0]
    return pos + 1
  }
  pos = writeRlpHeader(out, pos, bytes.length, 0x80)
  out.set(bytes, pos)
  return pos + bytes.length
}

/** Minimal big-endian bytes of a non-negative integer (empty for 0), as RLP integers require. */
export function uintToBytes(value: number | bigint): Uint8Array {
  let v = BigInt(value)
  if (v < 0n) throw new RangeError('value must be non-negative')
  const out: number[] = []
  while (v > 0n) {
    out.unshift(Number(v & 0xffn))
    v >>= 8n
  }
  return Uint8Array.from(out)
}

/** Reads a canonical RLP integer payload (no leading zero byte) of at most `maxBytes` bytes. */
export function bytesToUint(bytes: Uint8Array, maxBytes: number): bigint {
  if (bytes.length > maxBytes) throw new InvalidRlpError(`integer wider than ${maxBytes} bytes`)
  if (bytes.length > 0 && bytes[0] === 0) throw new InvalidRlpError('integer has a leading zero byte')
  let v = 0n
  for (const b of bytes) v = (v << 8n) | BigInt(b)
  return v
}

/** Encodes any {@link RlpItem} canonically. */
export function encodeRlp(item: RlpItem): Uint8Array {
  const out = new Uint8Array(encodedLength(item))
  writeItem(out, 0, item)
  return out
}

function encodedLength(item: RlpItem): number {
  if (item instanceof Uint8Array) return rlpBytesLength(item)
  let payload = 0
  for (const child of item) payload += encodedLength(child)
  return rlpHeaderLength(payload) + payload
}

function writeItem(out: Uint8Array, pos: number, item: RlpItem): number {
  if (item instanceof Uint8Array) return writeRlpBytes(out, pos, item)
  let payload = 0
  for (const child of item) payload += encodedLength(child)
  pos = writeRlpHeader(out, pos, payload, 0xc0)
  for (const child of item) pos = writeItem(out, pos, child)
  return pos
}

/**
 * Reads the header of the RLP item starting at `pos`, which must end at or before `limit`.
 * @throws {InvalidRlpError} when the header is truncated, non-canonical or overruns `limit`
 */
export function readRlpItem(bytes: Uint8Array, pos: number, limit: number = bytes.length): RlpItemBounds {
  const end = scanRlpItem(bytes, pos, limit, scratchBounds)
  return { isList: scratchBounds[1] === 1, start: scratchBounds[0], end, next: end }
}

/** Scratch bounds of `readRlpItem` (calls never nest). */
const scratchBounds = new Float64Array(2)

/**
 * {@link readRlpItem} without an object, for hot decoders: reads the header of the item at `pos`
 * (ending at or before `limit`), writes its payload start to `out[0]` and 1 (a list) or 0 (a
 * byte string) to `out[1]`, and returns its end, which is also where the next item starts.
 * @throws {InvalidRlpError} when the header is truncated, non-canonical or overruns `limit`
 */
export function scanRlpItem(bytes: Uint8Array, pos: number, limit: number, out: Float64Array): number {
  if (pos >= limit) throw new InvalidRlpError('unexpected end of input')
  const prefix = bytes[pos]
  if (prefix < 0x80) {
    out[0] = pos
    out[1] = 0
    return pos + 1
  }
  const isList = prefix >= 0xc0
  const base = isList ? 0xc0 : 0x80
  const short = prefix - base
  let start: number
  let length: number
  if (short < 56) {
    start = pos + 1
    length = short
    if (!isList && length === 1) {
      if (start >= limit) throw new InvalidRlpError('unexpected end of input')
      if (bytes[start] < 0x80) throw new InvalidRlpError('single byte below 0x80 must not be prefixed')
    }
  } else {
    const lenLen = short - 55
    if (pos + 1 + lenLen > limit) throw new InvalidRlpError('unexpected end of input in length')
    if (bytes[pos + 1] === 0) throw new InvalidRlpError('length has a leading zero byte')
    length = 0
    for (let i = 0; i < lenLen; i++) length = length * 256 + bytes[pos + 1 + i]
    if (length < 56) throw new InvalidRlpError('long form used for a short length')
    start = pos + 1 + lenLen
  }
  const end = start + length
  if (end > limit) throw new InvalidRlpError('item overruns its container')
  out[0] = start
  out[1] = isList ? 1 : 0
  return end
}

/**
 * Decodes canonical RLP into nested arrays of byte strings (views into `bytes`, not copies).
 * @throws {InvalidRlpError} when `bytes` is not exactly one canonical RLP item within the limits
 */
export function decodeRlp(bytes: Uint8Array, limits: RlpLimits = {}): RlpItem {
  const maxDepth = limits.maxDepth ?? 16
  const maxListItems = limits.maxListItems ?? 65536
  const head = readRlpItem(bytes, 0)
  if (head.next !== bytes.length) throw new InvalidRlpError('trailing bytes after the RLP item')
  return decodeAt(bytes, head, 0, maxDepth, maxListItems)
}

function decodeAt(bytes: Uint8Array, item: RlpItemBounds, depth: number, maxDepth: number, maxItems: number): RlpItem {
  if (!item.isList) return bytes.subarray(item.start, item.end)
  if (depth >= maxDepth) throw new InvalidRlpError(`lists nested deeper than ${maxDepth}`)
  const out: RlpItem[] = []
  let pos = item.start
  while (pos < item.end) {
    if (out.length >= maxItems) throw new InvalidRlpError(`list longer than ${maxItems} items`)
    const child = readRlpItem(bytes, pos, item.end)
    out.push(decodeAt(bytes, child, depth + 1, maxDepth, maxItems))
    pos = child.next
  }
  return out
}
