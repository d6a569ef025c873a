/**
 * A hand-driven `/shh/6.0.0` peer for the benches: a libp2p node on the in-memory transport that
 * writes status and messages frames itself (docs/WIRE.md) and reads whatever the node under test
 * sends it. The frames are encoded here because @hush/node keeps its wire codec internal; the RLP
 * pieces come from @hush/envelope's public API.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { encodeRlp, rlpHeaderLength, uintToBytes, writeRlpHeader } from '@hush/envelope'
import { type HushNode, PROTOCOL_ID } from '@hush/node'
import { identify } from '@libp2p/identify'
import type { Libp2p, Stream } from '@libp2p/interface'
import { memory } from '@libp2p/memory'
import { plaintext } from '@libp2p/plaintext'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import { lengthPrefixed } from '../../packages/node/src/frame-decoder.ts'

/** The connection encrypter of every peer in a run. */
export type Encrypter = 'noise' | 'plaintext'
export const encrypterOf = (e: Encrypter) => (e === 'noise' ? noise() : plaintext())

// ---- wire encoding (docs/WIRE.md)

/** Status frame `[0, [6, minPow, bloom, isLight, clockMs, maxSize]]`, minPow 0 and no bloom (take everything). */
function statusFrame(): Uint8Array {
  const empty = new Uint8Array(0)
  return lengthPrefixed(encodeRlp([uintToBytes(0), [uintToBytes(6), empty, empty, empty, uintToBytes(Date.now()), uintToBytes(1 << 20)]]))
}

/** Messages frame `[1, [envelope...]]` from raw envelope RLP, length-prefixed. */
export function messagesFrame(envelopes: readonly Uint8Array[]): Uint8Array {
  let payload = 0
  for (const e of envelopes) payload += e.length
  const body = rlpHeaderLength(payload) + payload
  const total = 1 + body
  const out = new Uint8Array(rlpHeaderLength(total) + total)
  let pos = writeRlpHeader(out, 0, total, 0xc0)
  out[pos++] = 1
  pos = writeRlpHeader(out, pos, payload, 0xc0)
  for (const e of envelopes) {
    out.set(e, pos)
    pos += e.length
  }
  return lengthPrefixed(out)
}

// ---- the peer

/** A libp2p node on the memory transport that speaks /shh/6.0.0 by hand. */
export interface RawPeer {
  node: Libp2p
  /** Bytes the node under test sent us on its /shh/ stream. */
  received(): number
  /** Dials `target`, opens our stream and sends our status. */
  open(target: HushNode): Promise<Stream>
}

let addrCounter = 0

export async function rawPeer(encrypter: Encrypter): Promise<RawPeer> {
  const node = await createLibp2p({
    addresses: { listen: [`/memory/hush-ingest-raw-${process.pid}-${addrCounter++}`] },
    transports: [memory()],
    connectionEncrypters: [encrypterOf(encrypter)],
    streamMuxers: [yamux()],
    services: { identify: identify() },
  })
  let bytes = 0
  // Read the node's stream and throw the bytes away: a reader that keeps up costs only transport work.
  await node.handle(PROTOCOL_ID, (stream) => {
    stream.addEventListener('message', (evt) => {
      bytes += evt.data.byteLength
    })
  })
  return {
    node,
    received: () => bytes,
    async open(target) {
      const out = await node.dialProtocol(target.getMultiaddrs()[0], PROTOCOL_ID, { signal: AbortSignal.timeout(10_000) })
      out.send(statusFrame())
      return out
    },
  }
}

/** Sends every frame, waiting for the stream to drain whenever its buffer is full. */
export async function sendAll(stream: Stream, frames: readonly Uint8Array[]): Promise<void> {
  for (const frame of frames) {
    if (!stream.send(frame)) await stream.onDrain({ signal: AbortSignal.timeout(30_000) })
  }
}
