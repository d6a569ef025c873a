/**
 * The flood router (design.md §2–§4): one {@link Peer} per connected peer, the status exchange,
 * forwarding (who gets a new envelope), the outbox, known-sets and connect-time sync, and peer
 * policing (frame limits, rate and envelope budgets, scores, temporary bans). Envelope checks are
 * not its business: it hands raw envelopes to the ingest function it was given and acts on the
 * verdict.
 */
import type { Bloom } from '@hush/envelope'
import type { Connection, Logger, PeerId, Stream } from '@libp2p/interface'
import type { Registrar } from '@libp2p/interface-internal'
import { conductOf } from './conduct.ts'
import {
  CODE_BLOOM_FILTER,
  CODE_MESSAGES,
  CODE_P2P_MESSAGE,
  CODE_POW_REQUIREMENT,
  CODE_STATUS,
  FRAME_OVERHEAD_BYTES,
  KNOWN_NOTICE_MIN_BYTES,
  MAX_ENVELOPES_PER_FRAME,
  PROTOCOL_ID,
} from './constants.ts'
import { hashKey } from '@hush/pool'
import { DirectWriter } from './direct-writer.ts'
import { InvalidFrameError, PeerNotFoundError } from './errors.ts'
import type { Added, Verdict } from './ingest.ts'
import { Outbox, type RawEnvelopeSource } from './outbox.ts'
import { type PeerCounters, addCounters, emptyCounters } from './peer-counters.ts'
import { Peer, type PeerHandlers } from './peer.ts'
import { PeerPolicy } from './peer-policy.ts'
import { changeRequirement } from './requirement.ts'
import type { ScoreEvent } from './peer-score.ts'
import type { WhisperSettings } from './settings.ts'
import { chargeTokens, createTokenBucket, takeTokens } from './token-bucket.ts'
import type { DropReason } from './validator.ts'
import { type Status, decodeFrame, encodeBloomFrame, encodePowFrame, encodeStatusFrame } from './wire.ts'

/** The settings the router reads (resolved, see `resolveSettings`). */
export type RouterSettings = Pick<
  WhisperSettings,
  | 'batchIntervalMs'
  | 'eagerPeers'
  | 'maxWriteQueueBytes'
  | 'drainTimeoutMs'
  | 'score'
  | 'packetsPerSecond'
  | 'bytesPerSecond'
  | 'envelopesPerSecond'
  | 'softDropsPerSecond'
  | 'handshakeTimeoutMs'
  | 'restrictLightPeers'
  | 'pastAllowanceSeconds'
  | 'now'
>

/** What the router is given by the service that owns it (functions, not a host object). */
export interface RouterContext {
  registrar: Registrar
  log: Logger
  /** Our status as we announce it now. */
  localStatus(): Omit<Status, 'version'>
  /** Our max envelope size; our frame limit follows from it. */
  maxEnvelopeBytes(): number
  /** Whether we run in light mode. */
  isLight(): boolean
  /** The ingest path: checks, pool, local delivery. */
  ingest(raw: Uint8Array, from: Peer): Verdict
  /** A direct p2p message (code 127) from a trusted peer; false when it is not an envelope. */
  deliverP2P(raw: Uint8Array, from: Peer): boolean
  /** A p2p request (code 126) from any ready peer; false when it is not an envelope. */
  onP2PRequest(raw: Uint8Array, from: Peer): boolean
  /** A valid "p2p request complete" (code 125) from a trusted peer: `body` is a view into the frame. */
  onP2PComplete(body: Uint8Array, from: Peer): void
  /** The hash keys of the pooled envelopes a newly ready peer should get, in forwarding order. */
  syncKeys(peer: Peer): string[]
  /** The raw bytes of a pooled envelope. */
  rawEnvelope: RawEnvelopeSource
  /** The key of the peer a pooled envelope came from (`undefined`: not pooled, or our own). */
  senderOf(key: string): string | undefined
  /** A drop the router itself decided (frames, untrusted p2p), for counting and events. */
  onDrop(reason: DropReason, peer: Peer): void
  /** Peer lifecycle notifications. */
  onReady(peer: Peer): void
  onDisconnect(peer: Peer): void
  onBan(peer: Peer): void
}

/** Floods envelopes between peers. */
export class Router {
  private readonly peers = new Map<string, Peer>()
  /** Scores and bans outlive connections, so reconnecting does not wash a peer's record clean. */
  private readonly policy: PeerPolicy
  /** Traffic of peers that have gone away, so totals survive disconnects. */
  private readonly closedTraffic: PeerCounters = emptyCounters()
  private readonly ctx: RouterContext
  private readonly settings: RouterSettings
  private readonly log: Logger
  private readonly outbox: Outbox
  /** Direct frames (codes 125–127) the app sends to one peer, in order, as its stream drains. */
  readonly direct: DirectWriter = new DirectWriter()
  private readonly opening = new Set<string>()
  /**
   * Connections whose peer failed (its stream from us closed twice, or it stopped reading): we do
   * not open to it again on them; the peer may open a new stream to us, which starts afresh.
   */
  private readonly failed = new WeakSet<Connection>()
  private readonly handlers: PeerHandlers
  private topologyId: string | undefined
  private started = false

  constructor(ctx: RouterContext, settings: RouterSettings) {
    this.ctx = ctx
    this.settings = settings
    this.log = ctx.log
    this.policy = new PeerPolicy(settings.score, settings.now)
    this.outbox = new Outbox(() => this.peers.values(), ctx.rawEnvelope, settings.batchIntervalMs, settings.maxWriteQueueBytes, settings.eagerPeers)
    this.handlers = {
      onFrame: (peer, frame) => this.onFrame(peer, frame),
      onMalformed: (peer, err) => this.onMalformed(peer, err),
      onReady: (peer) => this.onReady(peer),
      onWritable: (peer) => {
        this.direct.pump(peer)
        this.outbox.pump(peer)
      },
      onGone: (peer, reason) => {
        this.log('%p dropped: %s', peer.id, reason)
        this.failed.add(peer.connection)
        this.removePeer(peer)
      },
    }
  }

  /** Registers the protocol handler and the topology. */
  async start(): Promise<void> {
    if (this.started) return
    this.started = true
    this.outbox.start()
    await this.ctx.registrar.handle(PROTOCOL_ID, (stream, connection) => this.onInboundStream(stream, connection), {
      maxInboundStreams: 2,
      maxOutboundStreams: 2,
    })
    this.topologyId = await this.ctx.registrar.register(PROTOCOL_ID, {
      onConnect: (peerId, connection) => this.openOutbound(peerId, connection),
      onDisconnect: (peerId) => {
        const peer = this.peers.get(peerId.toString())
        if (peer !== undefined) this.removePeer(peer)
      },
    })
  }

  /** Unregisters, closes every peer's streams and clears every timer. */
  async stop(): Promise<void> {
    if (!this.started) return
    this.started = false
    if (this.topologyId !== undefined) this.ctx.registrar.unregister(this.topologyId)
    this.topologyId = undefined
    await this.ctx.registrar.unhandle(PROTOCOL_ID)
    this.outbox.stop()
    const peers = [...this.peers.values()]
    this.peers.clear()
    this.direct.failAll(new PeerNotFoundError('the node stopped'))
    await Promise.all(peers.map((p) => p.close()))
    this.policy.clear()
    Object.assign(this.closedTraffic, emptyCounters())
  }

  /** Ready peers (status exchanged, a stream each way). */
  readyPeers(): Peer[] {
    const out: Peer[] = []
    for (const p of this.peers.values()) if (p.isReady) out.push(p)
    return out
  }

  /** Traffic over every peer since start (frames and bytes both ways, envelopes, duplicates). */
  traffic(): PeerCounters {
    const total = { ...this.closedTraffic }
    for (const peer of this.peers.values()) addCounters(total, peer.counters)
    return total
  }

  /** The ready peer with this id, if any. */
  readyPeer(key: string): Peer | undefined {
    const peer = this.peers.get(key)
    return peer?.isReady === true ? peer : undefined
  }

  /** Whether a peer is currently refused. */
  isBanned(key: string): boolean {
    return this.policy.isBanned(key)
  }

  /** The peer's current score, or `undefined` when none is kept for it. */
  peerScore(key: string): number | undefined {
    return this.policy.peek(key)
  }

  /**
   * Queues a new envelope for every ready peer that wants it and does not know it: not its
   * sender, not a peer that sent or claimed it, within each peer's PoW, bloom and max size. A
   * light node relays nobody else's envelopes (spec §4.6).
   */
  forward(added: Added, from: Peer | undefined): void {
    if (from !== undefined) {
      const relays = !this.ctx.isLight()
      // Tell every peer at once that we have it, so none sends it back while our batch waits.
      // The sender's known-set keeps which notice that was (see `wasTold`).
      const noticed = relays && added.raw.length >= KNOWN_NOTICE_MIN_BYTES ? this.outbox.notify(added.hash, added.key, from) : 0
      from.known.add(added.key, added.expiry, noticed)
      if (!relays) return
    }
    this.outbox.enqueue(added, from)
  }

  /** Sends a control frame to every ready peer (PoW and bloom announcements). */
  private broadcast(frame: Uint8Array): void {
    for (const peer of this.peers.values()) if (peer.isReady) peer.sendControl(frame)
  }

  /** Announces a new PoW requirement to every peer. */
  announcePow(minPow: number): void {
    this.broadcast(encodePowFrame(minPow))
  }

  /** Announces a new bloom to every peer. */
  announceBloom(bloom: Bloom): void {
    this.broadcast(encodeBloomFrame(bloom))
  }

  /** Drops expired hashes from every known-set and lapsed claims, and forgets faded scores. */
  prune(nowMs: number): void {
    const before = Math.floor(nowMs / 1000) - this.settings.pastAllowanceSeconds
    for (const peer of this.peers.values()) {
      peer.known.prune(before)
      peer.claims.prune(nowMs)
    }
    this.policy.prune((key) => this.peers.has(key))
  }

  /**
   * Applies a score event decided outside the router (the app's mail server refusing a request)
   * to a connected peer; bans it when it falls below the threshold. Unknown peers are ignored.
   */
  penalisePeer(key: string, event: ScoreEvent): void {
    const peer = this.peers.get(key)
    if (peer !== undefined && !peer.isGone) this.penalise(peer, event)
  }

  /** Applies a score event; bans the peer when it falls below the threshold. */
  private penalise(peer: Peer, event: ScoreEvent): void {
    if (this.policy.apply(peer.key, event)) this.ban(peer)
  }

  /**
   * Refuses the peer for the ban period: our streams to and from it end, new ones are refused,
   * and `createHushNode`'s connection gater refuses new connections. Other protocols on an open
   * connection are not ours to close.
   */
  private ban(peer: Peer): void {
    if (!this.policy.ban(peer.key)) return
    this.log('banning %p (score %d)', peer.id, peer.score.value)
    this.ctx.onBan(peer)
    this.removePeer(peer)
  }

  private peerFor(connection: Connection): Peer {
    const key = connection.remotePeer.toString()
    let peer = this.peers.get(key)
    if (peer === undefined) {
      const s = this.settings
      const nowMs = s.now()
      const frameLimit = this.ctx.maxEnvelopeBytes() + FRAME_OVERHEAD_BYTES
      const bucket = (rate: number, burst = rate * 2): ReturnType<typeof createTokenBucket> => createTokenBucket(rate, burst, nowMs)
      peer = new Peer(
        connection,
        this.handlers,
        {
          maxFrameBytes: frameLimit,
          maxWriteQueueBytes: s.maxWriteQueueBytes,
          drainTimeoutMs: s.drainTimeoutMs,
          handshakeTimeoutMs: s.handshakeTimeoutMs,
        },
        () => encodeStatusFrame(this.ctx.localStatus()),
        this.policy.scoreOf(key),
        {
          packets: bucket(s.packetsPerSecond),
          bytes: bucket(s.bytesPerSecond, Math.max(s.bytesPerSecond * 2, frameLimit)),
          envelopes: bucket(s.envelopesPerSecond),
          softDrops: bucket(s.softDropsPerSecond),
        }
      )
      this.peers.set(key, peer)
    }
    return peer
  }

  private openOutbound(peerId: PeerId, connection: Connection): void {
    const key = peerId.toString()
    if (!this.started) return
    if (this.isBanned(key) || this.failed.has(connection)) return
    const existing = this.peers.get(key)
    // One outbound stream per peer: the topology and an inbound stream can both ask for it, and a
    // second stream would make the peer read from the one we are about to abandon. Once opened,
    // only the peer itself reopens it (once).
    if (existing?.hasHadOutbound === true || this.opening.has(key)) return
    this.opening.add(key)
    connection
      .newStream(PROTOCOL_ID, { signal: AbortSignal.timeout(this.settings.handshakeTimeoutMs) })
      .then((stream) => {
        this.opening.delete(key)
        if (!this.started || this.isBanned(key)) {
          stream.abort(new Error('router stopped or peer banned'))
          return
        }
        this.peerFor(connection).attachOutbound(stream)
      })
      .catch((err) => {
        this.opening.delete(key)
        this.log('opening a stream to %p failed: %e', peerId, err)
      })
  }

  private onInboundStream(stream: Stream, connection: Connection): void {
    const key = connection.remotePeer.toString()
    if (!this.started || this.isBanned(key)) {
      stream.abort(new Error('peer refused'))
      return
    }
    // A peer that opens a new stream to us wants to talk again, even after failing on this connection.
    this.failed.delete(connection)
    const peer = this.peerFor(connection)
    peer.attachInbound(stream)
    if (!peer.hasOutbound) this.openOutbound(connection.remotePeer, connection)
  }

  private onReady(peer: Peer): void {
    this.ctx.onReady(peer)
    this.outbox.startSync(peer, this.ctx.syncKeys(peer))
  }

  private removePeer(peer: Peer): void {
    if (this.peers.get(peer.key) !== peer) return
    this.peers.delete(peer.key)
    addCounters(this.closedTraffic, peer.counters)
    peer.abort(new Error('peer disconnected'))
    this.direct.fail(peer, new PeerNotFoundError(`peer ${peer.key} disconnected`))
    if (peer.hasBeenReady) this.ctx.onDisconnect(peer)
  }

  private onMalformed(peer: Peer, err: Error): void {
    this.log('malformed input from %p: %s', peer.id, err.message)
    this.ctx.onDrop('malformed-frame', peer)
    this.removePeer(peer)
    this.penalise(peer, 'malformed-frame')
  }

  private onFrame(peer: Peer, bytes: Uint8Array): void {
    const nowMs = this.settings.now()
    if (!takeTokens(peer.budgets.packets, 1, nowMs)) {
      this.ctx.onDrop('rate-limited', peer)
      this.penalise(peer, 'rate-limited')
      return
    }
    let delayMs = chargeTokens(peer.budgets.bytes, bytes.length, nowMs)
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
      if (frame.code === CODE_MESSAGES) {
        if (frame.envelopes.length > MAX_ENVELOPES_PER_FRAME) {
          this.onMalformed(peer, new InvalidFrameError(`${frame.envelopes.length} envelopes in one frame`))
          return
        }
        delayMs = Math.max(delayMs, chargeTokens(peer.budgets.envelopes, frame.envelopes.length, nowMs))
        this.receive(peer, frame.envelopes, nowMs)
      }
    } else if ('minPow' in frame) {
      if (frame.code === CODE_POW_REQUIREMENT && peer.minPow !== undefined) changeRequirement(peer.minPow, frame.minPow, nowMs)
    } else if ('bloom' in frame) {
      if (frame.code === CODE_BLOOM_FILTER && peer.bloom !== undefined) changeRequirement<Bloom | undefined>(peer.bloom, frame.bloom.slice(), nowMs)
    } else if ('hashes' in frame) {
      for (const hash of frame.hashes) {
        const key = hashKey(hash)
        peer.pending.delete(key)
        peer.claims.add(key, nowMs)
      }
    } else if ('envelope' in frame) {
      // A direct envelope is work like a flooded one: it costs the sender envelope budget.
      delayMs = Math.max(delayMs, chargeTokens(peer.budgets.envelopes, 1, nowMs))
      let isEnvelope = true
      if (frame.code === CODE_P2P_MESSAGE) {
        if (peer.isTrusted) isEnvelope = this.ctx.deliverP2P(frame.envelope, peer)
        else this.ctx.onDrop('untrusted-p2p', peer)
      } else isEnvelope = this.ctx.onP2PRequest(frame.envelope, peer)
      if (!isEnvelope) this.penalise(peer, 'invalid-envelope')
    } else if ('body' in frame) {
      if (peer.isTrusted) this.ctx.onP2PComplete(frame.body, peer)
      else this.ctx.onDrop('untrusted-p2p', peer)
    }
    if (delayMs > 0 && !peer.isGone) peer.pauseFor(delayMs)
  }

  /** Runs a messages frame through the ingest path and acts on each verdict for its sender. */
  private receive(peer: Peer, envelopes: Uint8Array[], nowMs: number): void {
    for (const raw of envelopes) {
      const verdict = this.ctx.ingest(raw, peer)
      const sentBefore = verdict.status === 'duplicate' && peer.known.has(verdict.key)
      const told = verdict.status === 'duplicate' && !sentBefore && this.wasTold(peer, verdict.key, raw.length)
      if (verdict.status === 'added') {
        peer.counters.envelopesIn++
        this.forward(verdict, peer)
      } else if (verdict.status === 'duplicate') {
        peer.counters.duplicatesIn++
        // It has it: never send it back, even when it is already queued for the peer.
        peer.pending.delete(verdict.key)
        if (!sentBefore) peer.known.add(verdict.key, verdict.expiry)
      }
      const conduct = conductOf(verdict, sentBefore, told)
      if (conduct === 'soft') {
        if (!takeTokens(peer.budgets.softDrops, 1, nowMs)) this.penalise(peer, 'wasteful')
      } else if (conduct !== undefined) this.penalise(peer, conduct)
      if (peer.isGone) return
    }
  }

  /**
   * Whether we told `peer` we have the pooled envelope `key` (of `bytes` bytes): its sender's
   * known-set holds the notice that went out when that copy was pooled. Known while the envelope
   * is pooled and its sender connected; otherwise a repeat counts as a duplicate the peer could
   * not know about. An envelope below {@link KNOWN_NOTICE_MIN_BYTES} is never announced (see
   * `forward`), so for those the pool is not asked. A peer that got the envelope from us at once
   * was not sent the notice, but it knows we have it all the same.
   */
  private wasTold(peer: Peer, key: string, bytes: number): boolean {
    if (bytes < KNOWN_NOTICE_MIN_BYTES) return false
    const sender = this.ctx.senderOf(key)
    const noticed = sender === undefined ? undefined : this.peers.get(sender)?.known.noticeOf(key)
    return noticed !== undefined && this.outbox.wasTold(peer, noticed)
  }

  private onStatus(peer: Peer, status: Status, nowMs: number): void {
    if (peer.status !== undefined) {
      this.log.trace('second status from %p ignored', peer.id)
      return
    }
    if (this.settings.restrictLightPeers && status.isLight && this.ctx.isLight()) {
      this.log('both %p and we are light nodes: disconnecting', peer.id)
      this.removePeer(peer)
      return
    }
    peer.acceptStatus(status, nowMs)
  }
}
