/**
 * Pool entries: what the caller hands in ({@link PoolEntryInit}) and what the pool hands back:
 * {@link EntryInfo} records of entries that left, {@link PoolEntry} snapshots of pooled ones.
 * Neither points into the pool's storage.
 */
import { decodeEnvelope, MAX_ENVELOPE_SIZE_BYTES, MAX_UINT32, TOPIC_LENGTH_BYTES, type Envelope } from '@hush/envelope'
import { assertBytes, assertInt, assertNumber, assertTime } from './assert.ts'
import { HASH_LENGTH_BYTES } from './constants.ts'
import { keyOfWords } from './hash-index.ts'
import { keyToHash, type HashKey } from './hash-key.ts'

/**
 * What the caller passes to `Pool.add`: an envelope, its canonical bytes, and the values computed
 * once on ingest. The pool copies `raw` into its own storage and keeps neither object.
 */
export interface PoolEntryInit {
  /**
   * The decoded envelope. The pool reads its expiry, TTL, topic and data length only, and does
   * not keep it.
   */
  readonly envelope: Envelope
  /**
   * The envelope's canonical RLP (`encodeEnvelope(envelope)`, or the received bytes that decoded
   * to it). The pool copies it into its slabs and does not keep this array; it checks only that
   * the length fits the envelope, so bytes of a different envelope are the caller's mistake.
   */
  readonly raw: Uint8Array
  /** Its 32-byte hash (Keccak-256 of the RLP, spec §2.3). The pool keeps only its compact key. */
  readonly hash: Uint8Array
  /** Its PoW value, computed once by the caller (with @hush/pow's `powOf`). */
  readonly pow: number
  /**
   * Its rating, computed by the caller (with @hush/pow's rating function); higher is kept longer
   * and forwarded first. The pool only compares it.
   */
  readonly rating: number
  /**
   * Unix seconds when the envelope arrived.
   * @default the `now` passed to `add`
   */
  readonly arrival?: number
  /** Id of the peer that sent it; absent for the node's own envelopes (no quota applies). */
  readonly peer?: string | undefined
}

/**
 * What the pool knows about an entry, copied out of its tables when handed out: every field is a
 * plain value that never changes, so a record stays valid forever, whatever the pool does next.
 * (`key` and `hash` are getters over the copied hash, built on read: spreading a record into a
 * plain object leaves them out.) It carries no bytes. `prune`, `delete` and `AddResult.evicted` return these for entries that
 * have left the pool (their bytes are gone; the key is what a caller needs to forget them).
 */
export interface EntryInfo {
  /** The compact key of the hash (see `hashKey`): compare entries by it, not by identity. */
  readonly key: HashKey
  /** The 32-byte hash, rebuilt from `key` on each read (a fresh array). */
  readonly hash: Uint8Array
  /** The PoW value given to `add`. */
  readonly pow: number
  /** The rating given to `add`. */
  readonly rating: number
  /** Unix seconds of arrival. */
  readonly arrival: number
  /** The envelope's expiry, unix seconds (copied at `add`). */
  readonly expiry: number
  /** Bytes counted against the pool's bound: Whisper's `size()`, 20 + data length (spec §2.4). */
  readonly bytes: number
  /** The peer it came from, or `undefined` for an own envelope. */
  readonly peer: string | undefined
}

/**
 * A pooled entry as `get`, `select` and `entries` hand it out: an {@link EntryInfo} snapshot plus
 * the envelope's bytes, which it copies out of the pool on first read. Nothing in it is a view
 * into the pool's storage, so holding it while the pool changes (across an `await`, say) is safe:
 * - `key`, `hash` and the numbers are fixed when it is made, and stay valid forever;
 * - `raw` and `envelope` are read on first access: if the entry is still pooled then, `raw` is a
 *   copy of its canonical RLP (kept by this object from then on) and `envelope` is decoded from
 *   that copy; if it has left the pool before the first read, both are `undefined`. They never
 *   show another envelope's bytes.
 *
 * For sending bytes at once without a copy, use `pool.getRaw(key)`, the one zero-copy accessor.
 */
export interface PoolEntry extends EntryInfo {
  /**
   * The envelope's canonical RLP, copied out of the pool on first read (then owned by this object),
   * or `undefined` when the entry had already left the pool at that first read.
   */
  readonly raw: Uint8Array | undefined
  /**
   * The envelope decoded from `raw` on first read (its `topic` and `data` are views into that
   * copy), or `undefined` when `raw` is.
   */
  readonly envelope: Envelope | undefined
}

/**
 * The plain record of an entry (see {@link EntryInfo}); the pool keeps no per-entry object. It
 * copies the hash's 8 words (not a view of the pool's index) and builds the `key` string only on
 * its first read: the node never reads the key of most evicted records, and building it cost an
 * evicting `add` about a tenth of its time.
 */
export class EntryRecord implements EntryInfo {
  readonly pow: number
  readonly rating: number
  readonly arrival: number
  readonly expiry: number
  readonly bytes: number
  readonly peer: string | undefined
  #key: HashKey | undefined
  readonly #w0: number
  readonly #w1: number
  readonly #w2: number
  readonly #w3: number
  readonly #w4: number
  readonly #w5: number
  readonly #w6: number
  readonly #w7: number

  /** Copies the given fields, and the hash's 8 little-endian int32 words at `words[at..]`. */
  constructor(
    words: Int32Array, at: number,
    pow: number, rating: number, arrival: number, expiry: number, bytes: number, peer: string | undefined
  ) {
    this.pow = pow
    this.rating = rating
    this.arrival = arrival
    this.expiry = expiry
    this.bytes = bytes
    this.peer = peer
    this.#key = undefined
    this.#w0 = words[at]
    this.#w1 = words[at + 1]
    this.#w2 = words[at + 2]
    this.#w3 = words[at + 3]
    this.#w4 = words[at + 4]
    this.#w5 = words[at + 5]
    this.#w6 = words[at + 6]
    this.#w7 = words[at + 7]
  }

  /** The compact key of the hash (see `hashKey`), built on first read from the copied words. */
  get key(): HashKey {
    this.#key ??= keyOfWords(this.#w0, this.#w1, this.#w2, this.#w3, this.#w4, this.#w5, this.#w6, this.#w7)
    return this.#key
  }

  /** The 32-byte hash, rebuilt from the key. */
  get hash(): Uint8Array {
    return keyToHash(this.key)
  }
}

/**
 * Where an {@link EntryView} gets its bytes: a copy of the bytes of the entry with `key` and
 * insertion number `seq`, or `undefined` when that entry is no longer pooled.
 */
export type RawCopier = (key: HashKey, seq: number) => Uint8Array | undefined

/** Marks a view whose bytes were asked for but had left the pool. */
const GONE = new Uint8Array(0)

/**
 * A pooled entry handed out by `get`, `select` or `entries`: an {@link EntryRecord} plus its bytes,
 * copied on first read from the entry with the same key and insertion number, if it is still
 * pooled (a later envelope with the same hash is a different entry and is not read).
 */
export class EntryView extends EntryRecord implements PoolEntry {
  readonly #seq: number
  readonly #copy: RawCopier
  #raw: Uint8Array | undefined
  #envelope: Envelope | undefined

  /** `seq` is the entry's insertion number, `copy` reads its bytes from the pool; the rest as {@link EntryRecord}'s. */
  constructor(
    words: Int32Array, at: number, seq: number, copy: RawCopier,
    pow: number, rating: number, arrival: number, expiry: number, bytes: number, peer: string | undefined
  ) {
    super(words, at, pow, rating, arrival, expiry, bytes, peer)
    this.#seq = seq
    this.#copy = copy
  }

  /** A copy of the raw bytes, made on first read while the entry is pooled; else `undefined`. */
  get raw(): Uint8Array | undefined {
    this.#raw ??= this.#copy(this.key, this.#seq) ?? GONE
    return this.#raw === GONE ? undefined : this.#raw
  }

  /** The envelope decoded from `raw` (views into that copy), decoded once; else `undefined`. */
  get envelope(): Envelope | undefined {
    if (this.#envelope === undefined) {
      const raw = this.raw
      if (raw === undefined) return undefined
      this.#envelope = decodeEnvelope(raw, { maxSizeBytes: MAX_ENVELOPE_SIZE_BYTES })
    }
    return this.#envelope
  }
}

/** Shortest RLP of an envelope beyond its data (1-byte headers, empty integers, 1-byte data). */
const RLP_MIN_OVERHEAD_BYTES = 9
/** Longest: a 4-byte list header, 5-byte uint32s, the topic item, a 4-byte data header, 9-byte nonce. */
const RLP_MAX_OVERHEAD_BYTES = 32

/**
 * The checks of {@link checkEntry} on an entry's fields (read once by the caller) as one
 * expression that throws nothing: true only when every check passes (`(x >>> 0) === x` is "an
 * integer in [0, MAX_UINT32]" for a number `x`; `x >= 0` is false for NaN). When it is false,
 * {@link checkEntry} throws the error that names the field.
 */
export function isWellFormedEntry(
  expiry: unknown, ttl: unknown, topic: unknown, data: unknown, raw: unknown, hash: unknown,
  pow: unknown, rating: unknown, arrival: unknown, peer: unknown
): boolean {
  return (
    typeof expiry === 'number' && expiry >>> 0 === expiry &&
    typeof ttl === 'number' && ttl >>> 0 === ttl &&
    topic instanceof Uint8Array && topic.length === TOPIC_LENGTH_BYTES &&
    data instanceof Uint8Array &&
    raw instanceof Uint8Array &&
    raw.length >= data.length + RLP_MIN_OVERHEAD_BYTES && raw.length <= data.length + RLP_MAX_OVERHEAD_BYTES && raw[0] >= 0xc0 &&
    hash instanceof Uint8Array && hash.length === HASH_LENGTH_BYTES &&
    typeof pow === 'number' && pow >= 0 &&
    typeof rating === 'number' && !Number.isNaN(rating) &&
    (arrival === undefined || (typeof arrival === 'number' && arrival >= 0 && arrival < Infinity)) &&
    (peer === undefined || typeof peer === 'string')
  )
}

/**
 * Checks an entry init handed to `Pool.add`, one field at a time (the pool calls it only once
 * {@link isWellFormedEntry} has said no, to name the field).
 * @throws {TypeError | RangeError} naming the malformed field
 */
export function checkEntry(entry: PoolEntryInit): void {
  if (typeof entry !== 'object' || entry === null) throw new TypeError('entry must be an object')
  const envelope = entry.envelope
  if (typeof envelope !== 'object' || envelope === null) throw new TypeError('entry.envelope must be an object')
  assertInt(envelope.expiry, 'entry.envelope.expiry', 0, MAX_UINT32)
  assertInt(envelope.ttl, 'entry.envelope.ttl', 0, MAX_UINT32)
  assertBytes(envelope.topic, 'entry.envelope.topic', TOPIC_LENGTH_BYTES)
  assertBytes(envelope.data, 'entry.envelope.data')
  const raw = entry.raw
  assertBytes(raw, 'entry.raw')
  const dataLength = envelope.data.length
  if (raw.length < dataLength + RLP_MIN_OVERHEAD_BYTES || raw.length > dataLength + RLP_MAX_OVERHEAD_BYTES || raw[0] < 0xc0) {
    throw new RangeError(`entry.raw must be the RLP of entry.envelope: ${raw.length} bytes for ${dataLength} bytes of data`)
  }
  assertBytes(entry.hash, 'entry.hash', HASH_LENGTH_BYTES)
  assertNumber(entry.pow, 'entry.pow', 0)
  assertNumber(entry.rating, 'entry.rating')
  if (entry.arrival !== undefined) assertTime(entry.arrival, 'entry.arrival')
  if (entry.peer !== undefined && typeof entry.peer !== 'string') throw new TypeError('entry.peer must be a string')
}
