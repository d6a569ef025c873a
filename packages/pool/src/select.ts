/**
 * `Pool.select` and `Pool.entries`: the slots of the entries, in forwarding order (highest rank
 * first), that pass a peer's filters. There is no highest-first index to walk (keeping one cost
 * every add a sift to its root, about a fifth of an evicting add), so every call scans the slots
 * once, reading only typed arrays until an entry passes the filters:
 * - with a `limit` (and no `exclude` predicate), a bounded heap keeps the best `limit` matches:
 *   O(n + c log k) for n entries, k = limit, and c entries that rank above the k-th best found so
 *   far when they are met (about k log(n / k) for slots in random rank order; n log k at worst);
 * - otherwise every match is collected and sorted: O(n + m log m) for m matches.
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
 * Selects slots from `t`, whose live slots are those of `all` (any heap over every entry); `view`
 * makes the entry handed to an `exclude` predicate.
 * @throws {TypeError | RangeError} when an option is malformed
 */
export function selectSlots(t: EntryTable, all: SlotHeap, options: SelectOptions, view: (slot: number) => PoolEntry): number[] {
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
  const n = all.size
  if (limit === 0 || n === 0) return []
  // The bloom test depends on the topic only: decide it once per distinct topic per call.
  const topicMatches = bloom === undefined ? undefined : new Map<number, boolean>()
  const { rating, expiry, seq, pow } = t
  const passes = (slot: number): boolean => {
    if (now !== undefined && expiry[slot] < now) return false
    if (minPow !== undefined && pow[slot] < minPow) return false
    if (topicMatches !== undefined) {
      const topic = t.topic[slot]
      let matches = topicMatches.get(topic)
      if (matches === undefined) {
        matches = bloomMatches(bloom, topicToBloom(topicOf(topic)))
        topicMatches.set(topic, matches)
      }
      if (!matches) return false
    }
    return excludeSet === undefined || !excludeSet.has(wordsKey(t.index.words, 8 * slot))
  }
  /** True when slot `a` comes before slot `b` in forwarding order (a total order: `seq` is unique). */
  const before = (a: number, b: number): boolean =>
    rating[a] !== rating[b] ? rating[a] > rating[b] : expiry[a] !== expiry[b] ? expiry[a] > expiry[b] : seq[a] > seq[b]

  if (excludeFn === undefined && 4 * limit < n) {
    // A few from the top: keep the best `limit` matches in a heap whose root is the worst of them.
    const top: number[] = []
    for (let i = 0; i < n; i++) {
      const slot = all.slotAt(i)
      if (top.length === limit && !before(slot, top[0])) continue
      if (!passes(slot)) continue
      if (top.length < limit) {
        let j = top.length
        top.push(slot)
        while (j > 0) {
          const p = (j - 1) >> 1
          if (!before(top[p], slot)) break
          top[j] = top[p]
          j = p
        }
        top[j] = slot
      } else {
        let j = 0
        for (;;) {
          const l = 2 * j + 1
          if (l >= limit) break
          const c = l + 1 < limit && before(top[l], top[l + 1]) ? l + 1 : l
          if (!before(slot, top[c])) break
          top[j] = top[c]
          j = c
        }
        top[j] = slot
      }
    }
    return top.sort((a, b) => (before(a, b) ? -1 : 1))
  }
  // Most or all of them (the on-connect sync), or a predicate to apply in order: every match,
  // sorted, then the predicate until the limit.
  const matched: number[] = []
  for (let i = 0; i < n; i++) {
    const slot = all.slotAt(i)
    if (passes(slot)) matched.push(slot)
  }
  matched.sort((a, b) => rating[b] - rating[a] || expiry[b] - expiry[a] || seq[b] - seq[a])
  if (excludeFn === undefined) return matched.length > limit ? matched.slice(0, limit) : matched
  const out: number[] = []
  for (const slot of matched) {
    if (excludeFn(view(slot))) continue
    out.push(slot)
    if (out.length >= limit) break
  }
  return out
}
