/**
 * What goes out to peers (design.md §3): new envelopes, in two steps; the connect-time sync of
 * the pool; and known-hashes notices.
 *
 * In a microtask after an envelope is queued, it goes at once to a few idle peers (`eagerPeers` of
 * those that want it, at random; our own envelopes to every peer). A known-hashes notice goes to
 * every other peer on the next turn of the event loop (a macrotask): after every envelope relayed
 * at once in this turn, so no notice frame is written, or read, ahead of a first copy. The rest of
 * the peers get the envelope in the batch, `batchIntervalMs` later (or as soon as the batch holds
 * {@link BATCH_FLUSH_BYTES}), minus the peers that told us meanwhile that they have it. So the
 * first copy of an envelope travels at the speed of a plain flood, and the notices that cross
 * during the wait stop most duplicate sends. Under load, when a peer's write queue is not empty,
 * it simply waits for the batch.
 *
 * A batch is one list for all peers. At flush each ready peer gets the batch minus what it sent,
 * knows, claims or does not want. Peers that get the whole batch and can take it at once share
 * one encoded frame list (the common case in a flood, and the reason the batch is global); the
 * others get their envelopes queued per peer. Per-peer queues and the sync are written only
 * while the peer's write queue has room, and wait for the stream to drain otherwise, so nothing
 * queued is ever dropped.
 */
import { type Bloom, DEFAULT_MAX_ENVELOPE_SIZE_BYTES } from '@hush/envelope'
import { BATCH_FLUSH_BYTES, FRAME_OVERHEAD_BYTES, MAX_ENVELOPES_PER_FRAME } from './constants.ts'
import { peerWants } from './forwarding.ts'
import type { Peer } from './peer.ts'
import { type Notice, sendNotices } from './notices.ts'
import { encodeMessagesFrame, messagesFrameSize } from './wire.ts'

/** The raw bytes of a pooled envelope by hash key (used and copied at once), or `undefined`. */
export type RawEnvelopeSource = (key: string) => Uint8Array | undefined

/** What the outbox needs of a new envelope (the ingest verdict has it). */
export interface NewEnvelope {
  readonly key: string
  readonly pow: number
  /** `size()`: 20 + data length. */
  readonly sizeBytes: number
  /** geth's per-byte bloom of its topic, built when first needed (full-node peers never need it). */
  readonly bloom: () => Bloom
}

/** A new envelope waiting for the next batch. */
interface Queued extends NewEnvelope {
  /** The peer it came from (`undefined`: our own). */
  readonly from: Peer | undefined
  /** Enqueue order; a peer ready later than this got the envelope in its sync. */
  readonly seq: number
  /** The peers it went to at once (see {@link Outbox}); the batch skips them. */
  sentTo: Peer[] | undefined
}

/** Frames shared by every peer that takes a whole batch. */
interface SharedFrames {
  readonly frames: Uint8Array[]
  /** The entries of each frame. */
  readonly entries: Queued[][]
  readonly bytes: number
}

/** Batched, flow-controlled sending to a set of peers. */
export class Outbox {
  private readonly peers: () => Iterable<Peer>
  private readonly source: RawEnvelopeSource
  private readonly batchIntervalMs: number
  private readonly maxWriteQueueBytes: number
  private readonly eagerPeers: number
  private batchTimer: ReturnType<typeof setTimeout> | undefined
  private batch: Queued[] = []
  /** `size()` bytes in `batch`. */
  private batchBytes = 0
  private seq = 0
  /** Envelopes of the batch not yet sent at once to anyone (the next turn does). */
  private fresh: Queued[] = []
  private notices: Notice[] = []
  /** The peers each noticed envelope went to at once (notices skip them), until notices go out. */
  private sentAtOnce = new Map<string, Peer[]>()
  private noticeTimer: ReturnType<typeof setImmediate> | undefined
  /** Notices identified up to this value (see {@link notify}) have gone out. */
  private noticesSentThrough = 0
  private turnScheduled = false
  private running = false

  /**
   * @param peers - the connected peers
   * @param source - the pool's envelopes
   * @param batchIntervalMs - the longest a new envelope waits for its batch
   * @param maxWriteQueueBytes - the write queue limit; no messages frame is larger
   * @param eagerPeers - how many idle peers get a relayed envelope at once, before the batch
   */
  constructor(peers: () => Iterable<Peer>, source: RawEnvelopeSource, batchIntervalMs: number, maxWriteQueueBytes: number, eagerPeers: number) {
    this.peers = peers
    this.source = source
    this.batchIntervalMs = batchIntervalMs
    this.maxWriteQueueBytes = maxWriteQueueBytes
    this.eagerPeers = eagerPeers
  }

  /** Allows sending. */
  start(): void {
    this.running = true
  }

  /** Stops sending and clears the batch timer. */
  stop(): void {
    this.running = false
    if (this.batchTimer !== undefined) clearTimeout(this.batchTimer)
    this.batchTimer = undefined
    if (this.noticeTimer !== undefined) clearImmediate(this.noticeTimer)
    this.noticeTimer = undefined
    this.batch = []
    this.batchBytes = 0
    this.fresh = []
    this.notices = []
    this.sentAtOnce.clear()
  }

  /**
   * Queues a new envelope for every ready peer that wants it: at once (on the next turn of the
   * event loop) for a few idle peers, or all of them when it is our own; in the next batch for
   * the rest. The batch goes out `batchIntervalMs` after its first envelope, or at once when it
   * reaches {@link BATCH_FLUSH_BYTES}.
   */
  enqueue(entry: NewEnvelope, from: Peer | undefined): void {
    if (!this.running) return
    const queued: Queued = { key: entry.key, pow: entry.pow, sizeBytes: entry.sizeBytes, bloom: entry.bloom, from, seq: this.seq++, sentTo: undefined }
    this.batch.push(queued)
    if (from === undefined || this.eagerPeers > 0) {
      this.fresh.push(queued)
      this.scheduleTurn()
    }
    this.batchBytes += entry.sizeBytes
    if (this.batchBytes >= BATCH_FLUSH_BYTES) {
      this.flush()
      return
    }
    this.batchTimer ??= setTimeout(() => {
      // On through the check phase: the notices this node and its peers collected in the turn
      // that made the timer late (notify's setImmediate, queued earlier) go out, and the claims
      // they bring are counted, before the batch is packed.
      setImmediate(() => {
        this.batchTimer = undefined
        this.flush()
      })
    }, this.batchIntervalMs)
  }

  /**
   * Starts sending a newly ready peer the pooled envelopes `keys`, in order, as its stream
   * drains. Envelopes enqueued before this call are in `keys` (they are pooled), so the peer's
   * batches skip them.
   */
  startSync(peer: Peer, keys: string[]): void {
    peer.readySeq = this.seq
    peer.sync = keys
    peer.syncNext = 0
    this.pump(peer)
  }

  /**
   * Tells the ready peers, on the next turn of the event loop (a macrotask), that we have the
   * envelope `hash` (pooled as `key`, received from `from`): every peer but `from` and those it
   * went to at once. Call it before {@link enqueue} of the same envelope. Returns what identifies
   * this notice for {@link wasTold} (kept by the caller, in the sender's known-set: no map of its
   * own here), or 0 when the outbox is stopped and nothing is sent.
   */
  notify(hash: Uint8Array, key: string, from: Peer): number {
    if (!this.running) return 0
    this.notices.push({ hash, key, from })
    this.noticeTimer ??= setImmediate(() => this.sendNotices())
    return this.seq + 1
  }

  /** Sends the notices collected since the last turn of the event loop. */
  private sendNotices(): void {
    this.noticeTimer = undefined
    const notices = this.notices
    this.notices = []
    // Every notice identified so far is in `notices` (its envelope was enqueued right after).
    this.noticesSentThrough = this.seq
    if (this.running && notices.length > 0) sendNotices(notices, this.peers(), this.sentAtOnce)
    this.sentAtOnce.clear()
  }

  private scheduleTurn(): void {
    if (this.turnScheduled) return
    this.turnScheduled = true
    queueMicrotask(() => {
      this.turnScheduled = false
      this.turn()
    })
  }

  /** The microtask after envelopes arrived: chooses who gets each fresh envelope at once, and sends it. */
  private turn(): void {
    // A flush since the turn was scheduled (a full batch) sent everything already.
    if (!this.running || this.fresh.length === 0) return
    const fresh = this.fresh
    this.fresh = []
    const eager: Peer[] = []
    const ready: Peer[] = []
    for (const peer of this.peers()) if (peer.isReady) ready.push(peer)
    for (const e of fresh) {
      const targets = this.eagerTargets(e, ready)
      e.sentTo = targets
      if (e.from !== undefined && targets.length > 0) this.sentAtOnce.set(e.key, targets)
      for (const peer of targets) {
        if (peer.pending.size === 0) eager.push(peer)
        peer.pending.add(e.key)
      }
    }
    for (const peer of eager) this.pump(peer)
  }

  /**
   * The peers a fresh envelope goes to at once: for our own, every peer that wants it; for a
   * relayed one, up to `eagerPeers` of them, at random, among those with nothing waiting to be
   * written (under load the batch serves everyone).
   */
  private eagerTargets(e: Queued, ready: Peer[]): Peer[] {
    const own = e.from === undefined
    const out: Peer[] = []
    for (const peer of ready) {
      if (!own && (peer.bufferedBytes > 0 || peer.pending.size > 0 || peer.syncNext < peer.sync.length)) continue
      if (this.wants(peer, e)) out.push(peer)
    }
    if (own || out.length <= this.eagerPeers) return out
    // A partial Fisher–Yates shuffle: the first `eagerPeers` are a uniform sample.
    for (let i = 0; i < this.eagerPeers; i++) {
      const j = i + Math.floor(Math.random() * (out.length - i))
      const t = out[i]
      out[i] = out[j]
      out[j] = t
    }
    out.length = this.eagerPeers
    return out
  }

  /** Whether `peer` should get the queued `e`: it is not from it, does not have it, wants it. */
  private wants(peer: Peer, e: Queued): boolean {
    return e.seq >= peer.readySeq && e.from !== peer && !peer.known.has(e.key) && !peer.claims.has(e.key) && peerWants(peer, e)
  }

  /**
   * Whether the notice `noticed` (from {@link notify}) went to `peer`: it has gone out, and the
   * peer was ready by then.
   */
  wasTold(peer: Peer, noticed: number): boolean {
    return noticed > 0 && noticed <= this.noticesSentThrough && noticed - 1 >= peer.readySeq
  }

  /**
   * Sends the current batch (and clears its timer): whole shared frames where possible, per-peer
   * queues otherwise.
   */
  flush(): void {
    const batch = this.batch
    this.batch = []
    this.batchBytes = 0
    // What was not sent at once yet now goes to everyone in the batch.
    this.fresh = []
    if (this.batchTimer !== undefined) clearTimeout(this.batchTimer)
    this.batchTimer = undefined
    if (batch.length === 0 || !this.running) return
    let shared: SharedFrames | undefined
    const sharedLimit = Math.min(this.maxWriteQueueBytes, DEFAULT_MAX_ENVELOPE_SIZE_BYTES + FRAME_OVERHEAD_BYTES)
    for (const peer of this.peers()) {
      if (!peer.isReady) continue
      // What this peer gets: the whole batch (`own` stays undefined) or the list `own`.
      let own: Queued[] | undefined
      for (let i = 0; i < batch.length; i++) {
        const e = batch[i]
        const wanted = this.wants(peer, e) && (e.sentTo === undefined || !e.sentTo.includes(peer))
        if (!wanted) own ??= batch.slice(0, i)
        else if (own !== undefined) own.push(e)
      }
      const backlog = peer.pending.size > 0 || peer.syncNext < peer.sync.length
      if (own === undefined && !backlog && peer.maxSizeBytes + FRAME_OVERHEAD_BYTES >= sharedLimit) {
        shared ??= this.share(batch, sharedLimit)
        if (peer.bufferedBytes === 0 || peer.room >= shared.bytes) {
          this.sendShared(peer, shared)
          continue
        }
      }
      for (const e of own ?? batch) peer.pending.add(e.key)
      this.pump(peer)
    }
  }

  /**
   * Writes as much of what waits for `peer` as its write queue takes: new envelopes first, then
   * the sync. Called on the batch timer, at sync start, and when the peer's stream drains.
   */
  pump(peer: Peer): void {
    if (!this.running || !peer.isReady) return
    const frameLimit = Math.min(peer.maxSizeBytes + FRAME_OVERHEAD_BYTES, this.maxWriteQueueBytes)
    // Each round writes one frame; a round that writes nothing means the list is done or the
    // write queue is full, in which case the stream needs draining and `onWritable` comes back.
    while (this.sendOne(peer, frameLimit, true)) {}
    if (peer.pending.size > 0) return
    while (this.sendOne(peer, frameLimit, false)) {}
    if (peer.syncNext >= peer.sync.length && peer.sync.length > 0) {
      peer.sync = []
      peer.syncNext = 0
    }
  }

  /**
   * Packs and writes one messages frame from the peer's pending set (or its sync list), within
   * the frame limit and the room left in its write queue; returns whether it wrote one.
   */
  private sendOne(peer: Peer, frameLimit: number, fromPending: boolean): boolean {
    const room = peer.bufferedBytes === 0 ? frameLimit : Math.min(frameLimit, peer.room)
    // Views into the pool: used synchronously below, copied once into the frame.
    const batch: Uint8Array[] = []
    const taken: string[] = []
    let bytes = 0
    const take = (key: string): 'taken' | 'skip' | 'full' => {
      if (peer.known.has(key) || peer.claims.has(key)) return 'skip'
      const raw = this.source(key)
      if (raw === undefined) return 'skip'
      // One envelope larger than the frame limit (only a write queue limit below the peer's max
      // size can cause that) goes alone, once nothing else is buffered.
      if (messagesFrameSize(bytes + raw.length) > room && (batch.length > 0 || peer.bufferedBytes > 0)) return 'full'
      batch.push(raw)
      taken.push(key)
      bytes += raw.length
      return 'taken'
    }
    const syncStart = peer.syncNext
    if (fromPending) {
      for (const key of peer.pending) {
        if (take(key) === 'full') break
        peer.pending.delete(key)
        if (batch.length >= MAX_ENVELOPES_PER_FRAME) break
      }
    } else {
      while (peer.syncNext < peer.sync.length) {
        if (take(peer.sync[peer.syncNext]) === 'full') break
        peer.syncNext++
        if (batch.length >= MAX_ENVELOPES_PER_FRAME) break
      }
    }
    if (batch.length === 0) return false
    if (!peer.trySend(encodeMessagesFrame(batch))) {
      // Not written (the stream closed under us): keep it all for a reopened stream.
      if (fromPending) for (const k of taken) peer.pending.add(k)
      else peer.syncNext = syncStart
      return false
    }
    peer.counters.envelopesOut += batch.length
    return true
  }

  /** Packs a whole batch into frames of at most `limit` bytes, read from the pool once. */
  private share(batch: Queued[], limit: number): SharedFrames {
    const frames: Uint8Array[] = []
    const entries: Queued[][] = []
    let total = 0
    let raws: Uint8Array[] = []
    let group: Queued[] = []
    let bytes = 0
    const close = (): void => {
      if (raws.length === 0) return
      const frame = encodeMessagesFrame(raws)
      frames.push(frame)
      entries.push(group)
      total += frame.length
      raws = []
      group = []
      bytes = 0
    }
    for (const e of batch) {
      const raw = this.source(e.key)
      if (raw === undefined) continue
      if (raws.length >= MAX_ENVELOPES_PER_FRAME || (raws.length > 0 && messagesFrameSize(bytes + raw.length) > limit)) close()
      raws.push(raw)
      group.push(e)
      bytes += raw.length
    }
    close()
    return { frames, entries, bytes: total }
  }

  /** Writes shared frames; what does not fit (the stream closed under us) waits in the peer's queue. */
  private sendShared(peer: Peer, shared: SharedFrames): void {
    for (let i = 0; i < shared.frames.length; i++) {
      if (!peer.trySend(shared.frames[i])) {
        for (let j = i; j < shared.entries.length; j++) for (const e of shared.entries[j]) peer.pending.add(e.key)
        this.pump(peer)
        return
      }
      peer.counters.envelopesOut += shared.entries[i].length
    }
  }
}
