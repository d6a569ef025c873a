/**
 * The flood router (design.md §2–§3): one {@link Peer} per connected peer with a stream each
 * way, the status exchange, per-peer known-sets, batched forwarding and peer policing (frame
 * limits, rate limits, scores, temporary bans). Envelope validation is the host's job: the
 * router hands it raw envelopes and is told what to forward.
 */
import type { Connection, Logger, PeerId, Stream } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'
import {
  CODE_BLOOM_FILTER,
  CODE_MESSAGES,
  CODE_P2P_MESSAGE,
  CODE_POW_REQUIREMENT,
  CODE_STATUS,
  FRAME_OVERHEAD_BYTES,
  PROTOCOL_ID,
} from './constants.ts'
import { hashKey } from '@hush/pool'
import { InvalidFrameError } from './errors.ts'
import { Peer, type PeerCounters, type PeerHandlers, type Requirement, addCounters, emptyCounters } from './peer.ts'
import { Outbox } from './outbox.ts'
import { PeerPolicy } from './peer-policy.ts'
import type { ScoreEvent, ScoreParams } from './peer-score.ts'
import { createTokenBucket, takeTokens } from './token-bucket.ts'
import {
  type Status,
  decodeFrame,
  encodeBloomFrame,
  encodePowFrame,
  encodeStatusFrame,
} from './wire.ts'
import type { Bloom } from '@hush/envelope'

/** Per-peer rate limits. */
export interface RateLimits {
  /** Frames per second a peer may send. @default 2000 */
  packetsPerSecond?: number
  /** Bytes per second a peer may send. @default 16777216 */
  bytesPerSecond?: number
}

/** What the router needs from the node that owns it. */
export interface RouterHost {
  /** Our status as we announce it now. */
  localStatus(): Omit<Status, 'version'>
  /** Our max envelope size; the frame limit follows from it. */
  maxEnvelopeBytes(): number
  /** Whether we run in light mode. */
  isLight(): boolean
  /** Envelopes arrived in a messages frame. */
  onEnvelopes(peer: Peer, envelopes: Uint8Array[]): void
  /** A direct p2p message (code 127) arrived. */
  onP2PMessage(peer: Peer, envelope: Uint8Array): void
  /** A peer's status arrived and its outbound stream is open: time to sync. */
  onPeerReady(peer: Peer): void
  /** The raw bytes of a pooled envelope, or `undefined` once it is gone. */
  rawEnvelope(key: string): Uint8Array | undefined
  /** A frame-level drop, for counting and events. */
  onDrop(reason: 'malformed-frame' | 'rate-limited', peer: Peer): void
  /** Peer lifecycle notifications. */
  onPeerConnected(peer: Peer): void
  onPeerDisconnected(peer: Peer): void
  onPeerBanned(peer: Peer): void
}

/** Router settings, all resolved. */
export interface RouterSettings {
  batchIntervalMs: number
  maxWriteQueueBytes: number
  score: ScoreParams
  packetsPerSecond: number
  bytesPerSecond: number
  handshakeTimeoutMs: number
  restrictLightPeers: boolean
}

/** The libp2p components the router touches. */
export interface RouterComponents {
  registrar: Registrar
  connectionManager: ConnectionManager
}

/** Floods envelopes between peers. */
export class Router {
  private readonly peers = new Map<string, Peer>()
  /** Scores and bans outlive connections, so reconnecting does not wash a peer's record clean. */
  private readonly policy: PeerPolicy
  /** Traffic of peers that have gone away, so totals survive disconnects. */
  private readonly closedTraffic: PeerCounters = emptyCounters()
  private readonly components: RouterComponents
  private readonly host: RouterHost
  private readonly settings: RouterSettings
  private readonly log: Logger
  private readonly now: () => number
  private topologyId: string | undefined
  private readonly outbox: Outbox
  private readonly opening = new Set<string>()
  /** Most hashes a peer may tell us it knows beyond the envelopes it actually sent. */
  private readonly maxKnownPerPeer = 200_000
  private readonly handshakeTimers = new Map<string, ReturnType<typeof setTimeout>>()
  private started = false
  private readonly handlers: PeerHandlers

  constructor(components: RouterComponents, host: RouterHost, settings: RouterSettings, log: Logger, now: () => number) {
    this.components = components
    this.host = host
    this.settings = settings
    this.log = log
    this.now = now
    this.policy = new PeerPolicy(settings.score, now)
    this.outbox = new Outbox(() => this.peers.values(), (key) => host.rawEnvelope(key), settings.batchIntervalMs)
    this.handlers = {
      onFrame: (peer, frame) => this.onFrame(peer, frame),
      onMalformed: (peer, err) => this.onMalformed(peer, err),
      onStreamClosed: (peer, direction) => this.onStreamClosed(peer, direction),
    }
  }

  /** Registers the protocol handler and the topology. */
  async start(): Promise<void> {
    if (this.started) return
    this.started = true
    this.outbox.start()
    await this.components.registrar.handle(PROTOCOL_ID, (stream, connection) => this.onInboundStream(stream, connection), {
      maxInboundStreams: 2,
      maxOutboundStreams: 2,
    })
    this.topologyId = await this.components.registrar.register(PROTOCOL_ID, {
      onConnect: (peerId, connection) => {
        this.onConnect(peerId, connection).catch((err) => this.log.error('opening a stream to %p failed: %e', peerId, err))
      },
      onDisconnect: (peerId) => this.removePeer(peerId.toString()),
    })
  }

  /** Unregisters, closes every peer's streams and clears every timer. */
  async stop(): Promise<void> {
    if (!this.started) return
    this.started = false
    if (this.topologyId !== undefined) this.components.registrar.unregister(this.topologyId)
    this.topologyId = undefined
    await this.components.registrar.unhandle(PROTOCOL_ID)
    this.outbox.stop()
    for (const t of this.handshakeTimers.values()) clearTimeout(t)
    this.handshakeTimers.clear()
    const peers = [...this.peers.values()]
    this.peers.clear()
    await Promise.all(peers.map((p) => p.close()))
    this.policy.clear()
    Object.assign(this.closedTraffic, emptyCounters())
  }

  /** Connected peers. */
  getPeers(): Peer[] {
    return [...this.peers.values()]
  }

  /** Traffic over every peer since start (frames and bytes both ways, envelopes, duplicates). */
  traffic(): PeerCounters {
    const total = { ...this.closedTraffic }
    for (const peer of this.peers.values()) addCounters(total, peer.counters)
    return total
  }

  /** Connected peers, without copying (do not connect or disconnect while iterating). */
  peerValues(): IterableIterator<Peer> {
    return this.peers.values()
  }

  /** The peer with this id, if connected. */
  getPeer(key: string): Peer | undefined {
    return this.peers.get(key)
  }

  /** Whether a peer is currently refused. */
  isBanned(key: string): boolean {
    return this.policy.isBanned(key)
  }

  /** Queues an envelope for a peer's next batch and marks the peer as knowing it. */
  enqueue(peer: Peer, key: string, expiry: number): void {
    this.outbox.enqueue(peer, key, expiry)
  }

  /** Tells `peer`, on the next turn of the event loop, that we have the envelope `hash`. */
  notify(peer: Peer, hash: Uint8Array): void {
    this.outbox.notify(peer, hash)
  }

  /** Sends every peer its pending envelopes now. */
  flush(): void {
    this.outbox.flush()
  }

  /** Sends a frame to every ready peer (PoW and bloom announcements). */
  broadcastFrame(frame: Uint8Array): void {
    for (const peer of this.peers.values()) if (peer.hasOutbound) peer.send(frame)
  }

  /** Announces a new PoW requirement to every peer. */
  announcePow(minPow: number): void {
    this.broadcastFrame(encodePowFrame(minPow))
  }

  /** Announces a new bloom to every peer. */
  announceBloom(bloom: Bloom): void {
    this.broadcastFrame(encodeBloomFrame(bloom))
  }

  /** Applies a score event; disconnects and bans the peer when it falls below the threshold. */
  penalise(peer: Peer, event: ScoreEvent): void {
    if (this.policy.apply(peer.key, event)) this.ban(peer)
  }

  /** Disconnects a peer and refuses it for the ban period. */
  ban(peer: Peer): void {
    if (!this.policy.ban(peer.key)) return
    this.log('banning %p (score %d)', peer.id, peer.score.value)
    this.host.onPeerBanned(peer)
    this.disconnect(peer)
  }

  /** Drops expired hashes from every known-set, and forgets faded scores of absent peers. */
  pruneKnown(nowSeconds: number, allowanceSeconds: number): void {
    for (const peer of this.peers.values()) {
      for (const [key, expiry] of peer.known) if (expiry + allowanceSeconds < nowSeconds) peer.known.delete(key)
    }
    this.policy.prune((key) => this.peers.has(key))
  }

  private disconnect(peer: Peer): void {
    peer.abort(new Error('peer disconnected by policy'))
    this.removePeer(peer.key)
    this.components.connectionManager
      .closeConnections(peer.id)
      .catch((err) => this.log.error('closing connections to %p failed: %e', peer.id, err))
  }

  private peerFor(peerId: PeerId): Peer {
    const key = peerId.toString()
    let peer = this.peers.get(key)
    if (peer === undefined) {
      const nowMs = this.now()
      const frameLimit = this.host.maxEnvelopeBytes() + FRAME_OVERHEAD_BYTES
      peer = new Peer(
        peerId,
        this.handlers,
        { maxFrameBytes: frameLimit, maxWriteQueueBytes: this.settings.maxWriteQueueBytes },
        this.policy.scoreOf(key),
        createTokenBucket(this.settings.packetsPerSecond, this.settings.packetsPerSecond * 2, nowMs),
        createTokenBucket(this.settings.bytesPerSecond, Math.max(this.settings.bytesPerSecond * 2, frameLimit), nowMs)
      )
      this.peers.set(key, peer)
      this.host.onPeerConnected(peer)
      this.startHandshakeTimer(peer)
    }
    return peer
  }

  private startHandshakeTimer(peer: Peer): void {
    const timer = setTimeout(() => {
      this.handshakeTimers.delete(peer.key)
      if (this.peers.get(peer.key) === peer && peer.status === undefined) {
        this.log('no status from %p within %d ms', peer.id, this.settings.handshakeTimeoutMs)
        this.disconnect(peer)
      }
    }, this.settings.handshakeTimeoutMs)
    timer.unref?.()
    this.handshakeTimers.set(peer.key, timer)
  }

  private async onConnect(peerId: PeerId, connection: Connection): Promise<void> {
    const key = peerId.toString()
    if (!this.started) return
    if (this.isBanned(key)) {
      await connection.close().catch((err) => connection.abort(err))
      return
    }
    const existing = this.peers.get(key)
    // One outbound stream per peer: the topology and an inbound stream can both ask for it, and a
    // second stream would make the peer read from the one we are about to abandon.
    if (existing?.hasOutbound === true || this.opening.has(key)) return
    this.opening.add(key)
    let stream: Stream
    try {
      stream = await connection.newStream(PROTOCOL_ID, { signal: AbortSignal.timeout(this.settings.handshakeTimeoutMs) })
    } finally {
      this.opening.delete(key)
    }
    if (!this.started) {
      stream.abort(new Error('router stopped'))
      return
    }
    const peer = this.peerFor(peerId)
    peer.attachOutbound(stream)
    peer.send(encodeStatusFrame(this.host.localStatus()))
    if (peer.isReady) this.host.onPeerReady(peer)
  }

  private onInboundStream(stream: Stream, connection: Connection): void {
    const key = connection.remotePeer.toString()
    if (!this.started || this.isBanned(key)) {
      stream.abort(new Error('peer refused'))
      return
    }
    const peer = this.peerFor(connection.remotePeer)
    peer.attachInbound(stream)
    if (!peer.hasOutbound) {
      this.onConnect(connection.remotePeer, connection).catch((err) => this.log.error('opening a stream to %p failed: %e', connection.remotePeer, err))
    }
  }

  private onStreamClosed(peer: Peer, direction: 'inbound' | 'outbound'): void {
    this.log.trace('%s stream of %p closed', direction, peer.id)
  }

  private removePeer(key: string): void {
    const peer = this.peers.get(key)
    if (peer === undefined) return
    this.peers.delete(key)
    addCounters(this.closedTraffic, peer.counters)
    const timer = this.handshakeTimers.get(key)
    if (timer !== undefined) clearTimeout(timer)
    this.handshakeTimers.delete(key)
    peer.abort(new Error('peer disconnected'))
    this.host.onPeerDisconnected(peer)
  }

  private onMalformed(peer: Peer, err: Error): void {
    this.log('malformed input from %p: %s', peer.id, err.message)
    this.host.onDrop('malformed-frame', peer)
    peer.abort(err)
    this.removePeer(peer.key)
    this.penalise(peer, 'malformed-frame')
    if (!this.isBanned(peer.key)) {
      this.components.connectionManager.closeConnections(peer.id).catch(() => {})
    }
  }

  private onFrame(peer: Peer, bytes: Uint8Array): void {
    const nowMs = this.now()
    if (!takeTokens(peer.packets, 1, nowMs) || !takeTokens(peer.bytes, bytes.length, nowMs)) {
      this.host.onDrop('rate-limited', peer)
      this.penalise(peer, 'rate-limited')
      return
    }
    let frame
    try {
      frame = decodeFrame(bytes)
    } catch (err) {
      this.onMalformed(peer, err as Error)
      return
    }
    if (peer.status === undefined && frame.code !== CODE_STATUS) {
      this.onMalformed(peer, new InvalidFrameError(`first frame has code ${frame.code}, not status`))
      return
    }
    if ('status' in frame) this.onStatus(peer, frame.status, nowMs)
    else if ('envelopes' in frame) {
      if (frame.code === CODE_MESSAGES) this.host.onEnvelopes(peer, frame.envelopes)
    } else if ('minPow' in frame) {
      if (frame.code === CODE_POW_REQUIREMENT) this.setRequirement(peer.minPow, frame.minPow, nowMs)
    } else if ('bloom' in frame) {
      if (frame.code === CODE_BLOOM_FILTER) this.setRequirement<Bloom | undefined>(peer.bloom, frame.bloom.slice(), nowMs)
    } else if ('hashes' in frame) {
      this.onKnownHashes(peer, frame.hashes, nowMs)
    } else if ('envelope' in frame) {
      if (frame.code === CODE_P2P_MESSAGE) this.host.onP2PMessage(peer, frame.envelope)
      // Code 126 (mail-server request) is ignored: this node runs no mail server (spec §7.4).
    }
  }

  private setRequirement<T>(requirement: Requirement<T> | undefined, value: T, nowMs: number): void {
    if (requirement === undefined) return
    requirement.previous = requirement.current
    requirement.current = value
    requirement.changedMs = nowMs
  }

  private onStatus(peer: Peer, status: Status, nowMs: number): void {
    if (peer.status !== undefined) {
      this.log.trace('second status from %p ignored', peer.id)
      return
    }
    const timer = this.handshakeTimers.get(peer.key)
    if (timer !== undefined) clearTimeout(timer)
    this.handshakeTimers.delete(peer.key)
    if (this.settings.restrictLightPeers && status.isLight && this.host.isLight()) {
      this.log('both %p and we are light nodes: disconnecting', peer.id)
      this.disconnect(peer)
      return
    }
    peer.status = status
    peer.minPow = { current: status.minPow, previous: status.minPow, changedMs: nowMs }
    peer.bloom = { current: status.bloom, previous: status.bloom, changedMs: nowMs }
    if (status.clockMs !== undefined) peer.clockOffsetSeconds = Math.round((status.clockMs - nowMs) / 1000)
    if (peer.isReady) this.host.onPeerReady(peer)
  }

  private onKnownHashes(peer: Peer, hashes: Uint8Array[], nowMs: number): void {
    // The hashes are unverifiable claims: they only ever make us send less to this peer, and a
    // bounded number of them is kept, for the longest time an envelope we might still send lives.
    const expiry = Math.floor(nowMs / 1000) + 60
    for (const hash of hashes) {
      const key = hashKey(hash)
      peer.pending.delete(key)
      if (peer.known.size < this.maxKnownPerPeer && !peer.known.has(key)) peer.known.set(key, expiry)
    }
  }
}
