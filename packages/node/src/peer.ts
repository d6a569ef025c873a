/**
 * One connected Whisper peer: its two streams (we write on the one we opened, read on the one it
 * opened, as floodsub does), what it announced (PoW requirement, bloom, light flag, clock, max
 * size), what it knows, its rate limits and its score. The router makes the decisions; this
 * object only holds state and does the stream I/O, never throwing out of a stream listener.
 */
import type { Bloom } from '@hush/envelope'
import type { PeerId, Stream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'
import { FrameDecoder, lengthPrefixed } from './frame-decoder.ts'
import type { PeerScore } from './peer-score.ts'
import type { TokenBucket } from './token-bucket.ts'
import type { Status } from './wire.ts'

/** Handlers the router gives each peer. */
export interface PeerHandlers {
  /** A complete frame arrived on the inbound stream. */
  onFrame(peer: Peer, frame: Uint8Array): void
  /** The inbound stream sent bytes that are not frames (oversized, bad prefix). */
  onMalformed(peer: Peer, err: Error): void
  /** A stream of this peer closed. */
  onStreamClosed(peer: Peer, direction: 'inbound' | 'outbound'): void
}

/** Limits for one peer's I/O. */
export interface PeerLimits {
  /** Largest frame accepted from this peer, in bytes. */
  maxFrameBytes: number
  /** Bytes queued for writing before further frames are dropped. */
  maxWriteQueueBytes: number
}

/** What the peer announced, with the time it changed, for tolerating the old values briefly. */
export interface Requirement<T> {
  current: T
  previous: T
  changedMs: number
}

/** Traffic counters of one peer; bytes include length prefixes. */
export interface PeerCounters {
  framesIn: number
  framesOut: number
  bytesIn: number
  bytesOut: number
  /** New envelopes received from the peer. */
  envelopesIn: number
  /** Envelopes sent to the peer. */
  envelopesOut: number
  /** Envelopes received that we already had. */
  duplicatesIn: number
  /** Frames dropped because the peer's write queue was full. */
  writeDrops: number
}

/** Counters at zero. */
export function emptyCounters(): PeerCounters {
  return { framesIn: 0, framesOut: 0, bytesIn: 0, bytesOut: 0, envelopesIn: 0, envelopesOut: 0, duplicatesIn: 0, writeDrops: 0 }
}

/** Adds `from` into `into`. */
export function addCounters(into: PeerCounters, from: PeerCounters): void {
  for (const k of Object.keys(into) as Array<keyof PeerCounters>) into[k] += from[k]
}

/** State and streams of one peer. */
export class Peer {
  readonly id: PeerId
  readonly key: string
  /** The peer's status, once received. */
  status: Status | undefined
  /** The peer's PoW requirement (status or code 2). */
  minPow: Requirement<number> | undefined
  /** The peer's bloom; `undefined` means a full node. */
  bloom: Requirement<Bloom | undefined> | undefined
  /** The peer's clock minus ours, in seconds, estimated from its status (0 when unknown). */
  clockOffsetSeconds: number = 0
  /** Envelope hashes the peer has or was sent, with their expiry (unix seconds). */
  readonly known: Map<string, number> = new Map()
  /** Envelope hashes queued for the next batch to this peer. */
  pending: Set<string> = new Set()
  /** Hashes to announce to this peer in the next known-hashes frame. */
  notices: Uint8Array[] = []
  isTrusted: boolean = false
  readonly score: PeerScore
  readonly packets: TokenBucket
  readonly bytes: TokenBucket
  /** Counters for info() and tests. */
  readonly counters: PeerCounters = emptyCounters()

  private inbound: Stream | undefined
  private outbound: Stream | undefined
  private decoder: FrameDecoder
  private readonly handlers: PeerHandlers
  private readonly limits: PeerLimits
  private writeQueue: Uint8Array[] = []
  private writeQueueBytes = 0
  private waitingForDrain = false

  constructor(id: PeerId, handlers: PeerHandlers, limits: PeerLimits, score: PeerScore, packets: TokenBucket, bytes: TokenBucket) {
    this.id = id
    this.key = id.toString()
    this.handlers = handlers
    this.limits = limits
    this.decoder = new FrameDecoder(limits.maxFrameBytes)
    this.score = score
    this.packets = packets
    this.bytes = bytes
  }

  /** Whether the peer's status has arrived, so envelopes may flow. */
  get isReady(): boolean {
    return this.status !== undefined && this.outbound !== undefined
  }

  /** The largest envelope `size()` the peer accepts (0 before its status arrives). */
  get maxSizeBytes(): number {
    return this.status?.maxSizeBytes ?? 0
  }

  /** Whether we have a stream to write to. */
  get hasOutbound(): boolean {
    return this.outbound !== undefined
  }

  /** Uses `stream` (opened by the peer) for reading, replacing an older one. */
  attachInbound(stream: Stream): void {
    if (this.inbound !== undefined && this.inbound !== stream) this.inbound.abort(new Error('replaced by a new inbound stream'))
    this.inbound = stream
    this.decoder = new FrameDecoder(this.limits.maxFrameBytes)
    stream.addEventListener('message', (evt) => {
      if (this.inbound !== stream) return
      this.onChunk(evt.data)
    })
    stream.addEventListener('close', () => {
      if (this.inbound !== stream) return
      this.inbound = undefined
      this.handlers.onStreamClosed(this, 'inbound')
    })
  }

  /** Uses `stream` (opened by us) for writing, replacing an older one. */
  attachOutbound(stream: Stream): void {
    if (this.outbound !== undefined && this.outbound !== stream) this.outbound.abort(new Error('replaced by a new outbound stream'))
    this.outbound = stream
    this.writeQueue = []
    this.writeQueueBytes = 0
    this.waitingForDrain = false
    stream.addEventListener('drain', () => {
      if (this.outbound === stream) this.flushWrites()
    })
    stream.addEventListener('close', () => {
      if (this.outbound !== stream) return
      this.outbound = undefined
      this.handlers.onStreamClosed(this, 'outbound')
    })
  }

  /**
   * Sends one frame (length prefix added here). Frames wait in a bounded queue while the stream
   * needs draining; past the bound they are dropped and counted. Returns whether it was queued.
   */
  send(frame: Uint8Array): boolean {
    const stream = this.outbound
    if (stream === undefined) return false
    const bytes = lengthPrefixed(frame)
    if (this.waitingForDrain || this.writeQueue.length > 0) {
      if (this.writeQueueBytes + bytes.length > this.limits.maxWriteQueueBytes) {
        this.counters.writeDrops++
        return false
      }
      this.writeQueue.push(bytes)
      this.writeQueueBytes += bytes.length
      return true
    }
    this.write(stream, bytes)
    return true
  }

  /** Bytes waiting in the write queue. */
  get queuedBytes(): number {
    return this.writeQueueBytes
  }

  /** Aborts both streams (used for disconnects and misbehaviour). */
  abort(err: Error): void {
    const streams = [this.inbound, this.outbound]
    this.inbound = undefined
    this.outbound = undefined
    this.writeQueue = []
    this.writeQueueBytes = 0
    for (const s of streams) s?.abort(err)
  }

  /** Closes our outbound stream gracefully and aborts reading. */
  async close(): Promise<void> {
    const outbound = this.outbound
    const inbound = this.inbound
    this.outbound = undefined
    this.inbound = undefined
    this.writeQueue = []
    inbound?.abort(new Error('closing'))
    try {
      await outbound?.close({ signal: AbortSignal.timeout(1000) })
    } catch (err) {
      outbound?.abort(err as Error)
    }
  }

  private write(stream: Stream, bytes: Uint8Array): void {
    this.counters.framesOut++
    this.counters.bytesOut += bytes.length
    try {
      if (!stream.send(bytes)) this.waitingForDrain = true
    } catch (err) {
      // A stream that closed under us: the close listener cleans up.
      this.waitingForDrain = false
      stream.abort(err as Error)
    }
  }

  private flushWrites(): void {
    this.waitingForDrain = false
    const stream = this.outbound
    if (stream === undefined) return
    while (this.writeQueue.length > 0 && !this.waitingForDrain) {
      const bytes = this.writeQueue.shift() as Uint8Array
      this.writeQueueBytes -= bytes.length
      this.write(stream, bytes)
    }
  }

  private onChunk(chunk: Uint8Array | Uint8ArrayList): void {
    this.counters.bytesIn += chunk.byteLength
    let frames: Uint8Array[]
    try {
      frames = this.decoder.push(chunk)
    } catch (err) {
      this.handlers.onMalformed(this, err as Error)
      return
    }
    for (const frame of frames) {
      this.counters.framesIn++
      this.handlers.onFrame(this, frame)
      if (this.inbound === undefined) return
    }
  }
}
