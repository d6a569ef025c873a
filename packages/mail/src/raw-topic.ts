/** Reading the topic straight from an envelope's RLP `[expiry, ttl, topic, data, nonce]`. */
import { readRlpItem } from '@hush/envelope'

/**
 * The 4-byte topic (a view) of the envelope encoded in `raw`, or `undefined` when `raw` is not an
 * envelope's RLP (an archive never fails a query on one damaged record: it just does not match).
 */
export function topicOfRaw(raw: Uint8Array): Uint8Array | undefined {
  try {
    const list = readRlpItem(raw, 0)
    if (!list.isList) return undefined
    const expiry = readRlpItem(raw, list.start, list.end)
    const ttl = readRlpItem(raw, expiry.next, list.end)
    const topic = readRlpItem(raw, ttl.next, list.end)
    return !topic.isList && topic.end - topic.start === 4 ? raw.subarray(topic.start, topic.end) : undefined
  } catch {
    return undefined
  }
}
