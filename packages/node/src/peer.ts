/**
 * One Whisper peer: its two streams (we write on the one we opened, read on the one it opened,
 * as floodsub does), its handshake timer and its lifecycle. A peer is in one of three states —
 * `handshake` (no status yet, or no stream to write on), `ready`, `gone` — and only a ready
 * peer is handed envelopes. When our stream to it closes under us it is reopened once; when that
 * fails, when its stream to us closes and no new one comes, when it sends no status in time, or
 * when it stops reading, the peer is gone and tells the router so.
 *
 * It also holds what the peer announced and what each side knows, its budgets and its counters.
 * The router makes every decision; this object does the stream I/O and never throws out of a
 * stream listener.
 */
import { type Bloom, MAX_ENVELOPE_SIZE_BYTES } from '@hush/envelope'
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import { Uint8ArrayList } from 'uint8arraylist'
import { ClaimSet } from './claim-set.ts'
import { CLAIM_LIFETIME_MS, CONTROL_SLACK_BYTES, MAX_CLAIMS_PER_PEER, MAX_PEER_CLOCK_OFFSET_SECONDS, PROTOCOL_ID } from './constants.ts'
import { encodeLengthPrefix, varintLength } from './frame-decoder.ts'
import { FrameInbox } from './frame-inbox.ts'
import { KnownSet } from './known-set.ts'
import { type PeerCounters, emptyCounters } from './peer-counters.ts'
import type { PeerScore } from './peer-score.ts'
import { type Requirement, requirement } from './requirement.ts'
import type { TokenBucket } from './token-bucket.ts'
import type { Status } from './wire.ts'

/** What the router hears from a peer. */
export interface PeerHandlers {
  /** A complete frame arrived on the peer's stream to us. */
  onFrame(peer: Peer, frame: Uint8Array): void
  /** The peer's stream carried bytes that are not frames (oversized, bad prefix). */
  onMalformed(peer: Peer, err: Error): void
  /** The peer became ready: its status arrived and we have a stream to write on. */
  onReady(peer: Peer): void
  /** Our stream to the peer drained: it can take more. */
  onWritable(peer: Peer): void
  /** The peer is no longer usable (it already closed its streams). */
  onGone(peer: Peer, reason: string): void
}

/** Limits and timings of one peer. */
export interface PeerLimits {
  /** Largest frame accepted from this peer, in bytes. */
  maxFrameBytes: number
  /** Bytes buffered for writing to the peer before data frames wait (or notices are dropped). */
  maxWriteQueueBytes: number
  /** How long the peer may leave our stream undrained before it is dropped. */
  drainTimeoutMs: number
  /** Time the peer has to send its status, and to replace a stream to us that closed. */
  handshakeTimeoutMs: number
}

/** The per-peer rate budgets (token buckets). */
export interface PeerBudgets {
  /** Frames per second; beyond it frames are dropped and cost points. */
  packets: TokenBucket
  /** Bytes per second; beyond it reading pauses. */
  bytes: TokenBucket
  /** Envelopes per second; beyond it reading pauses. */
  envelopes: TokenBucket
  /** Soft drops per second that cost nothing; beyond it each costs points. */
  softDrops: TokenBucket
}

/** The lifecycle states of a peer. */
export type PeerState = 'handshake' | 'ready' | 'gone'

/** State and streams of one peer. */
export class Peer {
  readonly id: PeerId
  readonly key: string
  /** The peer's status, once received (its max size clamped to our hard cap). */
  status: Status | undefined
  /** The peer's PoW requirement (status or code 2). */
  minPow: Requirement<number> | undefined
  /** The peer's bloom; `undefined` means a full node. */
  bloom: Requirement<Bloom | undefined> | undefined
  /** The peer's clock minus ours, in seconds, clamped (0 when unknown). */
  clockOffsetSeconds: number = 0
  /** What the peer and we know of envelopes. */
  readonly known: KnownSet = new KnownSet()
  /** Hashes the peer says it has (code 20). */
  readonly claims: ClaimSet = new ClaimSet(MAX_CLAIMS_PER_PEER, CLAIM_LIFETIME_MS)
  /** Hash keys of new envelopes waiting for this peer's own queue, in arrival order. */
  readonly pending: Set<string> = new Set()
  /** Connect-time sync: hash keys of the pooled envelopes to send, and the index of the next one. */
  sync: string[] = []
  syncNext = 0
  /** The outbox's enqueue count when the peer became ready: older envelopes came in its sync. */
  readySeq: number = Number.POSITIVE_INFINITY
  /** Whether the app trusts the peer's direct p2p messages. */
  isTrusted: boolean = false
  readonly score: PeerScore
  readonly budgets: PeerBudgets
  /** Counters for info() and tests. */
  readonly counters: PeerCounters = emptyCounters()

  private state: PeerState = 'handshake'
  private wasReady = false
  /** The connection the peer's streams run on. */
  readonly connection: Connection
  private readonly handlers: PeerHandlers
  private readonly limits: PeerLimits
  private readonly statusFrame: () => Uint8Array
  private inbound: Stream | undefined
  private outbound: Stream | undefined
  private reopened = false
  private hadOutbound = false
  private readonly inbox: FrameInbox
  private handshakeTimer: ReturnType<typeof setTimeout> | undefined
  private drainTimer: ReturnType<typeof setTimeout> | undefined

  constructor(
    connection: Connection,
    handlers: PeerHandlers,
    limits: PeerLimits,
    statusFrame: () => Uint8Array,
    score: PeerScore,
    budgets: PeerBudgets
  ) {
    this.connection = connection
    this.id = connection.remotePeer
    this.key = this.id.toString()
    this.handlers = handlers
    this.limits = limits
    this.statusFrame = statusFrame
    this.inbox = new FrameInbox(limits.maxFrameBytes, {
      onFrame: (frame) => {
        this.counters.framesIn++
        handlers.onFrame(this, frame)
      },
      onMalformed: (err) => handlers.onMalformed(this, err),
      isOpen: () => this.state !== 'gone',
    })
    this.score = score
    this.budgets = budgets
    this.handshakeTimer = this.timer(limits.handshakeTimeoutMs, () => {
      if (this.status === undefined) this.fail('no status in time')
      else if (this.inbound === undefined) this.fail('no stream from the peer in time')
    })
  }

  /** Whether envelopes may flow to the peer: its status arrived and we have a stream to it. */
  get isReady(): boolean {
    return this.state === 'ready' && this.outbound !== undefined
  }

  /** Whether the peer was ever ready (apps heard of it). */
  get hasBeenReady(): boolean {
    return this.wasReady
  }

  /** Whether the peer is gone for good. */
  get isGone(): boolean {
    return this.state === 'gone'
  }

  /** The largest envelope `size()` the peer accepts (0 before its status arrives). */
  get maxSizeBytes(): number {
    return this.status?.maxSizeBytes ?? 0
  }

  /** Whether we have a stream to write to. */
  get hasOutbound(): boolean {
    return this.outbound !== undefined
  }

  /** Whether we ever opened a stream to the peer (after that, only the peer reopens its own). */
  get hasHadOutbound(): boolean {
    return this.hadOutbound
  }

  /** Bytes written to the peer's stream and not yet taken by the transport. */
  get bufferedBytes(): number {
    return this.outbound?.writeBufferLength ?? 0
  }

  /** Bytes of data frames that may be written now without passing the write queue limit. */
  get room(): number {
    return this.limits.maxWriteQueueBytes - this.bufferedBytes
  }

  /** Uses `stream` (opened by the peer) for reading, replacing an older one. */
  attachInbound(stream: Stream): void {
    if (this.state === 'gone') {
      stream.abort(new Error('peer is gone'))
      return
    }
    if (stream.status !== 'open') return
    if (this.inbound !== undefined && this.inbound !== stream) this.inbound.abort(new Error('replaced by a new inbound stream'))
    this.inbound = stream
    // Reading pauses under flow control; the muxer's window bounds what arrives meanwhile.
    stream.maxReadBufferLength = Math.max(stream.maxReadBufferLength, 16 * 1024 * 1024 + 2 * this.limits.maxFrameBytes)
    this.inbox.attach(stream)
    if (this.status !== undefined) this.clearHandshakeTimer()
    stream.addEventListener('message', (evt) => {
      if (this.inbound !== stream) return
      this.counters.bytesIn += evt.data.byteLength
      this.inbox.push(evt.data)
    })
    const lost = (): void => {
      if (this.inbound !== stream) return
      this.inbound = undefined
      this.inbox.detach(stream)
      // The peer may open a new stream to us (its reopen); if none comes in time, it is gone.
      if (this.state !== 'gone') this.handshakeTimer ??= this.timer(this.limits.handshakeTimeoutMs, () => this.fail('its stream to us closed'))
    }
    stream.addEventListener('close', lost)
    stream.addEventListener('remoteCloseWrite', lost)
  }

  /** Uses `stream` (opened by us) for writing, replacing an older one; our status goes first. */
  attachOutbound(stream: Stream): void {
    if (this.state === 'gone') {
      stream.abort(new Error('peer is gone'))
      return
    }
    this.hadOutbound = true
    if (stream.status !== 'open') {
      // It closed before we got it (a reset can arrive with the protocol confirmation): no close
      // event will follow, so it counts as lost now.
      if (this.outbound === undefined) this.onOutboundLost()
      return
    }
    if (this.outbound !== undefined && this.outbound !== stream) this.outbound.abort(new Error('replaced by a new outbound stream'))
    this.outbound = stream
    stream.addEventListener('drain', () => {
      if (this.outbound !== stream) return
      this.clearDrainTimer()
      // The stream flushes its own buffer in a microtask queued by its own drain listener (which
      // runs before ours); only after that is its buffer's length what we may fill up to.
      queueMicrotask(() => {
        if (this.outbound === stream) this.handlers.onWritable(this)
      })
    })
    stream.addEventListener('close', () => {
      if (this.outbound !== stream) return
      this.outbound = undefined
      this.clearDrainTimer()
      this.onOutboundLost()
    })
    this.sendControl(this.statusFrame())
    this.checkReady()
  }

  /**
   * Records the peer's status (its shape already checked) and becomes ready when it can. What a
   * peer declares is believed only within bounds: its max size up to our hard cap (it sets the size
   * of what we write to it), its clock within MAX_PEER_CLOCK_OFFSET_SECONDS of ours.
   */
  acceptStatus(status: Status, nowMs: number): void {
    this.status = { ...status, maxSizeBytes: Math.min(status.maxSizeBytes, MAX_ENVELOPE_SIZE_BYTES) }
    this.minPow = requirement(status.minPow, nowMs)
    this.bloom = requirement(status.bloom, nowMs)
    const offset = status.clockMs === undefined ? 0 : Math.round((status.clockMs - nowMs) / 1000)
    this.clockOffsetSeconds = Math.max(-MAX_PEER_CLOCK_OFFSET_SECONDS, Math.min(MAX_PEER_CLOCK_OFFSET_SECONDS, offset))
    if (this.inbound !== undefined) this.clearHandshakeTimer()
    this.checkReady()
  }

  /**
   * Writes a control frame (status, PoW, bloom): sent even when data frames wait, within a small
   * slack above the write queue limit. Returns whether it was written.
   */
  sendControl(frame: Uint8Array): boolean {
    return this.write(frame, this.limits.maxWriteQueueBytes + CONTROL_SLACK_BYTES)
  }

  /**
   * Writes a data frame if it fits the write queue limit (or nothing is buffered at all, so one
   * frame larger than the limit can still go). Returns false, writing nothing, otherwise: the
   * caller keeps the data and tries again on `onWritable`.
   */
  trySend(frame: Uint8Array): boolean {
    if (this.bufferedBytes === 0) return this.write(frame, Number.POSITIVE_INFINITY)
    return this.write(frame, this.limits.maxWriteQueueBytes)
  }

  /**
   * Whether {@link trySend} would take a data frame of `frameBytes` bytes now (on an open
   * stream): nothing is buffered, or it fits the write queue limit with its length prefix.
   */
  canTake(frameBytes: number): boolean {
    const buffered = this.bufferedBytes
    return buffered === 0 || buffered + varintLength(frameBytes) + frameBytes <= this.limits.maxWriteQueueBytes
  }

  /** Stops handling the peer's frames for `delayMs` (flow control); what is decoded waits. */
  pauseFor(delayMs: number): void {
    if (this.state !== 'gone') this.inbox.pauseFor(delayMs)
  }

  /** Aborts both streams and clears every timer; the peer is gone (no handler is called). */
  abort(err: Error): void {
    this.state = 'gone'
    this.clearTimers()
    const streams = [this.inbound, this.outbound]
    this.inbound = undefined
    this.outbound = undefined
    for (const s of streams) s?.abort(err)
  }

  /** Closes our stream gracefully, aborts reading and clears every timer. */
  async close(): Promise<void> {
    this.state = 'gone'
    this.clearTimers()
    const outbound = this.outbound
    const inbound = this.inbound
    this.outbound = undefined
    this.inbound = undefined
    inbound?.abort(new Error('closing'))
    try {
      await outbound?.close({ signal: AbortSignal.timeout(1000) })
    } catch (err) {
      outbound?.abort(err as Error)
    }
  }

  private checkReady(): void {
    if (this.state !== 'handshake' || this.status === undefined || this.outbound === undefined) return
    this.state = 'ready'
    this.wasReady = true
    this.handlers.onReady(this)
  }

  private onOutboundLost(): void {
    if (this.state === 'gone') return
    if (this.reopened || this.connection.status !== 'open') {
      this.fail('our stream to it closed')
      return
    }
    this.reopened = true
    this.connection
      .newStream(PROTOCOL_ID, { signal: AbortSignal.timeout(this.limits.handshakeTimeoutMs) })
      .then((stream) => {
        if (this.state === 'gone') stream.abort(new Error('peer is gone'))
        else this.attachOutbound(stream)
      })
      .catch(() => this.fail('reopening our stream to it failed'))
  }

  private write(frame: Uint8Array, limit: number): boolean {
    const stream = this.outbound
    if (stream === undefined || this.state === 'gone') return false
    // The prefix and the frame go out as a list: no copy of the (possibly shared, large) frame.
    const bytes = new Uint8ArrayList(encodeLengthPrefix(frame.length), frame)
    if (this.bufferedBytes + bytes.byteLength > limit) {
      this.counters.writeDrops++
      return false
    }
    this.counters.framesOut++
    this.counters.bytesOut += bytes.byteLength
    try {
      if (!stream.send(bytes)) this.drainTimer ??= this.timer(this.limits.drainTimeoutMs, () => this.fail('it does not read'))
    } catch (err) {
      // A stream that closed under us: its close listener reopens or gives up.
      stream.abort(err as Error)
      return false
    }
    return true
  }

  private fail(reason: string): void {
    if (this.state === 'gone') return
    this.abort(new Error(`peer dropped: ${reason}`))
    this.handlers.onGone(this, reason)
  }

  private timer(ms: number, fn: () => void): ReturnType<typeof setTimeout> {
    const t = setTimeout(fn, ms)
    t.unref?.()
    return t
  }

  private clearHandshakeTimer(): void {
    if (this.handshakeTimer !== undefined) clearTimeout(this.handshakeTimer)
    this.handshakeTimer = undefined
  }

  private clearDrainTimer(): void {
    if (this.drainTimer !== undefined) clearTimeout(this.drainTimer)
    this.drainTimer = undefined
  }

  private clearTimers(): void {
    this.clearHandshakeTimer()
    this.clearDrainTimer()
    this.inbox.close()
  }
}

