/**
 * The history-request protocol's payloads (docs/WIRE.md, "Mail server").
 *
 * A request travels as a code-126 envelope, symmetrically encrypted with the server's key and
 * signed. Its decrypted payload is one of:
 * - **geth's form** (v1.9 mail server): raw bytes `from (uint32 BE) ‖ to (uint32 BE) ‖ bloom (64)`;
 *   exactly 8 bytes means a full bloom, 9 to 71 bytes are refused, bytes after 72 are ignored.
 * - **the extended form**: the RLP list `[from, to, filter, limit, cursor]`, where `filter` is a
 *   64-byte bloom or a list of 4-byte topics (1 to 1000), `limit` 1 to 10,000 and `cursor` empty
 *   (start at `from`) or a 36-byte archive key. A payload that decodes completely as such a list is
 *   the extended form; anything else is read as geth's (a geth request could only look like one
 *   with `from` at or after 0xc0000000, the year 2072).
 *
 * The server answers with code-127 envelopes, and for the extended form ends the page with a
 * code-125 completion `[requestId, count, cursor, digest]`: the request envelope's hash, the number
 * of envelopes sent, where the next page starts (empty when the range is done) and the
 * {@link rangeDigest} of their hashes.
 */
import { BLOOM_LENGTH_BYTES, type Bloom, bytesToUint, decodeRlp, encodeRlp, FULL_BLOOM, type RlpItem, type Topic, uintToBytes } from '@hush/envelope'
import { MAX_PAGE_LIMIT } from './archive.ts'
import { assertBytes, assertInt, assertUint32 } from './assert.ts'
import { InvalidCompletionError, InvalidHistoryRequestError } from './errors.ts'
import { HASH_BYTES, KEY_BYTES } from './key.ts'
import { MAX_QUERY_TOPICS } from './query.ts'

/** A history request, as a client builds it and a server reads it. */
export type HistoryRequest =
  | {
      /** geth's form: everything sent in `[from, to]` whose topic matches `bloom`, no paging. */
      readonly format: 'geth'
      readonly from: number
      readonly to: number
      /** @default the full bloom */
      readonly bloom?: Bloom
    }
  | {
      /** The extended form: one page, with a limit, a cursor and a completion. */
      readonly format: 'extended'
      readonly from: number
      readonly to: number
      /** A bloom, or the topics themselves. */
      readonly filter: Bloom | readonly Topic[]
      readonly limit: number
      /** Where to continue (a previous completion's cursor), or `undefined` to start at `from`. */
      readonly cursor: Uint8Array | undefined
    }

/** A page's completion (code 125). */
export interface Completion {
  /** The hash of the request envelope this completes. */
  readonly requestId: Uint8Array
  /** Envelopes the server sent for this page. */
  readonly count: number
  /** Where the next page starts, or `undefined` when the range is done. */
  readonly cursor: Uint8Array | undefined
  /** {@link rangeDigest} of the hashes of the envelopes sent, in order. */
  readonly digest: Uint8Array
}

/** Bytes of geth's request payload without and with the bloom. */
const GETH_SHORT = 8
const GETH_FULL = 8 + BLOOM_LENGTH_BYTES

/**
 * The payload of a request.
 * @throws {TypeError | RangeError} naming the bad field
 */
export function encodeHistoryRequest(request: HistoryRequest): Uint8Array {
  if (typeof request !== 'object' || request === null) throw new TypeError('request must be an object')
  assertUint32(request.from, 'request.from')
  assertUint32(request.to, 'request.to')
  if (request.format === 'geth') {
    const out = new Uint8Array(request.bloom === undefined ? GETH_SHORT : GETH_FULL)
    const view = new DataView(out.buffer)
    view.setUint32(0, request.from)
    view.setUint32(4, request.to)
    if (request.bloom !== undefined) {
      assertBytes(request.bloom, 'request.bloom', BLOOM_LENGTH_BYTES)
      out.set(request.bloom, GETH_SHORT)
    }
    return out
  }
  if (request.format !== 'extended') throw new TypeError("request.format must be 'geth' or 'extended'")
  assertInt(request.limit, 'request.limit', 1, MAX_PAGE_LIMIT)
  let filter: RlpItem
  if (request.filter instanceof Uint8Array) {
    assertBytes(request.filter, 'request.filter', BLOOM_LENGTH_BYTES)
    filter = request.filter
  } else {
    if (!Array.isArray(request.filter)) throw new TypeError('request.filter must be a bloom or an array of topics')
    if (request.filter.length === 0 || request.filter.length > MAX_QUERY_TOPICS) {
      throw new RangeError(`request.filter must hold 1 to ${MAX_QUERY_TOPICS} topics, got ${request.filter.length}`)
    }
    request.filter.forEach((t, i) => assertBytes(t, `request.filter[${i}]`, 4))
    filter = [...request.filter]
  }
  if (request.cursor !== undefined) assertBytes(request.cursor, 'request.cursor', KEY_BYTES)
  return encodeRlp([uintToBytes(request.from), uintToBytes(request.to), filter, uintToBytes(request.limit), request.cursor ?? new Uint8Array(0)])
}

/**
 * Reads a request payload (bytes from anyone, after decryption).
 * @throws {InvalidHistoryRequestError} when it is neither form, or a field is out of range
 */
export function decodeHistoryRequest(payload: Uint8Array): HistoryRequest {
  if (!(payload instanceof Uint8Array)) throw new TypeError('payload must be a Uint8Array')
  const extended = payload.length > 0 && payload[0] >= 0xc0 ? readExtended(payload) : undefined
  if (extended !== undefined) return extended
  if (payload.length < GETH_SHORT) throw new InvalidHistoryRequestError(`request payload of ${payload.length} bytes, at least 8 needed`)
  if (payload.length > GETH_SHORT && payload.length < GETH_FULL) {
    throw new InvalidHistoryRequestError(`request payload of ${payload.length} bytes: a bloom needs 72`)
  }
  const view = new DataView(payload.buffer, payload.byteOffset, GETH_SHORT)
  const from = view.getUint32(0)
  const to = view.getUint32(4)
  if (to < from) throw new InvalidHistoryRequestError(`request range ends (${to}) before it starts (${from})`)
  const bloom = payload.length === GETH_SHORT ? FULL_BLOOM.slice() : payload.slice(GETH_SHORT, GETH_FULL)
  return { format: 'geth', from, to, bloom }
}

/** The extended form, or `undefined` when `payload` is not one complete 5-item RLP list. */
function readExtended(payload: Uint8Array): HistoryRequest | undefined {
  let item: RlpItem
  try {
    item = decodeRlp(payload, { maxDepth: 2, maxListItems: MAX_QUERY_TOPICS })
  } catch {
    return undefined
  }
  if (!Array.isArray(item) || item.length !== 5) return undefined
  const [fromItem, toItem, filterItem, limitItem, cursorItem] = item
  const from = uint32(fromItem, 'from')
  const to = uint32(toItem, 'to')
  if (to < from) throw new InvalidHistoryRequestError(`request range ends (${to}) before it starts (${from})`)
  const limit = uint32(limitItem, 'limit')
  if (limit < 1 || limit > MAX_PAGE_LIMIT) throw new InvalidHistoryRequestError(`request limit ${limit} is not in [1, ${MAX_PAGE_LIMIT}]`)
  let filter: Bloom | Topic[]
  if (filterItem instanceof Uint8Array) {
    if (filterItem.length !== BLOOM_LENGTH_BYTES) throw new InvalidHistoryRequestError(`request bloom of ${filterItem.length} bytes, expected 64`)
    filter = filterItem
  } else {
    if (filterItem.length === 0) throw new InvalidHistoryRequestError('request has an empty topic list')
    filter = filterItem.map((t) => {
      if (!(t instanceof Uint8Array) || t.length !== 4) throw new InvalidHistoryRequestError('request topic is not 4 bytes')
      return t
    })
  }
  if (!(cursorItem instanceof Uint8Array) || (cursorItem.length !== 0 && cursorItem.length !== KEY_BYTES)) {
    throw new InvalidHistoryRequestError('request cursor is neither empty nor a 36-byte key')
  }
  return { format: 'extended', from, to, filter, limit, cursor: cursorItem.length === 0 ? undefined : cursorItem }
}

/** A canonical RLP uint of at most 32 bits. */
function uint32(item: RlpItem, field: string): number {
  if (!(item instanceof Uint8Array)) throw new InvalidHistoryRequestError(`request ${field} is a list`)
  try {
    return Number(bytesToUint(item, 4))
  } catch (err) {
    throw new InvalidHistoryRequestError(`request ${field} is not a uint32`, { cause: err })
  }
}

/**
 * The body of a completion frame (code 125).
 * @throws {TypeError | RangeError} naming the bad field
 */
export function encodeCompletion(completion: Completion): Uint8Array {
  if (typeof completion !== 'object' || completion === null) throw new TypeError('completion must be an object')
  assertBytes(completion.requestId, 'completion.requestId', HASH_BYTES)
  assertInt(completion.count, 'completion.count', 0, MAX_PAGE_LIMIT)
  if (completion.cursor !== undefined) assertBytes(completion.cursor, 'completion.cursor', KEY_BYTES)
  assertBytes(completion.digest, 'completion.digest', HASH_BYTES)
  return encodeRlp([completion.requestId, uintToBytes(completion.count), completion.cursor ?? new Uint8Array(0), completion.digest])
}

/**
 * Reads a completion body (bytes from a peer).
 * @throws {InvalidCompletionError} when it is not `[requestId, count, cursor, digest]` with valid fields
 */
export function decodeCompletion(body: Uint8Array): Completion {
  if (!(body instanceof Uint8Array)) throw new TypeError('body must be a Uint8Array')
  let item: RlpItem
  try {
    item = decodeRlp(body, { maxDepth: 1, maxListItems: 4 })
  } catch (err) {
    throw new InvalidCompletionError('completion is not RLP', { cause: err })
  }
  if (!Array.isArray(item) || item.length !== 4 || item.some((i) => !(i instanceof Uint8Array))) {
    throw new InvalidCompletionError('completion is not a list of 4 strings')
  }
  const [requestId, countItem, cursor, digest] = item as Uint8Array[]
  if (requestId.length !== HASH_BYTES) throw new InvalidCompletionError('completion request id is not 32 bytes')
  if (digest.length !== HASH_BYTES) throw new InvalidCompletionError('completion digest is not 32 bytes')
  if (cursor.length !== 0 && cursor.length !== KEY_BYTES) throw new InvalidCompletionError('completion cursor is neither empty nor 36 bytes')
  let count: number
  try {
    count = Number(bytesToUint(countItem, 4))
  } catch (err) {
    throw new InvalidCompletionError('completion count is not a uint32', { cause: err })
  }
  if (count > MAX_PAGE_LIMIT) throw new InvalidCompletionError(`completion count ${count} is over ${MAX_PAGE_LIMIT}`)
  return { requestId, count, cursor: cursor.length === 0 ? undefined : cursor, digest }
}
