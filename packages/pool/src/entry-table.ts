/**
 * Storage for pooled entries, by slot number. Each entry's numbers sit together in one 64-byte
 * record of a `Float64Array` (rating, expiry, insertion number, size, arrival, PoW, topic: see the
 * field constants), so removing or evicting an entry touches one cache line for them instead of
 * one per array. Its positions in the two rank heaps are in compact `Int32Array`s of their own
 * (a sift writes the positions of every slot it moves, so these are kept dense). Its hash lives in
 * the pool's seen cache index, which maps it to an id pinned to the slot (the record keeps the
 * id), so that an evicted entry's hash becomes a seen record in place; its expiry once more
 * in an {@link ExpiryIndex} (a dense array that `prune` scans), its raw envelope bytes in a {@link SlabStore}
 * (shared slabs, with the slab, offset and length per slot), and its peer load reference in one
 * plain array. No per-entry object or string exists while an entry sits in the pool: about 160
 * bytes of arrays per slot, hash and index included, plus the raw bytes and their room's prefix
 * and padding in a slab. Freed slots are reused (a free-list stack). Capacity doubles as needed,
 * up to the pool's count bound, so there is no slack beyond it.
 */
import { ExpiryIndex } from './expiry-index.ts'
import { SlabStore, type SlabStoreInit } from './slab-store.ts'
import { grown } from './typed-array.ts'

/** Float64s per slot in {@link EntryTable.num}: one 64-byte cache line. */
export const RECORD = 8
/** Record field: the rating given to `add`. */
export const RATING = 0
/** Record field: the envelope's expiry, unix seconds. */
export const EXPIRY = 1
/**
 * Record field: the insertion number, unique per add: the final tie-break of the rank order, and
 * the identity of an entry beyond its hash (-1 in a free slot).
 */
export const SEQ = 2
/** Record field: `size()` in bytes. */
export const BYTES = 3
/** Record field: arrival, unix seconds. */
export const ARRIVAL = 4
/** Record field: the id of the entry's hash in the pool's seen cache index (see `seen-cache.ts`). */
export const HID = 5
/** Record field: the PoW given to `add`. */
export const POW = 6
/** Record field: the 4-byte topic as a big-endian number (for `select`'s topic tests without the slab). */
export const TOPIC = 7

/** What the table needs of a peer's share of the pool: its name (see `peer-load.ts`). */
export interface PeerLoadRef {
  readonly name: string
}

/** Slot-indexed storage of the pool's entries. Fields are public for the pool's hot paths. */
export class EntryTable<P extends PeerLoadRef = PeerLoadRef> {
  /** Current capacity in slots. */
  capacity: number
  /** `RECORD` numbers per slot: read field F of slot s at `num[s * RECORD + F]`. */
  num: Float64Array
  /** Position of each slot in the pool's lowest-rank-first heap. */
  minPos: Int32Array
  /** Position of each slot in its peer's lowest-rank-first heap. */
  peerPos: Int32Array
  /** Each slot's expiry, with a lower bound on the earliest. */
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
    this.num = newRecords(this.capacity)
    this.minPos = new Int32Array(this.capacity)
    this.peerPos = new Int32Array(this.capacity)
    this.expiries = new ExpiryIndex(this.capacity)
    this.raws = new SlabStore(this.capacity, slabs)
  }

  /** Slots in use: the number of entries held. */
  get size(): number {
    return this.used - this.free.length
  }

  /** Slots ever used: every live slot is below it (free slots have `SEQ` -1). */
  get highWater(): number {
    return this.used
  }

  /** Takes a free slot (growing the arrays when none is left). Amortised O(1). */
  alloc(): number {
    let slot = this.free.pop()
    if (slot === undefined) {
      if (this.used === this.capacity) this.grow()
      slot = this.used++
    }
    return slot
  }

  /** Frees a slot's raw bytes, returns the slot to the free list and drops its peer reference. */
  release(slot: number): void {
    this.raws.free(slot)
    this.num[slot * RECORD + SEQ] = -1
    this.peers[slot] = undefined
    this.free.push(slot)
  }

  private grow(): void {
    const capacity = Math.min(Math.max(this.maxCapacity, 1), Math.max(2 * this.capacity, 16))
    if (capacity <= this.capacity) throw new RangeError('entry table is full')
    const num = newRecords(capacity)
    num.set(this.num)
    this.num = num
    this.minPos = grown(this.minPos, capacity)
    this.peerPos = grown(this.peerPos, capacity)
    this.expiries.reserve(capacity)
    this.raws.reserve(capacity)
    this.capacity = capacity
  }
}

/** Records for `capacity` slots, each marked free (`SEQ` -1). */
function newRecords(capacity: number): Float64Array {
  const num = new Float64Array(capacity * RECORD)
  for (let s = 0; s < capacity; s++) num[s * RECORD + SEQ] = -1
  return num
}
