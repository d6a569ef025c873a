/**
 * Struct-of-arrays storage for pooled entries. Each entry occupies a slot number; its numbers live
 * in typed arrays indexed by slot (rating, PoW, expiry, insertion number, arrival, size, topic, and
 * one heap position per heap), its hash as 8 words in a {@link HashIndex} that maps hashes to
 * slots, its place in its expiry second's list in an {@link ExpiryIndex}, its raw envelope bytes in
 * a {@link SlabStore} (shared slabs, with the slab, offset and length per slot), and its peer load
 * reference in one plain array. No per-entry object or string exists while an entry sits in the
 * pool: about 150 bytes of arrays per slot, hash and index included, plus the raw bytes and a
 * 4-byte prefix in a slab. Freed slots are reused (a free-list stack).
 * Capacity doubles as needed, up to the pool's count bound, so there is no slack beyond it.
 */
import { ExpiryIndex } from './expiry-index.ts'
import { HashIndex } from './hash-index.ts'
import { SlabStore, type SlabStoreInit } from './slab-store.ts'

/** A peer's share of the pool: bytes held and a heap of its slots (see `pool.ts`). */
export interface PeerLoadRef {
  readonly name: string
}

/** Slot-indexed arrays of the pool's entries. Fields are public for the pool's hot paths. */
export class EntryTable<P extends PeerLoadRef = PeerLoadRef> {
  /** Current capacity in slots. */
  capacity: number
  /** Rating given to `add`. */
  rating: Float64Array
  /** PoW given to `add`. */
  pow: Float64Array
  /** Envelope expiry, unix seconds. */
  expiry: Float64Array
  /**
   * Insertion number, unique per add: the final tie-break of the rank order, and the identity of
   * an entry beyond its hash (a free slot holds -1).
   */
  seq: Float64Array
  /** Arrival, unix seconds. */
  arrival: Float64Array
  /** `size()` in bytes. */
  bytes: Uint32Array
  /** The 4-byte topic as a big-endian number (for `select`'s bloom test without touching the slab). */
  topic: Uint32Array
  /** Position in the lowest-rank-first heap. */
  minPos: Int32Array
  /** Position in the peer's lowest-rank-first heap. */
  peerPos: Int32Array
  /** Hash → slot, with each slot's 32-byte hash as 8 words in `index.words`. */
  readonly index: HashIndex
  /** Slots by expiry second. */
  readonly expiries: ExpiryIndex
  /** The raw canonical RLP of each slot, in shared slabs. */
  readonly raws: SlabStore
  /** The load record of each slot's peer; `undefined` for own envelopes. */
  readonly peers: (P | undefined)[] = []
  private readonly maxCapacity: number
  private readonly free: number[] = []
  private used = 0

  /** An empty table that will never need more than `maxCapacity` slots. */
  constructor(maxCapacity: number, slabs: SlabStoreInit = {}) {
    this.maxCapacity = maxCapacity
    this.capacity = Math.min(1024, maxCapacity)
    this.rating = new Float64Array(this.capacity)
    this.pow = new Float64Array(this.capacity)
    this.expiry = new Float64Array(this.capacity)
    this.seq = new Float64Array(this.capacity).fill(-1)
    this.arrival = new Float64Array(this.capacity)
    this.bytes = new Uint32Array(this.capacity)
    this.topic = new Uint32Array(this.capacity)
    this.minPos = new Int32Array(this.capacity)
    this.peerPos = new Int32Array(this.capacity)
    this.index = new HashIndex(this.capacity)
    this.expiries = new ExpiryIndex(this.capacity)
    this.raws = new SlabStore(this.capacity, slabs)
  }

  /** Takes a free slot (growing the arrays when none is left). Amortised O(1). */
  alloc(): number {
    const reused = this.free.pop()
    if (reused !== undefined) return reused
    if (this.used === this.capacity) this.grow()
    return this.used++
  }

  /** Frees a slot's raw bytes, returns the slot to the free list and drops its peer reference. */
  release(slot: number): void {
    this.raws.free(slot)
    this.seq[slot] = -1
    this.peers[slot] = undefined
    this.free.push(slot)
  }

  private grow(): void {
    const capacity = Math.min(Math.max(this.maxCapacity, 1), Math.max(2 * this.capacity, 16))
    if (capacity <= this.capacity) throw new RangeError('entry table is full')
    const widen = <A extends Float64Array | Uint32Array | Int32Array>(old: A, make: (n: number) => A): A => {
      const next = make(capacity)
      next.set(old)
      return next
    }
    this.rating = widen(this.rating, (n) => new Float64Array(n))
    this.pow = widen(this.pow, (n) => new Float64Array(n))
    this.expiry = widen(this.expiry, (n) => new Float64Array(n))
    this.seq = widen(this.seq, (n) => new Float64Array(n).fill(-1))
    this.arrival = widen(this.arrival, (n) => new Float64Array(n))
    this.bytes = widen(this.bytes, (n) => new Uint32Array(n))
    this.topic = widen(this.topic, (n) => new Uint32Array(n))
    this.minPos = widen(this.minPos, (n) => new Int32Array(n))
    this.peerPos = widen(this.peerPos, (n) => new Int32Array(n))
    this.index.reserve(capacity)
    this.expiries.reserve(capacity)
    this.raws.reserve(capacity)
    this.capacity = capacity
  }
}
