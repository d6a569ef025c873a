/**
 * Argument checks of the direct p2p methods (mail-server hooks): a peer named by id string or
 * PeerId, and an encoded envelope, whose `size()` decides whether the peer takes it.
 */
import { MAX_ENVELOPE_SIZE_BYTES, decodeEnvelope, envelopeSize } from '@hush/envelope'
import { isPeerId } from '@libp2p/interface'

/**
 * The map key of a peer given as a PeerId or its string form.
 * @throws {TypeError} for anything else, or an empty string
 */
export function peerKeyOf(peer: unknown, label: string): string {
  if (typeof peer === 'string') {
    if (peer.length === 0) throw new TypeError(`${label} must not be empty`)
    return peer
  }
  if (isPeerId(peer)) return peer.toString()
  throw new TypeError(`${label} must be a PeerId or a peer id string`)
}

/**
 * The `size()` of an encoded envelope (canonical RLP, as the node would accept it).
 * @throws {TypeError} when `raw` is not a Uint8Array
 * @throws {RangeError} when it is not one canonical encoded envelope
 */
export function encodedEnvelopeSize(raw: unknown, label: string): number {
  if (!(raw instanceof Uint8Array)) throw new TypeError(`${label} must be a Uint8Array`)
  try {
    return envelopeSize(decodeEnvelope(raw, { maxSizeBytes: MAX_ENVELOPE_SIZE_BYTES }))
  } catch (err) {
    throw new RangeError(`${label} is not an encoded envelope: ${(err as Error).message}`, { cause: err })
  }
}
