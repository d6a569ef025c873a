/**
 * Topics of the session. Discovery topics are partitions derived from the recipient's public key
 * (design.md §7): handshakes to many users share each topic, so a topic does not name its
 * recipient; the partition count trades anonymity-set size against trial decryptions. Partial
 * topics are random per session and direction, chosen by the initiator in the handshake.
 *
 * ```
 * partition = uint32_be(Keccak-256(publicKey)[0..4]) mod partitions
 * discovery = Keccak-256("hush/discovery" ‖ uint32_be(partition))[0..4]
 * ```
 */
import { type Topic, isValidPublicKey, keccak256 } from '@hush/envelope'
import { randomBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { assertInt } from './assert.ts'
import { TOPIC_BYTES } from './constants.ts'

const DISCOVERY_LABEL = utf8ToBytes('hush/discovery')

/**
 * The discovery topic on which handshakes to `publicKey` are posted.
 * @throws {RangeError} when `publicKey` is not an uncompressed secp256k1 key or `partitions` < 1
 * @example
 * ```ts
 * const topic = discoveryTopic(bob.publicKey, 16)
 * ```
 */
export function discoveryTopic(publicKey: Uint8Array, partitions: number): Topic {
  if (!isValidPublicKey(publicKey)) throw new RangeError('publicKey must be an uncompressed secp256k1 public key')
  assertInt(partitions, 'partitions', 1, 0xffff_ffff)
  const digest = keccak256(publicKey)
  const partition = new DataView(digest.buffer, digest.byteOffset, 4).getUint32(0) % partitions
  const input = new Uint8Array(DISCOVERY_LABEL.length + 4)
  input.set(DISCOVERY_LABEL, 0)
  new DataView(input.buffer).setUint32(DISCOVERY_LABEL.length, partition)
  return keccak256(input).slice(0, TOPIC_BYTES)
}

/** Two distinct random partial topics (A→B, B→A). */
export function randomTopicPair(): [Topic, Topic] {
  const ab = randomBytes(TOPIC_BYTES)
  let ba = randomBytes(TOPIC_BYTES)
  while (ba.every((b, i) => b === ab[i])) ba = randomBytes(TOPIC_BYTES)
  return [ab, ba]
}
