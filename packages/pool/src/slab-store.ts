/**
 * The pool's envelope bytes: each entry's canonical RLP copied into large shared buffers
 * ("slabs"), so an entry costs its raw bytes plus a few, not a V8 object, two typed-array views,
 * an `ArrayBuffer` and a bigint (about 1.36× the raw bytes for a 1 KiB envelope).
 *
 * Layout. Each entry takes a *room*: a slot prefix and its bytes, rounded up to a size class
 * (see `slab-room.ts`). Per slot, one `Uint32Array` holds the slab
 * number, the offset and the length of its bytes side by side. Slabs start at 64 KiB and double up to the slab
 * size (1 MiB by default), so a small pool stays small. An entry whose room is larger than 1/16
 * of a new slab (64 KiB at 1 MiB), and so any entry larger than a slab, gets a buffer of its own,
 * exactly its room; so a sealed slab's unused tail is under 1/8 of it.
 *
 * Reuse. A freed room becomes a *hole* (see `slab-holes.ts`). A new entry takes a hole of its
 * exact class when there is one (O(1), no search), and otherwise goes at the end of the current
 * slab (bump allocation); when it does not fit there, the current slab is sealed and a new one
 * starts. In a flood where every add evicts one envelope of about the same size, each newcomer
 * takes its victim's room: the slabs neither grow nor need compacting.
 *
 * Reclaiming. Each slab counts its live bytes (rooms), and an empty sealed slab is dropped at
 * once. Holes that no newcomer fits (sizes that changed) are reclaimed by compaction: when the
 * sealed slabs taken together are less than `threshold` live (3/4 by default), the sparsest one is
 * compacted: its live entries are copied to holes of their class elsewhere or to the current slab
 * (their slots now point there), and it is dropped; repeated until they are at least `threshold`
 * live again. The sparsest slab is below `threshold` too, and its unused tail is under 1/8, so a
 * compaction copies less than `threshold × capacity` and reclaims more than
 * `(7/8 − threshold) × capacity`: at most 6 bytes copied per byte freed at 3/4: amortised O(1) per
 * byte. Compaction frees no bytes of its own, so it always ends (thresholds above 3/4 are refused,
 * as the tails alone could then trigger it). A pool that drains in arrival order (expiry, the
 * usual case) empties its oldest slabs whole and never compacts: the trigger is global, not per
 * slab, exactly so that a slab that is half empty and still draining is left alone.
 *
 * Memory. The sealed slabs take at most `live / threshold` bytes, plus the current slab and one
 * spare slab (2 MiB at most). A pool that fills, drains in arrival order, or churns envelopes of
 * recurring sizes (Whisper pads payloads to 256-byte blocks) holds its rooms and about one slab
 * more; churn across changing sizes keeps it within the bound.
 *
 * Recycling. Writing into a fresh buffer costs a page fault per 4 KiB, about ten times the copy,
 * so one dropped full-size slab is kept and reused. A dropped slab becomes reusable only at
 * `recycle()`, which the pool calls at the start of each call that changes it (`add`, `delete`,
 * `prune`).
 *
 * Views. `view(slot)` is a `subarray` of the slab. Its bytes stay the entry's bytes at least until
 * the pool's next changing call; after that, if the entry was removed or moved by compaction, its
 * room may be reused and overwritten. Holding a view also keeps its whole slab alive, so callers
 * send or copy the bytes at once. `copy(slot)` is the safe alternative.
 */
import { HoleStacks } from './slab-holes.ts'
import { readInt32, roomFor, SLAB_PREFIX_BYTES, writeInt32 } from './slab-room.ts'
import { grown } from './typed-array.ts'

/** Default slab size: 1 MiB. */
const DEFAULT_SLAB_BYTES: number = 1024 * 1024
/** Smallest slab allocated (the first one): 64 KiB, or the slab size when smaller. */
const MIN_SLAB_BYTES: number = 64 * 1024
/** Default compaction threshold: the sealed slabs are kept at least 3/4 live, taken together. */
const DEFAULT_SLAB_THRESHOLD = 0.75
/** An entry's room larger than 1/16 of a new slab gets a buffer of its own. */
const SHARED_ENTRY_DIVISOR = 16
/** The largest threshold: above 3/4 a slab sealed with its unused tail could be compacted forever. */
const MAX_THRESHOLD = 0.75
/**
 * Dropped full-size slabs kept for reuse. Writing into a fresh buffer costs a page fault per 4 KiB
 * (about 10× the copy itself); a recycled slab is already mapped.
 */
const MAX_SPARE_SLABS = 1
/** Settings of a {@link SlabStore} (the pool uses the defaults; tests shrink them). */
export interface SlabStoreInit {
  /**
   * Slab size in bytes; an entry larger than this gets its own buffer.
   * @default 1048576 (1 MiB)
   */
  slabBytes?: number
  /**
   * The share of the sealed slabs' capacity that must be live, in (0, 0.75]: below it, the
   * sparsest sealed slab is compacted. The slabs take at most `live / threshold` bytes (plus the
   * current slab and the spare).
   * @default 0.75
   */
  threshold?: number
}

/** Raw entry bytes by slot, in shared slabs with hole reuse and compaction. */
export class SlabStore {
  /**
   * Where each slot's bytes are, side by side (one cache line holds four slots): at `4 * slot` its
   * slab number, at `4 * slot + 1` the offset of its bytes in the slab (after the prefix), at
   * `4 * slot + 2` their length.
   */
  private where: Uint32Array
  private readonly slabBytes: number
  private readonly threshold: number
  /** Slab buffers by number; `undefined` for a dropped number (reused by the next slab). */
  private readonly slabs: (Uint8Array | undefined)[] = []
  /** Live bytes (rooms) per slab. */
  private readonly live: number[] = []
  /** Bytes written per slab (the bump offset). */
  private readonly fill: number[] = []
  private readonly freeSlabs: number[] = []
  /** The freed rooms, by size class. */
  private readonly holes = new HoleStacks()
  /** Full-size slabs dropped since the last `recycle()`: views handed out may still point into them. */
  private retired: Uint8Array[] = []
  /** Full-size slabs ready for reuse. */
  private readonly spare: Uint8Array[] = []
  private compacting = false
  /** Capacity of the slabs in use (not spare or retired ones). */
  private inUse = 0
  /** The slab new entries go to, or -1 before the first. */
  private current = -1
  private nextSlabBytes: number
  private allocated = 0
  private liveTotal = 0
  private moved = 0

  /** An empty store with room for `capacity` slots before its arrays grow. */
  constructor(capacity: number, init: SlabStoreInit = {}) {
    this.slabBytes = init.slabBytes ?? DEFAULT_SLAB_BYTES
    this.threshold = init.threshold ?? DEFAULT_SLAB_THRESHOLD
    if (!Number.isInteger(this.slabBytes) || this.slabBytes < 16) throw new RangeError('slabBytes must be an integer ≥ 16')
    if (!(this.threshold > 0 && this.threshold <= MAX_THRESHOLD)) throw new RangeError(`threshold must be in (0, ${MAX_THRESHOLD}]`)
    this.nextSlabBytes = Math.min(MIN_SLAB_BYTES, this.slabBytes)
    this.where = new Uint32Array(4 * capacity)
  }

  /**
   * Makes the slabs dropped so far reusable. The pool calls it at the start of each call that
   * changes it, so views it handed out stay intact at least until its next such call.
   */
  recycle(): void {
    if (this.retired.length === 0) return
    for (const slab of this.retired) this.spare.push(slab)
    this.retired = []
  }

  /** Bytes of every slab buffer held, the spare included. */
  get allocatedBytes(): number {
    return this.allocated
  }

  /** Bytes of the live entries' rooms (prefixes and padding included). */
  get liveBytes(): number {
    return this.liveTotal
  }

  /** Number of slab buffers in use (the spare not included). */
  get slabCount(): number {
    return this.slabs.length - this.freeSlabs.length
  }

  /** Bytes copied by compaction so far. */
  get movedBytes(): number {
    return this.moved
  }

  /** Freed rooms waiting for a newcomer of their class. */
  get holeTotal(): number {
    return this.holes.count
  }

  /** Makes the per-slot arrays hold at least `capacity` slots. */
  reserve(capacity: number): void {
    if (4 * capacity > this.where.length) this.where = grown(this.where, 4 * capacity)
  }

  /** Copies `raw` into the store as the bytes of `slot` (which holds none). Amortised O(length). */
  put(slot: number, raw: Uint8Array): void {
    this.place(slot, raw, 0, raw.length)
    this.reclaim()
  }

  /** The bytes of `slot`: a view into its slab (see the module comment). O(1). */
  view(slot: number): Uint8Array {
    const w = this.where
    const at = w[4 * slot + 1]
    return (this.slabs[w[4 * slot]] as Uint8Array).subarray(at, at + w[4 * slot + 2])
  }

  /** A copy of the bytes of `slot`, sharing nothing with the store. O(length). */
  copy(slot: number): Uint8Array {
    const w = this.where
    const at = w[4 * slot + 1]
    return (this.slabs[w[4 * slot]] as Uint8Array).slice(at, at + w[4 * slot + 2])
  }

  /**
   * Reads the first two cache lines of `slot`'s room (its prefix and the start of its bytes), for
   * a caller about to free or overwrite it: see the pool's `warm`. Returns a value of no meaning
   * (the caller keeps it, so that the reads are not optimised away). O(1).
   */
  touch(slot: number): number {
    const w = this.where
    const at = w[4 * slot + 1]
    const slab = this.slabs[w[4 * slot]] as Uint8Array
    return slab[at - SLAB_PREFIX_BYTES] ^ (w[4 * slot + 2] > 60 ? slab[at + 60] : 0)
  }

  /** Frees the bytes of `slot`: its room becomes a hole, or its slab is dropped when empty. Amortised O(1). */
  free(slot: number): void {
    const w = this.where
    const s = w[4 * slot]
    const slab = this.slabs[s] as Uint8Array
    const room = roomFor(w[4 * slot + 2])
    const at = w[4 * slot + 1] - SLAB_PREFIX_BYTES
    writeInt32(slab, at, -room)
    this.live[s] -= room
    this.liveTotal -= room
    if (s !== this.current && this.live[s] === 0) this.drop(s)
    else this.holes.push(room, s, at)
    this.reclaim()
  }

  /**
   * Checks every slab against the slot arrays: each live prefix names a slot that points back at
   * it, the live counts add up, every hole is on its class's stack, and no sealed slab is left
   * below the threshold. For tests; O(bytes).
   * @param slots the slots that hold bytes
   * @throws {Error} describing the first inconsistency
   */
  verify(slots: Iterable<number>): void {
    const expected = new Set(slots)
    let seen = 0
    let total = 0
    const stackedHoles = new Set<string>()
    this.holes.forEach((room, s, at) => {
      const slab = this.slabs[s]
      if (slab === undefined || readInt32(slab, at) !== -room) throw new Error(`hole of room ${room} names slab ${s} at ${at}, not a hole`)
      stackedHoles.add(`${s}:${at}`)
    })
    let holes = 0
    for (let s = 0; s < this.slabs.length; s++) {
      const slab = this.slabs[s]
      if (slab === undefined) continue
      let live = 0
      let slabHoles = 0
      for (let at = 0; at < this.fill[s]; ) {
        const prefix = readInt32(slab, at)
        if (prefix < 0) {
          if (!stackedHoles.has(`${s}:${at}`)) throw new Error(`slab ${s} has a hole at ${at} that no stack holds`)
          slabHoles++
          at += -prefix
          continue
        }
        if (!expected.has(prefix) || this.where[4 * prefix] !== s || this.where[4 * prefix + 1] !== at + SLAB_PREFIX_BYTES) {
          throw new Error(`slab ${s} holds a stale prefix for slot ${prefix} at ${at}`)
        }
        const room = roomFor(this.where[4 * prefix + 2])
        live += room
        at += room
        seen++
      }
      if (live !== this.live[s]) throw new Error(`slab ${s} counts ${this.live[s]} live bytes, holds ${live}`)
      if (slabHoles !== this.holes.holesOf(s)) throw new Error(`slab ${s} counts ${this.holes.holesOf(s)} holes, holds ${slabHoles}`)
      if (s !== this.current && live === 0) throw new Error(`sealed slab ${s} is empty`)
      total += live
      holes += slabHoles
    }
    if (holes !== this.holes.count) throw new Error(`hole count ${this.holes.count}, counted ${holes}`)
    if (seen !== expected.size) throw new Error(`slabs hold ${seen} entries, expected ${expected.size}`)
    if (total !== this.liveTotal) throw new Error(`live total ${this.liveTotal}, counted ${total}`)
    if (this.isOverSlack()) throw new Error('the sealed slabs are below the threshold')
  }

  /**
   * Writes `src[start..end)` as `slot`'s bytes: into a hole of its class, else at the end of the
   * current slab, or in a new slab when it does not fit, or in a buffer of its own when its room is
   * larger than 1/16 of a new slab (so a sealed slab's unused tail stays under 1/8 of it).
   */
  private place(slot: number, src: Uint8Array, start: number, end: number): void {
    const room = roomFor(end - start)
    const hole = this.holes.take(room)
    if (hole >= 0) {
      this.write(this.holes.takenSlab, hole, room, slot, src, start, end)
      return
    }
    let s = this.current
    if (s < 0 || this.fill[s] + room > (this.slabs[s] as Uint8Array).length) {
      if (room * SHARED_ENTRY_DIVISOR > this.nextSlabBytes) {
        s = this.newSlab(room)
        // Sealed from the start, and fully live until its entry is freed.
      } else {
        if (s >= 0) this.seal(s)
        s = this.newSlab(this.nextSlabBytes)
        this.nextSlabBytes = Math.min(this.slabBytes, 2 * this.nextSlabBytes)
        this.current = s
      }
    }
    const at = this.fill[s]
    this.fill[s] = at + room
    this.write(s, at, room, slot, src, start, end)
  }

  /** Writes the entry of `slot` into the room at `at` of slab `s`. */
  private write(s: number, at: number, room: number, slot: number, src: Uint8Array, start: number, end: number): void {
    const slab = this.slabs[s] as Uint8Array
    writeInt32(slab, at, slot)
    slab.set(start === 0 && end === src.length ? src : src.subarray(start, end), at + SLAB_PREFIX_BYTES)
    this.live[s] += room
    this.liveTotal += room
    const w = this.where
    w[4 * slot] = s
    w[4 * slot + 1] = at + SLAB_PREFIX_BYTES
    w[4 * slot + 2] = end - start
  }

  private newSlab(bytes: number): number {
    const s = this.freeSlabs.length > 0 ? (this.freeSlabs.pop() as number) : this.slabs.length
    const spare = bytes === this.slabBytes ? this.spare.pop() : undefined
    this.slabs[s] = spare ?? new Uint8Array(bytes)
    this.inUse += bytes
    this.live[s] = 0
    this.fill[s] = 0
    this.holes.forget(s)
    if (spare === undefined) this.allocated += bytes
    return s
  }

  /** The current slab `s` is full: from now on it only loses bytes (or refills its holes). */
  private seal(s: number): void {
    this.current = -1
    if (this.live[s] === 0) this.drop(s)
  }

  /** True when the sealed slabs are less than `threshold` live, taken together. */
  private isOverSlack(): boolean {
    const c = this.current
    const sealedCap = this.inUse - (c < 0 ? 0 : (this.slabs[c] as Uint8Array).length)
    const sealedLive = this.liveTotal - (c < 0 ? 0 : this.live[c])
    return sealedLive < this.threshold * sealedCap
  }

  /**
   * While the sealed slabs are less than `threshold` live in all, compacts the sparsest one (whose
   * share of live bytes is then below `threshold` too). O(slabs) to find it, once per compaction.
   */
  private reclaim(): void {
    if (this.compacting) return
    this.compacting = true
    try {
      while (this.isOverSlack()) {
        let sparsest = -1
        let lowest = Infinity
        for (let s = 0; s < this.slabs.length; s++) {
          const slab = this.slabs[s]
          if (slab === undefined || s === this.current) continue
          const share = this.live[s] / slab.length
          if (share < lowest) {
            lowest = share
            sparsest = s
          }
        }
        this.compact(sparsest)
      }
    } finally {
      this.compacting = false
    }
  }

  /** Moves the live entries of sealed slab `s` to holes elsewhere or the current slab, then drops `s`. */
  private compact(s: number): void {
    const slab = this.slabs[s] as Uint8Array
    const fill = this.fill[s]
    this.holes.forget(s) // its own holes must not receive its entries
    for (let at = 0; at < fill; ) {
      const prefix = readInt32(slab, at)
      if (prefix < 0) {
        at += -prefix
        continue
      }
      const length = this.where[4 * prefix + 2]
      const room = roomFor(length)
      // Leave a dead prefix behind so that the (dropped) slab never holds two live copies.
      writeInt32(slab, at, -room)
      this.live[s] -= room
      this.liveTotal -= room
      this.place(prefix, slab, at + SLAB_PREFIX_BYTES, at + SLAB_PREFIX_BYTES + length)
      this.moved += length
      at += room
    }
    this.drop(s)
  }

  private drop(s: number): void {
    const slab = this.slabs[s] as Uint8Array
    this.holes.forget(s)
    this.inUse -= slab.length
    if (slab.length === this.slabBytes && this.retired.length + this.spare.length < MAX_SPARE_SLABS) this.retired.push(slab)
    else this.allocated -= slab.length
    this.slabs[s] = undefined
    this.freeSlabs.push(s)
    if (this.current === s) this.current = -1
  }
}
