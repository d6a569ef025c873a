/** Topics as uint32 numbers: the keys of the node's topic indexes (filters, raw subscriptions). */
import type { Topic } from '@hush/envelope'

/** A topic as a uint32, big-endian. */
export function topicNumber(topic: Topic): number {
  return ((topic[0] << 24) | (topic[1] << 16) | (topic[2] << 8) | topic[3]) >>> 0
}

/** The topic of a uint32 key. */
export function topicOfNumber(n: number): Topic {
  return Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff)
}
