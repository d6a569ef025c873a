/**
 * Pool entries: what the caller hands in ({@link PoolEntryInit}) and what the pool hands back
 * ({@link PoolEntry}).
 */
import { decodeEnvelope, MAX_ENVELOPE_SIZE_BYTES, MAX_UINT32, TOPIC_LENGTH_BYTES, type Envelope } from '@hush/envelope'
import { assertBytes, assertInt, assertNumber, assertTime } from './assert.ts'
import { HASH_LENGTH_BYTES } from './constants.ts'
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
 * An envelope held by the pool, with what the pool knows about it: a read-only snapshot made on
 * each `get`, `select` or eviction (compare entries by `key`, not by identity).
 */
export interface PoolEntry {
  /** The compact key of the hash (see `hashKey`). */
  readonly key: HashKey
  /** The 32-byte hash, rebuilt from `key` on each read (a fresh array). */
  readonly hash: Uint8Array
  /**
   * The envelope's canonical RLP: a view into the pool's slab, not a copy. Do not write to it.
   * Use it at once (send it, hash it, copy it into a frame) or copy it (`raw.slice()`): it shows
   * the entry's bytes while the entry stays where it is, but once the entry is evicted, pruned,
   * deleted or moved by compaction, its old bytes may be overwritten from the pool's next `add`,
   * `delete` or `prune` on. Holding it also keeps its whole slab (up to 4 MiB) alive.
   */
  readonly raw: Uint8Array
  /**
   * The envelope, decoded from `raw` on first read (then cached on this snapshot): its `topic`
   * and `data` are views into the same slab bytes as `raw`, with the same caveats.
   */
  readonly envelope: Envelope
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
 * The object handed out for a pooled entry: a snapshot of its fields, made when asked for (the
 * pool itself keeps no per-entry object). `hash` is rebuilt from the key on each read; `raw` is
 * made on first read (most entries handed out, such as evictions or an on-connect scan, are never
 * asked for it), and `envelope` is decoded from `raw` on first read.
 */
export class EntryView implements PoolEntry {
  readonly key: HashKey
  readonly pow: number
  readonly rating: number
  readonly arrival: number
  readonly expiry: number
  readonly bytes: number
  readonly peer: string | undefined
  readonly #slab: Uint8Array
  readonly #offset: number
  readonly #length: number
  #raw: Uint8Array | undefined
  #envelope: Envelope | undefined

  /** Copies the given fields; the raw bytes are `length` bytes at `offset` in `slab`. */
  constructor(
    key: HashKey, slab: Uint8Array, offset: number, length: number,
    pow: number, rating: number, arrival: number, expiry: number, bytes: number, peer: string | undefined
  ) {
    this.key = key
    this.#slab = slab
    this.#offset = offset
    this.#length = length
    this.pow = pow
    this.rating = rating
    this.arrival = arrival
    this.expiry = expiry
    this.bytes = bytes
    this.peer = peer
  }

  /** The 32-byte hash, rebuilt from the key. */
  get hash(): Uint8Array {
    return keyToHash(this.key)
  }

  /** The raw bytes: a view into the slab, made once per snapshot. */
  get raw(): Uint8Array {
    this.#raw ??= this.#slab.subarray(this.#offset, this.#offset + this.#length)
    return this.#raw
  }

  /** The envelope decoded from `raw` (views into it), decoded once per snapshot. */
  get envelope(): Envelope {
    this.#envelope ??= decodeEnvelope(this.raw, { maxSizeBytes: MAX_ENVELOPE_SIZE_BYTES })
    return this.#envelope
  }
}

/** Shortest RLP of an envelope beyond its data (1-byte headers, empty integers, 1-byte data). */
const RLP_MIN_OVERHEAD_BYTES = 9
/** Longest: a 4-byte list header, 5-byte uint32s, the topic item, a 4-byte data header, 9-byte nonce. */
const RLP_MAX_OVERHEAD_BYTES = 32

/**
 * Checks an entry init handed to `Pool.add`.
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
