/**
 * Direct sends to one ready peer (codes 125–127, the mail-server hooks and `post({ targetPeer })`):
 * the argument checks, the size against what the peer announced, and the writing through the
 * router's {@link DirectWriter}, in order behind whatever direct frames already wait for it. The
 * service's public methods delegate here and keep the contract in their TSDoc.
 */
import { encodeEnvelope, type Envelope, envelopeSize, keccak256 } from '@hush/envelope'
import { CODE_P2P_MESSAGE, CODE_P2P_REQUEST, FRAME_OVERHEAD_BYTES } from './constants.ts'
import type { DirectWriter } from './direct-writer.ts'
import { PeerNotFoundError, PostRejectedError } from './errors.ts'
import { encodedEnvelopeSize, peerKeyOf } from './p2p-args.ts'
import type { Peer } from './peer.ts'
import { encodeP2PCompleteFrame, encodeP2PFrame } from './wire.ts'

/** A peer as the public methods take it: a PeerId or its string. */
type PeerArg = string | { toString(): string }

/** Checked, ordered, flow-controlled direct frames to ready peers. */
export class DirectSends {
  private readonly readyPeer: (key: string) => Peer | undefined
  private readonly writer: DirectWriter

  /**
   * @param readyPeer - the ready peer with this key, if any
   * @param writer - the router's per-peer writer of direct frames
   */
  constructor(readyPeer: (key: string) => Peer | undefined, writer: DirectWriter) {
    this.readyPeer = readyPeer
    this.writer = writer
  }

  /** One encoded envelope as a p2p request (code 126), now (see `WhisperService.sendP2PRequest`). */
  request(peer: PeerArg, raw: Uint8Array): void {
    const key = peerKeyOf(peer, 'peer')
    const size = encodedEnvelopeSize(raw, 'raw')
    this.writeNow(this.fitting(key, size), encodeP2PFrame(CODE_P2P_REQUEST, raw))
  }

  /** One envelope as a p2p message (code 127), now; returns its hash (`post({ targetPeer })`). */
  messageNow(peer: PeerArg, envelope: Envelope): Uint8Array {
    const p = this.fitting(peer.toString(), envelopeSize(envelope))
    const raw = encodeEnvelope(envelope)
    this.writeNow(p, encodeP2PFrame(CODE_P2P_MESSAGE, raw))
    return keccak256(raw)
  }

  /** Encoded envelopes as p2p messages, in order, waiting for drain (see `WhisperService.sendP2PMessages`). */
  async messages(peer: PeerArg, raws: readonly Uint8Array[], signal: AbortSignal | undefined): Promise<void> {
    const key = peerKeyOf(peer, 'peer')
    if (!Array.isArray(raws)) throw new TypeError('raws must be an array')
    let largest = 0
    for (let i = 0; i < raws.length; i++) largest = Math.max(largest, encodedEnvelopeSize(raws[i], `raws[${i}]`))
    signal?.throwIfAborted()
    const p = this.fitting(key, largest)
    if (raws.length === 0) return
    await this.writer.write(p, raws.slice(), (raw) => encodeP2PFrame(CODE_P2P_MESSAGE, raw), signal)
  }

  /** A request-complete frame (code 125) after them (see `WhisperService.sendP2PComplete`). */
  async complete(peer: PeerArg, body: Uint8Array, signal: AbortSignal | undefined): Promise<void> {
    const key = peerKeyOf(peer, 'peer')
    // Checked and copied once, here: the frame is written as it is.
    const frame = encodeP2PCompleteFrame(body)
    signal?.throwIfAborted()
    const p = this.ready(key)
    // The peer's frame limit is its max size plus the frame overhead; the body needs a few more bytes.
    if (body.length + 8 > p.maxSizeBytes + FRAME_OVERHEAD_BYTES) throw tooLarge(p.maxSizeBytes)
    await this.writer.write(p, [frame], asIs, signal)
  }

  /** The ready peer `key`, which must take envelopes of `size` bytes. */
  private fitting(key: string, size: number): Peer {
    const p = this.ready(key)
    if (size > p.maxSizeBytes) throw tooLarge(p.maxSizeBytes)
    return p
  }

  private ready(key: string): Peer {
    const p = this.readyPeer(key)
    if (p === undefined) throw new PeerNotFoundError(`peer ${key} is not connected`)
    return p
  }

  /** Writes a direct frame now, or throws why it cannot be. */
  private writeNow(peer: Peer, frame: Uint8Array): void {
    if (this.writer.writeNow(peer, frame)) return
    if (!peer.isReady) throw new PeerNotFoundError(`peer ${peer.key} is not connected`)
    throw new PostRejectedError('write-queue-full', 'the peer is not reading fast enough')
  }
}

/** The encoder of items that are frames already. */
function asIs(frame: Uint8Array): Uint8Array {
  return frame
}

function tooLarge(maxSizeBytes: number): PostRejectedError {
  return new PostRejectedError('too-large', `the envelope is larger than ${maxSizeBytes} bytes, the peer's max size`)
}
