/**
 * `Pool.select` and `Pool.entries`: the slots of the entries, in forwarding order (highest rank
 * first), that pass the filters (a peer's, or a subscriber's topics). There is no highest-first index to walk (keeping one cost
 * every add a sift to its root, about a fifth of an evicting add), so every call scans the slot
 * records once, in slot order (sequential memory), reading only the records until an entry
 * passes the filters:
 * - with a `limit` (and no `exclude` predicate), a bounded heap keeps the best `limit` matches:
 *   O(n + c log k) for n entries, k = limit, and c entries that rank above the k-th best found so
 *   far when they are met (about k log(n / k) for slots in random rank order; n log k at worst);
 * - otherwise every match is collected and sorted: O(n + m log m) for m matches.
 */
import { bloomMatches, BLOOM_LENGTH_BYTES, type Topic, TOPIC_LENGTH_BYTES, topicFromNumber, topicToBloom, topicToNumber } from '@hush/envelope'
import type { SelectOptions } from './api.ts'
import { assertBytes, assertInt, assertNumber, assertTime } from './assert.ts'
import type { PoolEntry } from './entry.ts'
import { EXPIRY, HID, POW, RATING, RECORD, SEQ, TOPIC, type EntryTable } from './entry-table.ts'
import { wordsKey, type HashIndex } from './hash-index.ts'
import type { HashKey } from './hash-key.ts'

/** The numbers of `topics` as `EntryTable` keeps them (big-endian). @throws {TypeError | RangeError} */
function topicNumbers(topics: readonly Topic[]): Set<number> {
  if (!Array.isArray(topics)) throw new TypeError('options.topics must be an array')
  const numbers = new Set<number>()
  for (const topic of topics) {
    assertBytes(topic, 'options.topics[]', TOPIC_LENGTH_BYTES)
    numbers.add(topicToNumber(topic))
  }
  return numbers
}

/**
 * Selects slots from `t` (a scan of its records in slot order, skipping free slots), whose hashes
 * are in `hashes` (by the id in each record); `view` makes the entry handed to an `exclude`
 * predicate.
 * @throws {TypeError | RangeError} when an option is malformed
 */
export function selectSlots(t: EntryTable, hashes: HashIndex, options: SelectOptions, view: (slot: number) => PoolEntry): number[] {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object')
  const { bloom, topics, minPow, limit = Infinity, exclude, now } = options
  if (bloom !== undefined) assertBytes(bloom, 'options.bloom', BLOOM_LENGTH_BYTES)
  const topicSet = topics === undefined ? undefined : topicNumbers(topics)
  if (minPow !== undefined) assertNumber(minPow, 'options.minPow')
  if (limit !== Infinity) assertInt(limit, 'options.limit')
  if (now !== undefined) assertTime(now, 'options.now')
  const excludeSet = exclude instanceof Set ? (exclude as ReadonlySet<HashKey>) : undefined
  const excludeFn = typeof exclude === 'function' ? exclude : undefined
  if (exclude !== undefined && excludeSet === undefined && excludeFn === undefined) {
    throw new TypeError('options.exclude must be a Set or a function')
  }
  const n = t.highWater
  if (limit === 0 || t.size === 0) return []
  // The bloom test depends on the topic only: decide it once per distinct topic per call.
  const topicMatches = bloom === undefined ? undefined : new Map<number, boolean>()
  const num = t.num
  const passes = (slot: number): boolean => {
    const r = slot * RECORD
    if (now !== undefined && num[r + EXPIRY] < now) return false
    if (minPow !== undefined && num[r + POW] < minPow) return false
    if (topicSet !== undefined && !topicSet.has(num[r + TOPIC])) return false
    if (topicMatches !== undefined) {
      const topic = num[r + TOPIC]
      let matches = topicMatches.get(topic)
      if (matches === undefined) {
        matches = bloomMatches(bloom, topicToBloom(topicFromNumber(topic)))
        topicMatches.set(topic, matches)
      }
      if (!matches) return false
    }
    return excludeSet === undefined || !excludeSet.has(wordsKey(hashes.words, 8 * num[r + HID]))
  }
  /** True when slot `a` comes before slot `b` in forwarding order (a total order: `seq` is unique). */
  const before = (a: number, b: number): boolean => {
    const ra = a * RECORD
    const rb = b * RECORD
    return num[ra + RATING] !== num[rb + RATING]
      ? num[ra + RATING] > num[rb + RATING]
      : num[ra + EXPIRY] !== num[rb + EXPIRY]
        ? num[ra + EXPIRY] > num[rb + EXPIRY]
        : num[ra + SEQ] > num[rb + SEQ]
  }

  if (excludeFn === undefined && 4 * limit < t.size) {
    // A few from the top: keep the best `limit` matches in a heap whose root is the worst of them.
    const top: number[] = []
    for (let slot = 0; slot < n; slot++) {
      if (num[slot * RECORD + SEQ] < 0) continue // a free slot
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
  for (let slot = 0; slot < n; slot++) {
    if (num[slot * RECORD + SEQ] >= 0 && passes(slot)) matched.push(slot)
  }
  matched.sort((a, b) => (before(a, b) ? -1 : 1))
  if (excludeFn === undefined) return matched.length > limit ? matched.slice(0, limit) : matched
  const out: number[] = []
  for (const slot of matched) {
    if (excludeFn(view(slot))) continue
    out.push(slot)
    if (out.length >= limit) break
  }
  return out
}
