/**
 * The bench's messages: envelope data of a fixed size with the message's index in its first four
 * bytes, and the same envelope sealed by @hush/pow for routers that carry envelope bytes (gossipsub,
 * the naive flood) rather than posting through a Hush node.
 */
import { decodeEnvelope, type Envelope, encodeEnvelope, type Topic, topicFromString } from '@hush/envelope'
import { sealEnvelopeAsync } from '@hush/pow'

/** The topic every bench message is on. */
export const BENCH_TOPIC: Topic = topicFromString('bench')
/** TTL of every bench envelope. */
export const BENCH_TTL_SECONDS = 600

/** Envelope data of `sizeBytes` (at least 4) bytes, `index` in the first four. */
export function messageData(index: number, sizeBytes: number): Uint8Array {
  const data = new Uint8Array(sizeBytes)
  new DataView(data.buffer).setUint32(0, index)
  return data
}

/** The index {@link messageData} put in `data`. */
export function messageIndex(data: Uint8Array): number {
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0)
}

/**
 * The envelope RLP of message `index`, sealed to `targetPow` the way a Hush node seals its own
 * posts (on this thread, no workers, as the node does for small targets), so every router pays the
 * same sealing.
 */
export async function sealedMessage(index: number, sizeBytes: number, targetPow: number): Promise<Uint8Array> {
  const envelope: Envelope = {
    expiry: Math.floor(Date.now() / 1000) + BENCH_TTL_SECONDS,
    ttl: BENCH_TTL_SECONDS,
    topic: BENCH_TOPIC,
    data: messageData(index, sizeBytes),
    nonce: 0n,
  }
  const sealed = await sealEnvelopeAsync(envelope, { targetPow, workers: 0 })
  return encodeEnvelope(sealed.envelope)
}

/** The index of the message whose sealed envelope RLP is `raw` (decoded, as a subscriber would). */
export function sealedMessageIndex(raw: Uint8Array): number {
  return messageIndex(decodeEnvelope(raw).data)
}
