/**
 * The Whisper v6 envelope (spec §2): an RLP list `[expiry, ttl, topic, data, nonce]` with
 * canonical integers, a 4-byte topic and the encrypted payload in `data`.
 */
import { assertBigUint, assertBytes, assertUint } from './assert.ts'
import {
  DEFAULT_MAX_ENVELOPE_SIZE_BYTES,
  ENVELOPE_HEADER_BYTES,
  MAX_ENVELOPE_SIZE_BYTES,
  MAX_UINT32,
  MAX_UINT64,
  TOPIC_LENGTH_BYTES,
} from './constants.ts'
import { InvalidEnvelopeError } from './errors.ts'
import { keccak256 } from './keccak.ts'
import { rlpHeaderLength, scanRlpItem, writeRlpBytes, writeRlpHeader } from './rlp.ts'
import type { Topic } from './topic.ts'

/** A Whisper v6 envelope. Times are unix seconds. */
export interface Envelope {
  /** Unix time in seconds after which the envelope is dropped (uint32). */
  readonly expiry: number
  /** Time to live in seconds (uint32); the envelope was sent at `expiry - ttl`. */
  readonly ttl: number
  /** The 4-byte topic. */
  readonly topic: Topic
  /** The encrypted payload (ECIES or AES-256-GCM ciphertext). */
  readonly data: Uint8Array
  /** The proof-of-work nonce (uint64). */
  readonly nonce: bigint
}

/** Limits for {@link decodeEnvelope}. */
export interface EnvelopeLimits {
  /**
   * Largest accepted `size()` (20 + data length), in bytes.
   * @default 1048576 (geth's default maximum message size)
   */
  maxSizeBytes?: number
}

/** Slack for RLP headers when bounding raw input before parsing: 3 list/length headers + fields. */
const RLP_OVERHEAD_BYTES = 32

function uint32Length(v: number): number {
  return v === 0 ? 0 : v < 0x100 ? 1 : v < 0x1_0000 ? 2 : v < 0x100_0000 ? 3 : 4
}

function uint64Length(v: bigint): number {
  let len = 0
  while (v > 0n) {
    len++
    v >>= 8n
  }
  return len
}

/** RLP length of an integer whose minimal big-endian form is `len` bytes and value `v`. */
function rlpUintLength(len: number, lowByte: number): number {
  return len === 1 && lowByte < 0x80 ? 1 : 1 + len
}

function writeUint32(out: Uint8Array, pos: number, v: number): number {
  const len = uint32Length(v)
  if (len === 1 && v < 0x80) {
    out[pos] = v
    return pos + 1
  }
  out[pos++] = 0x80 + len
  for (let i = len - 1; i >= 0; i--) out[pos++] = (v >>> (8 * i)) & 0xff
  return pos
}

function writeUint64(out: Uint8Array, pos: number, v: bigint): number {
  const len = uint64Length(v)
  if (len === 1 && v < 0x80n) {
    out[pos] = Number(v)
    return pos + 1
  }
  out[pos++] = 0x80 + len
  for (let i = len - 1; i >= 0; i--) out[pos++] = Number((v >> BigInt(8 * i)) & 0xffn)
  return pos
}

function checkEnvelope(envelope: Envelope): void {
  if (typeof envelope !== 'object' || envelope === null) throw new TypeError('envelope must be an object')
  assertUint(envelope.expiry, 'envelope.expiry', MAX_UINT32)
  assertUint(envelope.ttl, 'envelope.ttl', MAX_UINT32)
  assertBytes(envelope.topic, 'envelope.topic', TOPIC_LENGTH_BYTES)
  assertBytes(envelope.data, 'envelope.data')
  assertBigUint(envelope.nonce, 'envelope.nonce', MAX_UINT64)
}

/** Payload length of `[expiry, ttl, topic, data]` (the list body without its header). */
function bodyLengthWithoutNonce(e: Envelope): number {
  const dataLen = e.data.length === 1 && e.data[0] < 0x80 ? 1 : rlpHeaderLength(e.data.length) + e.data.length
  return (
    rlpUintLength(uint32Length(e.expiry), e.expiry) +
    rlpUintLength(uint32Length(e.ttl), e.ttl) +
    1 +
    TOPIC_LENGTH_BYTES +
    dataLen
  )
}

function writeBodyWithoutNonce(out: Uint8Array, pos: number, e: Envelope): number {
  pos = writeUint32(out, pos, e.expiry)
  pos = writeUint32(out, pos, e.ttl)
  pos = writeRlpBytes(out, pos, e.topic)
  return writeRlpBytes(out, pos, e.data)
}

/**
 * Canonical RLP of the whole envelope, byte-identical to geth's `rlp.Encode(envelope)`.
 * @throws {TypeError | RangeError} when a field is missing, of the wrong type or out of range
 * @example
 * ```ts
 * const bytes = encodeEnvelope({ expiry: 1764072050, ttl: 50, topic, data, nonce: 7n })
 * ```
 */
export function encodeEnvelope(envelope: Envelope): Uint8Array {
  checkEnvelope(envelope)
  const nonceLen = uint64Length(envelope.nonce)
  const body = bodyLengthWithoutNonce(envelope) + (nonceLen === 1 && envelope.nonce < 0x80n ? 1 : 1 + nonceLen)
  const out = new Uint8Array(rlpHeaderLength(body) + body)
  let pos = writeRlpHeader(out, 0, body, 0xc0)
  pos = writeBodyWithoutNonce(out, pos, envelope)
  writeUint64(out, pos, envelope.nonce)
  return out
}

/**
 * RLP of `[expiry, ttl, topic, data]`: the bytes the PoW hash covers, followed by the nonce
 * (spec §2.2, §3.1). Its length is the divisor of the PoW value in geth ≥ 1.9.
 * @throws {TypeError | RangeError} when a field is missing, of the wrong type or out of range
 */
export function encodeEnvelopeWithoutNonce(envelope: Envelope): Uint8Array {
  checkEnvelope(envelope)
  const body = bodyLengthWithoutNonce(envelope)
  const out = new Uint8Array(rlpHeaderLength(body) + body)
  writeBodyWithoutNonce(out, writeRlpHeader(out, 0, body, 0xc0), envelope)
  return out
}

/**
 * Whisper's `size()`: 20 + data length (spec §2.4). The max-size check and PoW sealing targets use it.
 */
export function envelopeSize(envelope: Envelope): number {
  return ENVELOPE_HEADER_BYTES + envelope.data.length
}

/**
 * The envelope hash: Keccak-256 of its full canonical RLP (spec §2.3), its identity everywhere.
 * For received bytes already known to be canonical, `keccak256(bytes)` gives the same value
 * without re-encoding.
 */
export function envelopeHash(envelope: Envelope): Uint8Array {
  return keccak256(encodeEnvelope(envelope))
}

function fail(message: string, cause?: unknown): never {
  throw new InvalidEnvelopeError(message, cause === undefined ? undefined : { cause })
}

/** Bounds of the item `decodeEnvelope` read last (payload start, is-list); calls never nest. */
const itemBounds = new Float64Array(2)

/** Scans the envelope field at `pos` (a byte string, not a list) into `at`; returns its end. */
function scanField(bytes: Uint8Array, pos: number, limit: number, at: Float64Array): number {
  const end = scanRlpItem(bytes, pos, limit, at)
  if (at[1] === 1) fail('envelope field is a list')
  return end
}

/** The unsigned integer field in `bytes[start, end)`. */
function readUint(bytes: Uint8Array, start: number, end: number, maxBytes: number, field: string): number {
  const len = end - start
  if (len > maxBytes) fail(`${field} wider than ${maxBytes} bytes`)
  if (len > 0 && bytes[start] === 0) fail(`${field} has a leading zero byte`)
  let v = 0
  for (let i = start; i < end; i++) v = v * 256 + bytes[i]
  return v
}

/** The nonce in `bytes[start, end)` (at most 8 bytes): two BigInt steps at most, not one per byte. */
function readNonce(bytes: Uint8Array, start: number, end: number): bigint {
  const split = Math.max(start, end - 4)
  let hi = 0
  for (let i = start; i < split; i++) hi = hi * 256 + bytes[i]
  let lo = 0
  for (let i = split; i < end; i++) lo = lo * 256 + bytes[i]
  if (hi === 0) return BigInt(lo)
  return (BigInt(hi) << 32n) | BigInt(lo)
}

/**
 * Decodes one envelope strictly: canonical RLP, exactly five items, expiry and TTL uint32, a
 * 4-byte topic, a nonce of at most 8 bytes, no trailing bytes, and `size()` within the limit.
 * The returned `topic` and `data` are views into `bytes` (no copy); copy them to keep them
 * beyond the input buffer's life.
 * @throws {InvalidEnvelopeError} for anything else; never returns a partial object
 * @example
 * ```ts
 * const envelope = decodeEnvelope(bytes, { maxSizeBytes: 1024 * 1024 })
 * ```
 */
export function decodeEnvelope(bytes: Uint8Array, limits: EnvelopeLimits = {}): Envelope {
  assertBytes(bytes, 'bytes')
  const maxSize = limits.maxSizeBytes ?? DEFAULT_MAX_ENVELOPE_SIZE_BYTES
  assertUint(maxSize, 'limits.maxSizeBytes', MAX_ENVELOPE_SIZE_BYTES)
  if (bytes.length > maxSize + RLP_OVERHEAD_BYTES) fail(`envelope of ${bytes.length} bytes exceeds the limit`)
  try {
    // Item by item, with no object per item: this runs once per received envelope.
    const at = itemBounds
    const listEnd = scanRlpItem(bytes, 0, bytes.length, at)
    if (at[1] !== 1) fail('envelope is not an RLP list')
    if (listEnd !== bytes.length) fail('trailing bytes after the envelope')
    const end = listEnd
    const e0 = scanField(bytes, at[0], end, at)
    const expiry = readUint(bytes, at[0], e0, 4, 'expiry')
    const e1 = scanField(bytes, e0, end, at)
    const ttl = readUint(bytes, at[0], e1, 4, 'ttl')
    const e2 = scanField(bytes, e1, end, at)
    if (e2 - at[0] !== TOPIC_LENGTH_BYTES) fail('topic is not 4 bytes')
    const topic = bytes.subarray(at[0], e2)
    const e3 = scanField(bytes, e2, end, at)
    const data = bytes.subarray(at[0], e3)
    const e4 = scanField(bytes, e3, end, at)
    if (e4 !== end) fail('envelope has more than five items')
    const nonceStart = at[0]
    const nonceLen = e4 - nonceStart
    if (nonceLen > 8) fail('nonce wider than 8 bytes')
    if (nonceLen > 0 && bytes[nonceStart] === 0) fail('nonce has a leading zero byte')
    const nonce = readNonce(bytes, nonceStart, e4)
    if (ENVELOPE_HEADER_BYTES + data.length > maxSize) fail(`envelope size exceeds ${maxSize} bytes`)
    return { expiry, ttl, topic, data, nonce }
  } catch (err) {
    if (err instanceof InvalidEnvelopeError) throw err
    return fail(`malformed envelope RLP: ${(err as Error).message}`, err)
  }
}
