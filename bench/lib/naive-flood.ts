/**
 * A naive flood router, the latency reference of the network bench: a libp2p service on
 * `/naive-flood/1.0.0` with one long-lived stream per connection (opened by the dialling side,
 * used both ways) carrying length-prefixed frames. A frame it has not seen (by its keccak-256
 * hash) is forwarded at once to every other peer, then handed to `onMessage`; nothing else: no
 * batching, no notices, no mesh, no expiry of the seen set (a bench runs minutes).
 */
import type { Connection, Libp2pEvents, PeerId, Startable, Stream, StreamHandler, TypedEventTarget } from '@libp2p/interface'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { bytesToHex } from '@noble/hashes/utils.js'
// The node's own varint framing (docs/WIRE.md), so the flood frames its messages as Hush does.
import { FrameDecoder, lengthPrefixed } from '../../packages/node/src/frame-decoder.ts'

/** The protocol id. */
const PROTOCOL = '/naive-flood/1.0.0'
/** Largest frame accepted. */
const MAX_FRAME_BYTES = 1 << 20

/** What the service needs from libp2p. */
export interface NaiveFloodComponents {
  /** The part of libp2p's registrar the service uses. */
  registrar: { handle(protocol: string, handler: StreamHandler): Promise<void>; unhandle(protocol: string): Promise<void> }
  events: TypedEventTarget<Libp2pEvents>
}

/** The router: publish frames, receive new ones. */
export interface NaiveFlood extends Startable {
  /** Sends `frame` to every peer (and marks it seen). */
  publish(frame: Uint8Array): void
  /** Called once per new frame received from a peer, after it was forwarded. */
  onMessage: ((frame: Uint8Array) => void) | undefined
  /** Frames received that were already seen. */
  readonly duplicates: number
  /** Peers with an open stream. */
  readonly peers: number
}

class NaiveFloodService implements NaiveFlood {
  onMessage: ((frame: Uint8Array) => void) | undefined
  duplicates = 0
  private readonly components: NaiveFloodComponents
  private readonly streams = new Map<string, Stream>()
  private readonly seen = new Set<string>()
  private readonly onConnection = (evt: CustomEvent<Connection>): void => {
    const connection = evt.detail
    if (connection.direction !== 'outbound') return
    connection.newStream(PROTOCOL).then(
      (stream) => this.attach(connection.remotePeer, stream),
      () => {}
    )
  }

  constructor(components: NaiveFloodComponents) {
    this.components = components
  }

  get peers(): number {
    return this.streams.size
  }

  async start(): Promise<void> {
    await this.components.registrar.handle(PROTOCOL, (stream, connection) => this.attach(connection.remotePeer, stream))
    this.components.events.addEventListener('connection:open', this.onConnection)
  }

  async stop(): Promise<void> {
    this.components.events.removeEventListener('connection:open', this.onConnection)
    await this.components.registrar.unhandle(PROTOCOL)
    for (const stream of this.streams.values()) stream.abort(new Error('stopping'))
    this.streams.clear()
  }

  publish(frame: Uint8Array): void {
    this.seen.add(bytesToHex(keccak_256(frame)))
    this.sendToAll(lengthPrefixed(frame), undefined)
  }

  private attach(peer: PeerId, stream: Stream): void {
    const key = peer.toString()
    this.streams.set(key, stream)
    const decoder = new FrameDecoder(MAX_FRAME_BYTES)
    stream.addEventListener('message', (evt) => {
      try {
        for (const frame of decoder.push(evt.data)) this.receive(frame, stream)
      } catch (err) {
        stream.abort(err as Error)
      }
    })
    stream.addEventListener('close', () => {
      if (this.streams.get(key) === stream) this.streams.delete(key)
    })
  }

  private receive(frame: Uint8Array, from: Stream): void {
    const hash = bytesToHex(keccak_256(frame))
    if (this.seen.has(hash)) {
      this.duplicates++
      return
    }
    this.seen.add(hash)
    this.sendToAll(lengthPrefixed(frame), from)
    this.onMessage?.(frame)
  }

  private sendToAll(bytes: Uint8Array, except: Stream | undefined): void {
    for (const stream of this.streams.values()) {
      if (stream !== except && stream.writeStatus !== 'closing' && stream.writeStatus !== 'closed') stream.send(bytes)
    }
  }
}

/** The service factory, for `services: { flood: naiveFlood() }`. */
export function naiveFlood(): (components: NaiveFloodComponents) => NaiveFlood {
  return (components) => new NaiveFloodService(components)
}
