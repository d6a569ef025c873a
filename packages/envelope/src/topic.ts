/**
 * Topics and 64-byte bloom filters (spec §4). A topic is 4 opaque bytes; its bloom sets up to
 * three of 512 bits. geth builds an envelope's bloom by *assigning* bytes (a later bit can
 * overwrite an earlier one in the same byte); the bloom a node advertises is built with OR, a
 * superset, so senders of either form are matched (design.md §3, the interop rule).
 */
import { utf8ToBytes } from '@noble/hashes/utils.js'
import { assertBytes } from './assert.ts'
import { BLOOM_LENGTH_BYTES, TOPIC_LENGTH_BYTES } from './constants.ts'
import { InvalidTopicError } from './errors.ts'
import { keccak256 } from './keccak.ts'

/** A 4-byte Whisper topic. */
export type Topic = Uint8Array
/** A 64-byte (512-bit) bloom filter; `undefined` stands for a full node that wants everything. */
export type Bloom = Uint8Array

/** The bloom of a full node: all 512 bits set. */
export const FULL_BLOOM: Bloom = /* @__PURE__ */ new Uint8Array(BLOOM_LENGTH_BYTES).fill(0xff)

/**
 * geth's `BytesToTopic`: the first up-to-4 bytes of `bytes`, zero-filled on the right.
 * `undefined` gives the zero topic, like a nil slice in Go.
 */
export function bytesToTopic(bytes: Uint8Array | undefined): Topic {
  const topic = new Uint8Array(TOPIC_LENGTH_BYTES)
  if (bytes === undefined) return topic
  assertBytes(bytes, 'bytes')
  topic.set(bytes.subarray(0, TOPIC_LENGTH_BYTES))
  return topic
}

/**
 * A topic from a name, by the convention in geth's documentation: the first 4 bytes of
 * Keccak-256 of the UTF-8 string.
 */
export function topicFromString(name: string): Topic {
  if (typeof name !== 'string') throw new TypeError('name must be a string')
  return keccak256(utf8ToBytes(name)).slice(0, TOPIC_LENGTH_BYTES)
}

const HEX_TOPIC = /^0x[0-9a-fA-F]{8}$/

/**
 * Parses the JSON/RPC text form: `0x` followed by exactly 8 hex digits (geth's
 * `TopicType.UnmarshalText`). Bytes are in text order: `0x00000001` is `[0, 0, 0, 1]`.
 * @throws {InvalidTopicError} when the text is not of that form
 */
export function topicFromHex(text: string): Topic {
  if (typeof text !== 'string') throw new TypeError('text must be a string')
  if (!HEX_TOPIC.test(text)) throw new InvalidTopicError(`topic must be 0x and 8 hex digits, got ${JSON.stringify(text)}`)
  const topic = new Uint8Array(TOPIC_LENGTH_BYTES)
  for (let i = 0; i < TOPIC_LENGTH_BYTES; i++) topic[i] = Number.parseInt(text.slice(2 + 2 * i, 4 + 2 * i), 16)
  return topic
}

/** The text form of a topic: `0x` and 8 lowercase hex digits (geth's `TopicType.String`). */
export function topicToHex(topic: Topic): string {
  assertBytes(topic, 'topic', TOPIC_LENGTH_BYTES)
  let out = '0x'
  for (const b of topic) out += b.toString(16).padStart(2, '0')
  return out
}

/**
 * A topic as a uint32, big-endian: a compact key for sets and tables of topics (the pool's
 * records, the node's topic index, the mail archive's queries).
 * @throws {TypeError | RangeError} when `topic` is not 4 bytes
 */
export function topicToNumber(topic: Topic): number {
  assertBytes(topic, 'topic', TOPIC_LENGTH_BYTES)
  return ((topic[0] << 24) | (topic[1] << 16) | (topic[2] << 8) | topic[3]) >>> 0
}

/** The topic whose {@link topicToNumber} is `n` (a uint32). @throws {RangeError} for anything else */
export function topicFromNumber(n: number): Topic {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff_ffff) throw new RangeError(`n must be a uint32, got ${n}`)
  return Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff)
}

/** The three 9-bit bloom indices of a topic: byte j, plus 256 when bit j of byte 3 is set. */
function bloomIndices(topic: Topic): [number, number, number] {
  const t3 = topic[3]
  return [topic[0] + (t3 & 1 ? 256 : 0), topic[1] + (t3 & 2 ? 256 : 0), topic[2] + (t3 & 4 ? 256 : 0)]
}

/**
 * geth's `TopicToBloom`, byte for byte: each index *assigns* `1 << (n % 8)` to byte `n >> 3`,
 * so two indices in one byte leave only the later bit. Use it for an envelope's bloom when
 * deciding whether a peer wants it.
 */
export function topicToBloom(topic: Topic): Bloom {
  assertBytes(topic, 'topic', TOPIC_LENGTH_BYTES)
  const bloom = new Uint8Array(BLOOM_LENGTH_BYTES)
  for (const n of bloomIndices(topic)) bloom[n >> 3] = 1 << (n & 7)
  return bloom
}

/**
 * The OR-built bloom of a topic (nim-eth's and EIP-627's form), a superset of
 * {@link topicToBloom}. Use it for the bloom a node advertises, so envelopes whose senders
 * compute either form are matched.
 */
export function topicToBloomOr(topic: Topic): Bloom {
  assertBytes(topic, 'topic', TOPIC_LENGTH_BYTES)
  const bloom = new Uint8Array(BLOOM_LENGTH_BYTES)
  for (const n of bloomIndices(topic)) bloom[n >> 3] |= 1 << (n & 7)
  return bloom
}

/** The bloom a node advertises for a set of watched topics: OR of each topic's OR-built bloom. */
export function topicsToBloom(topics: Iterable<Topic>): Bloom {
  const bloom = new Uint8Array(BLOOM_LENGTH_BYTES)
  for (const topic of topics) {
    assertBytes(topic, 'topic', TOPIC_LENGTH_BYTES)
    for (const n of bloomIndices(topic)) bloom[n >> 3] |= 1 << (n & 7)
  }
  return bloom
}

/** Byte-wise OR of blooms (geth's `addBloom`). */
export function bloomUnion(...blooms: Bloom[]): Bloom {
  const out = new Uint8Array(BLOOM_LENGTH_BYTES)
  for (const bloom of blooms) {
    assertBytes(bloom, 'bloom', BLOOM_LENGTH_BYTES)
    for (let i = 0; i < BLOOM_LENGTH_BYTES; i++) out[i] |= bloom[i]
  }
  return out
}

/**
 * geth's `BloomFilterMatch`: true when every bit of `sample` is set in `filter`. An `undefined`
 * filter is a full node and matches everything.
 */
export function bloomMatches(filter: Bloom | undefined, sample: Bloom): boolean {
  if (filter === undefined) return true
  assertBytes(filter, 'filter', BLOOM_LENGTH_BYTES)
  assertBytes(sample, 'sample', BLOOM_LENGTH_BYTES)
  for (let i = 0; i < BLOOM_LENGTH_BYTES; i++) {
    if ((filter[i] | sample[i]) !== filter[i]) return false
  }
  return true
}

/** True when `bloom` is absent or all bits are set: the peer or node wants every envelope. */
export function isFullBloom(bloom: Bloom | undefined): boolean {
  if (bloom === undefined) return true
  for (let i = 0; i < bloom.length; i++) if (bloom[i] !== 0xff) return false
  return bloom.length === BLOOM_LENGTH_BYTES
}
