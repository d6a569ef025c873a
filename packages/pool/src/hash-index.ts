/**
 * An open-addressing hash index from 32-byte envelope hashes to small integer ids, on typed
 * arrays: each id's hash is kept as 8 int32 words in a slab (`words`, 32 bytes per id), and a
 * power-of-two table of ids is probed linearly from a bucket derived from the hash's first two
 * words mixed with a per-index random seed (hashes are Keccak output, but an attacker who can
 * grind envelopes must not be able to aim at one bucket). Deletion shifts later entries back,
 * so there are no tombstones. Lookups touch one or two cache lines instead of a `Map`'s buckets,
 * chain entries and key strings. The table is kept at most 70% full: a probe compares 8-byte
 * `[id, tag]` pairs, eight to a cache line, so the longer runs of a fuller table cost little, and
 * the table is 8 to 16 bytes per id.
 */

import { grown } from './typed-array.ts'

/** The 8 little-endian int32 words of a 32-byte hash, written into `out`. */
export function hashWords(hash: Uint8Array, out: Int32Array): Int32Array {
  for (let i = 0; i < 8; i++) {
    const j = 4 * i
    out[i] = hash[j] | (hash[j + 1] << 8) | (hash[j + 2] << 16) | (hash[j + 3] << 24)
  }
  return out
}

/** The 8 int32 words of a hash key (see `hashKey`), written into `out`. */
export function keyWords(key: string, out: Int32Array): Int32Array {
  for (let i = 0; i < 8; i++) {
    const j = 4 * i
    out[i] = key.charCodeAt(j) | (key.charCodeAt(j + 1) << 8) | (key.charCodeAt(j + 2) << 16) | (key.charCodeAt(j + 3) << 24)
  }
  return out
}

/** The hash key (one character per byte) of the 8 words at `words[offset..]`. */
export function wordsKey(words: Int32Array, offset: number): string {
  const w = words
  const o = offset
  return keyOfWords(w[o], w[o + 1], w[o + 2], w[o + 3], w[o + 4], w[o + 5], w[o + 6], w[o + 7])
}

/** The hash key (one character per byte) of a hash's 8 little-endian int32 words. */
export function keyOfWords(a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number): string {
  return String.fromCharCode(
    a & 255, (a >>> 8) & 255, (a >>> 16) & 255, a >>> 24, b & 255, (b >>> 8) & 255, (b >>> 16) & 255, b >>> 24,
    c & 255, (c >>> 8) & 255, (c >>> 16) & 255, c >>> 24, d & 255, (d >>> 8) & 255, (d >>> 16) & 255, d >>> 24,
    e & 255, (e >>> 8) & 255, (e >>> 16) & 255, e >>> 24, f & 255, (f >>> 8) & 255, (f >>> 16) & 255, f >>> 24,
    g & 255, (g >>> 8) & 255, (g >>> 16) & 255, g >>> 24, h & 255, (h >>> 8) & 255, (h >>> 16) & 255, h >>> 24
  )
}

/**
 * Maps hashes to ids. The caller allocates ids (dense, from 0) and writes each id's hash with
 * {@link HashIndex.setWords} before {@link HashIndex.insert}. O(1) expected per operation.
 *
 * The table holds pairs `[id, tag]`, where the tag is the 32-bit seeded mix of the hash that also
 * picks its home bucket: a probe compares tags within the table's own cache lines and reads an
 * id's words only when the tag matches, so a miss (the usual case for a new envelope) never
 * touches the slab, and deletion computes homes from tags.
 */
export class HashIndex {
  /** 8 words per id: the hash of each id. */
  words: Int32Array
  /** Pairs `[id, tag]`; id -1 marks an empty bucket. */
  private table: Int32Array
  /** Buckets − 1 (a power of two minus one). */
  private mask: number
  private count = 0
  private readonly seed0: number
  private readonly seed1: number

  /** An empty index with room for `initialIds` ids before its slab grows. */
  constructor(initialIds: number) {
    this.words = new Int32Array(8 * Math.max(initialIds, 1))
    this.table = new Int32Array(2 * 64).fill(-1)
    this.mask = 63
    const seeds = new Int32Array(2)
    globalThis.crypto.getRandomValues(seeds)
    this.seed0 = seeds[0]
    this.seed1 = seeds[1] | 1
  }

  /** Number of ids indexed. */
  get size(): number {
    return this.count
  }

  /** Makes the slab hold at least `ids` ids (keeping the words already written). */
  reserve(ids: number): void {
    if (8 * ids > this.words.length) this.words = grown(this.words, 8 * ids)
  }

  /** Writes the hash words of `id` from the 8 words at `w[at..]`. */
  setWords(id: number, w: Int32Array, at: number = 0): void {
    const words = this.words
    const o = 8 * id
    for (let i = 0; i < 8; i++) words[o + i] = w[at + i]
  }

  /** The id whose hash equals the 8 words at `w[at..]`, or -1. */
  find(w: Int32Array, at: number = 0): number {
    const table = this.table
    const words = this.words
    const mask = this.mask
    const tag = this.tag(w[at], w[at + 1])
    for (let i = tag & mask; ; i = (i + 1) & mask) {
      const id = table[2 * i]
      if (id === -1) return -1
      if (table[2 * i + 1] !== tag) continue
      const o = 8 * id
      if (
        words[o] === w[at] && words[o + 1] === w[at + 1] && words[o + 2] === w[at + 2] && words[o + 3] === w[at + 3] &&
        words[o + 4] === w[at + 4] && words[o + 5] === w[at + 5] && words[o + 6] === w[at + 6] && words[o + 7] === w[at + 7]
      ) {
        return id
      }
    }
  }

  /**
   * Reads the words of `id` and its home bucket, for a caller about to delete or look it up: see
   * the pool's `warm`. Returns a value of no meaning (kept by the caller so that the reads stay).
   */
  touch(id: number): number {
    return this.table[2 * (this.tagOf(id) & this.mask)]
  }

  /** Indexes `id` (whose words are set and which is not indexed yet). */
  insert(id: number): void {
    if (10 * (this.count + 1) > 7 * (this.mask + 1)) this.rehash(2 * (this.mask + 1))
    this.place(id, this.tagOf(id))
    this.count++
  }

  /** Removes `id` (which is indexed), shifting later entries of its probe run back. */
  delete(id: number): void {
    const table = this.table
    const mask = this.mask
    let i = this.tagOf(id) & mask
    while (table[2 * i] !== id) i = (i + 1) & mask
    for (let j = (i + 1) & mask; table[2 * j] !== -1; j = (j + 1) & mask) {
      const k = table[2 * j + 1] & mask
      // The entry at j may move to the hole at i unless its home lies cyclically in (i, j].
      const stays = i <= j ? i < k && k <= j : i < k || k <= j
      if (!stays) {
        table[2 * i] = table[2 * j]
        table[2 * i + 1] = table[2 * j + 1]
        i = j
      }
    }
    table[2 * i] = -1
    this.count--
  }

  /** Empties the index (the slab is kept). */
  clear(): void {
    this.table.fill(-1)
    this.count = 0
  }

  /** The seeded 32-bit mix of a hash's first two words: its tag, and (masked) its home bucket. */
  private tag(w0: number, w1: number): number {
    const h = Math.imul(w0 ^ this.seed0, 0x9e3779b1) ^ Math.imul(w1 ^ this.seed1, 0x85ebca77)
    return h ^ (h >>> 15)
  }

  private tagOf(id: number): number {
    return this.tag(this.words[8 * id], this.words[8 * id + 1])
  }

  private place(id: number, tag: number): void {
    const table = this.table
    const mask = this.mask
    let i = tag & mask
    while (table[2 * i] !== -1) i = (i + 1) & mask
    table[2 * i] = id
    table[2 * i + 1] = tag
  }

  private rehash(buckets: number): void {
    const old = this.table
    this.table = new Int32Array(2 * buckets).fill(-1)
    this.mask = buckets - 1
    for (let i = 0; i < old.length; i += 2) if (old[i] !== -1) this.place(old[i], old[i + 1])
  }
}
