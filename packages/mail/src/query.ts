/**
 * Checking what callers hand the archive, and turning a {@link HistoryQuery} into the key range
 * and topic test both backends use.
 */
import { type Bloom, bloomMatches, BLOOM_LENGTH_BYTES, type Topic, topicToBloom, topicToNumber } from '@hush/envelope'
import { type ArchiveEntry, type HistoryQuery, MAX_PAGE_LIMIT, type RetentionPolicy } from './archive.ts'
import { assertBytes, assertInt, assertUint32 } from './assert.ts'
import { compareKeys, decodeKey, HASH_BYTES, KEY_BYTES, writeKey } from './key.ts'
import { topicOfRaw } from './raw-topic.ts'

/** Most topics in one query. */
export const MAX_QUERY_TOPICS = 1000
/** Smallest default scan budget of a page. */
const MIN_DEFAULT_SCAN = 1000

/** A checked query: the key range to read and the topic test. */
export interface ResolvedQuery {
  readonly from: number
  readonly to: number
  /** Read keys strictly after this one. */
  readonly after: Uint8Array
  /** Read keys up to and including this one. */
  readonly through: Uint8Array
  /** The topics asked for, or `undefined` for a bloom or no topic filter. */
  readonly topics: readonly Topic[] | undefined
  /** Whether an entry with this topic matches. */
  readonly matches: (topic: Uint8Array) => boolean
  readonly limit: number
  readonly maxScan: number
}

/**
 * Checks an entry given to `put`.
 * @throws {TypeError | RangeError} naming the bad field as `${label}.field`
 */
function checkEntry(entry: ArchiveEntry, label: string): void {
  if (typeof entry !== 'object' || entry === null) throw new TypeError(`${label} must be an object`)
  assertUint32(entry.time, `${label}.time`)
  assertBytes(entry.hash, `${label}.hash`, HASH_BYTES)
  assertBytes(entry.topic, `${label}.topic`, 4)
  assertBytes(entry.raw, `${label}.raw`)
  // Both backends must agree on what a topic query returns: LevelDB reads the topic from `raw`,
  // PostgreSQL from its own column. (`hash` is trusted to be Keccak-256 of `raw`: checking it
  // would cost a hash per entry.)
  const topic = topicOfRaw(entry.raw)
  if (topic === undefined) throw new RangeError(`${label}.raw must be an envelope's RLP`)
  if (topic.some((b, i) => b !== entry.topic[i])) throw new RangeError(`${label}.topic must be the topic of ${label}.raw`)
}

/** Checks the list given to `put`. */
export function checkEntries(entries: readonly ArchiveEntry[]): void {
  if (!Array.isArray(entries)) throw new TypeError('entries must be an array')
  for (let i = 0; i < entries.length; i++) checkEntry(entries[i], `entries[${i}]`)
}

/** Checks a retention policy. */
export function checkPolicy(policy: RetentionPolicy): void {
  if (typeof policy !== 'object' || policy === null) throw new TypeError('policy must be an object')
  if (policy.before !== undefined) assertUint32(policy.before, 'policy.before')
  if (policy.maxBytes !== undefined) assertInt(policy.maxBytes, 'policy.maxBytes')
}

/**
 * Checks a query and resolves it into a key range and a topic test.
 * @throws {TypeError | RangeError} naming the bad field as `query.field`
 */
export function resolveQuery(query: HistoryQuery): ResolvedQuery {
  if (typeof query !== 'object' || query === null) throw new TypeError('query must be an object')
  const { from, to, topics, bloom, limit, cursor } = query
  assertUint32(from, 'query.from')
  assertUint32(to, 'query.to')
  if (to < from) throw new RangeError(`query.to must be ≥ query.from, got ${to} < ${from}`)
  assertInt(limit, 'query.limit', 1, MAX_PAGE_LIMIT)
  const maxScan = query.maxScan ?? Math.max(10 * limit, MIN_DEFAULT_SCAN)
  assertInt(maxScan, 'query.maxScan', limit)
  if (topics !== undefined && bloom !== undefined) throw new TypeError('query must not have both topics and bloom')
  let matches: (topic: Uint8Array) => boolean = () => true
  let topicList: Topic[] | undefined
  if (topics !== undefined) {
    if (!Array.isArray(topics)) throw new TypeError('query.topics must be an array')
    if (topics.length === 0 || topics.length > MAX_QUERY_TOPICS) {
      throw new RangeError(`query.topics must hold 1 to ${MAX_QUERY_TOPICS} topics, got ${topics.length}`)
    }
    const wanted = new Set<number>()
    topicList = []
    for (let i = 0; i < topics.length; i++) {
      assertBytes(topics[i], `query.topics[${i}]`, 4)
      if (!wanted.has(topicToNumber(topics[i]))) topicList.push(new Uint8Array(topics[i]))
      wanted.add(topicToNumber(topics[i]))
    }
    matches = (topic) => wanted.has(topicToNumber(topic))
  } else if (bloom !== undefined) {
    assertBytes(bloom, 'query.bloom', BLOOM_LENGTH_BYTES)
    const filter: Bloom = new Uint8Array(bloom)
    matches = (topic) => bloomMatches(filter, topicToBloom(topic))
  }
  // Keys strictly after the last possible key of `from - 1` (nothing sorts before a key of `from`).
  const after = from === 0 ? new Uint8Array(0) : keyOf(from - 1, ONES_HASH)
  let lower = after
  if (cursor !== undefined) {
    decodeKey(cursor, 'query.cursor')
    if (compareKeys(cursor, lower) > 0) lower = new Uint8Array(cursor)
  }
  return { from, to, after: lower, through: keyOf(to, ONES_HASH), topics: topicList, matches, limit, maxScan }
}

const ONES_HASH = new Uint8Array(HASH_BYTES).fill(0xff)

function keyOf(time: number, hash: Uint8Array): Uint8Array {
  const key = new Uint8Array(KEY_BYTES)
  writeKey(key, 0, time, hash)
  return key
}

