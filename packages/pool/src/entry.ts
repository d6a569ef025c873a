/**
 * Pool entries: what the caller hands in ({@link PoolEntryInit}), what the pool hands back
 * ({@link PoolEntry}), and the rank order that eviction and forwarding share.
 */
import { ENVELOPE_HEADER_BYTES, type Envelope } from '@hush/envelope'
import { keyToHash, type HashKey } from './hash-key.ts'

/** What the caller passes to `Pool.add`: an envelope and the values computed once on ingest. */
export interface PoolEntryInit {
  /** The envelope. The pool keeps this object as it is (no copy of `data`). */
  readonly envelope: Envelope
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

/** An envelope held by the pool, with what the pool knows about it. Read-only. */
export interface PoolEntry {
  /** The compact key of the hash (see `hashKey`). */
  readonly key: HashKey
  /** The 32-byte hash, rebuilt from `key` on each read (a fresh array). */
  readonly hash: Uint8Array
  /** The envelope, the very object given to `add`. */
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
 * The pool's record of one entry: the public fields plus a sequence number (the final
 * tie-break) and one position per heap. One object per entry, one hidden class.
 */
export class PoolRecord implements PoolEntry {
  readonly key: HashKey
  readonly envelope: Envelope
  readonly pow: number
  readonly rating: number
  readonly arrival: number
  readonly expiry: number
  readonly bytes: number
  readonly peer: string | undefined
  /** Insertion sequence number, unique within a pool. */
  readonly seq: number
  /** Position in the lowest-rating-first heap. */
  minPos = -1
  /** Position in the highest-rating-first heap. */
  maxPos = -1
  /** Position in the earliest-expiry-first heap. */
  expPos = -1
  /** Position in its peer's lowest-rating-first heap. */
  peerPos = -1

  /** Builds a record from a validated init. */
  constructor(init: PoolEntryInit, key: HashKey, arrival: number, seq: number) {
    this.key = key
    this.envelope = init.envelope
    this.pow = init.pow
    this.rating = init.rating
    this.arrival = arrival
    this.expiry = init.envelope.expiry
    this.bytes = ENVELOPE_HEADER_BYTES + init.envelope.data.length
    this.peer = init.peer
    this.seq = seq
  }

  /** The 32-byte hash, rebuilt from the key. */
  get hash(): Uint8Array {
    return keyToHash(this.key)
  }
}

/**
 * Rank order, lowest first: by rating, then earlier expiry (less life left), then earlier
 * insertion. Eviction takes the lowest; forwarding order is the exact reverse.
 */
export function rankBefore(a: PoolRecord, b: PoolRecord): boolean {
  if (a.rating !== b.rating) return a.rating < b.rating
  if (a.expiry !== b.expiry) return a.expiry < b.expiry
  return a.seq < b.seq
}

/** Forwarding order: highest rank first. */
export function rankAfter(a: PoolRecord, b: PoolRecord): boolean {
  return rankBefore(b, a)
}

/** Expiry order: earliest expiry first, then earlier insertion. */
export function expiryBefore(a: PoolRecord, b: PoolRecord): boolean {
  return a.expiry !== b.expiry ? a.expiry < b.expiry : a.seq < b.seq
}

/**
 * Whether `victim` may be evicted to make room for `newcomer`: strictly lower rating, or equal
 * rating and earlier expiry (nim-eth's tie rule). A full tie never evicts (Parity's rule).
 */
export function mayEvictFor(victim: PoolRecord, newcomer: PoolRecord): boolean {
  return victim.rating < newcomer.rating || (victim.rating === newcomer.rating && victim.expiry < newcomer.expiry)
}
