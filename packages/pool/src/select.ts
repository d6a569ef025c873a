/**
 * `Pool.select`: entries in forwarding order (highest rank first) that pass a peer's filters.
 * A small `limit` walks the highest-rank-first heap best-first, O((k + s) log(k + s)) for k
 * returned and s skipped; a large or no limit scans every slot once and sorts the matches,
 * O(n + m log m), which is cheaper than walking the whole heap.
 */
import { bloomMatches, BLOOM_LENGTH_BYTES, topicToBloom } from '@hush/envelope'
import type { SelectOptions } from './api.ts'
import { assertBytes, assertInt, assertNumber, assertTime } from './assert.ts'
import type { PoolEntry } from './entry.ts'
import type { EntryTable } from './entry-table.ts'
import { wordsKey } from './hash-index.ts'
import type { HashKey } from './hash-key.ts'
import type { SlotHeap } from './slot-heap.ts'

/** The topic with the big-endian number `n` (see `EntryTable.topic`). */
function topicOf(n: number): Uint8Array {
  return new Uint8Array([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff])
}

/**
 * Selects from `t` through `heap` (highest rank first), making each returned entry with `view`.
 * @throws {TypeError | RangeError} when an option is malformed
 */
export function selectEntries(t: EntryTable, heap: SlotHeap, options: SelectOptions, view: (slot: number) => PoolEntry): PoolEntry[] {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object')
  const { bloom, minPow, limit = Infinity, exclude, now } = options
  if (bloom !== undefined) assertBytes(bloom, 'options.bloom', BLOOM_LENGTH_BYTES)
  if (minPow !== undefined) assertNumber(minPow, 'options.minPow')
  if (limit !== Infinity) assertInt(limit, 'options.limit')
  if (now !== undefined) assertTime(now, 'options.now')
  const excludeSet = exclude instanceof Set ? (exclude as ReadonlySet<HashKey>) : undefined
  const excludeFn = typeof exclude === 'function' ? exclude : undefined
  if (exclude !== undefined && excludeSet === undefined && excludeFn === undefined) {
    throw new TypeError('options.exclude must be a Set or a function')
  }
  const out: PoolEntry[] = []
  if (limit === 0) return out
  // The bloom test depends on the topic only: decide it once per distinct topic per call.
  const topicMatches = bloom === undefined ? undefined : new Map<number, boolean>()
  const passes = (slot: number): boolean => {
    if (now !== undefined && t.expiry[slot] < now) return false
    if (minPow !== undefined && t.pow[slot] < minPow) return false
    if (topicMatches !== undefined) {
      const n = t.topic[slot]
      let matches = topicMatches.get(n)
      if (matches === undefined) {
        matches = bloomMatches(bloom, topicToBloom(topicOf(n)))
        topicMatches.set(n, matches)
      }
      if (!matches) return false
    }
    return excludeSet === undefined || !excludeSet.has(wordsKey(t.index.words, 8 * slot))
  }
  const take = (slot: number): boolean => {
    if (!passes(slot)) return true
    const entry = view(slot)
    if (excludeFn !== undefined && excludeFn(entry)) return true
    out.push(entry)
    return out.length < limit
  }
  if (4 * limit < heap.size) {
    // A few from the top: best-first walk of the heap, O(k log k) for k slots visited.
    heap.walk(take)
  } else {
    // Most or all of them (the on-connect sync): one linear scan, then sort the matches,
    // O(n + m log m) instead of walking the whole heap.
    const matched: number[] = []
    for (let i = 0; i < heap.size; i++) {
      const slot = heap.slotAt(i)
      if (passes(slot)) matched.push(slot)
    }
    const { rating, expiry, seq } = t
    matched.sort((a, b) => rating[b] - rating[a] || expiry[b] - expiry[a] || seq[b] - seq[a])
    for (const slot of matched) {
      const entry = view(slot)
      if (excludeFn !== undefined && excludeFn(entry)) continue
      out.push(entry)
      if (out.length >= limit) break
    }
  }
  return out
}
