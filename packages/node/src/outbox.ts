/**
 * What goes out to peers (design.md §3): new envelopes queued per peer and sent at most
 * `batchIntervalMs` later, the connect-time sync of the pool, and known-hashes notices sent on the
 * next turn of the event loop (so they arrive before our own batch does). Data is written only
 * while the peer's write queue has room and waits for the stream to drain otherwise, so nothing
 * queued is ever dropped; a peer is marked as knowing an envelope only once it was written.
 */
import { FRAME_OVERHEAD_BYTES, MAX_ENVELOPES_PER_FRAME, MAX_KNOWN_HASHES_PER_FRAME } from './constants.ts'
import { TOLD_PEER } from './known-set.ts'
import type { Peer } from './peer.ts'
import { encodeKnownHashesFrame, encodeMessagesFrame, messagesFrameSize } from './wire.ts'

/** The raw bytes of a pooled envelope by hash key (used and copied at once), or `undefined`. */
export type RawEnvelopeSource = (key: string) => Uint8Array | undefined

/** One envelope to sync: its hash key and expiry (unix seconds). */
export interface SyncItem {
  readonly key: string
  readonly expiry: number
}

/** Batched, flow-controlled sending to a set of peers. */
export class Outbox {
  private readonly peers: () => Iterable<Peer>
  private readonly source: RawEnvelopeSource
  private readonly batchIntervalMs: number
  private readonly maxWriteQueueBytes: number
  private batchTimer: ReturnType<typeof setTimeout> | undefined
  private noticeScheduled = false
  private running = false

  /**
   * @param peers - the connected peers
   * @param source - the pool's envelopes
   * @param batchIntervalMs - the longest a new envelope waits for its batch
   * @param maxWriteQueueBytes - the write queue limit; no messages frame is larger
   */
  constructor(peers: () => Iterable<Peer>, source: RawEnvelopeSource, batchIntervalMs: number, maxWriteQueueBytes: number) {
    this.peers = peers
    this.source = source
    this.batchIntervalMs = batchIntervalMs
    this.maxWriteQueueBytes = maxWriteQueueBytes
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
  }

  /** Queues a new envelope (hash key, expiry in unix seconds) for a peer's next batch. */
  enqueue(peer: Peer, key: string, expiry: number): void {
    peer.pending.set(key, expiry)
    if (this.batchTimer !== undefined || !this.running) return
    this.batchTimer = setTimeout(() => {
      this.batchTimer = undefined
      for (const p of this.peers()) if (p.pending.size > 0) this.pump(p)
    }, this.batchIntervalMs)
  }

  /** Starts sending a newly ready peer the pooled envelopes `items`, in order, as its stream drains. */
  startSync(peer: Peer, items: SyncItem[]): void {
    peer.sync = items
    peer.syncNext = 0
    this.pump(peer)
  }

  /** Tells `peer`, on the next turn of the event loop, that we have the envelope `hash`. */
  notify(peer: Peer, hash: Uint8Array): void {
    peer.notices.push(hash)
    if (this.noticeScheduled || !this.running) return
    this.noticeScheduled = true
    setImmediate(() => {
      this.noticeScheduled = false
      this.flushNotices()
    })
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
    const taken: SyncItem[] = []
    let bytes = 0
    const take = (key: string, expiry: number): 'taken' | 'skip' | 'full' => {
      if (peer.known.has(key) || peer.claims.has(key)) return 'skip'
      const raw = this.source(key)
      if (raw === undefined) return 'skip'
      // One envelope larger than the frame limit (only a write queue limit below the peer's max
      // size can cause that) goes alone, once nothing else is buffered.
      if (messagesFrameSize(bytes + raw.length) > room && (batch.length > 0 || peer.bufferedBytes > 0)) return 'full'
      batch.push(raw)
      taken.push({ key, expiry })
      bytes += raw.length
      return 'taken'
    }
    const syncStart = peer.syncNext
    if (fromPending) {
      for (const [key, expiry] of peer.pending) {
        if (take(key, expiry) === 'full') break
        peer.pending.delete(key)
        if (batch.length >= MAX_ENVELOPES_PER_FRAME) break
      }
    } else {
      while (peer.syncNext < peer.sync.length) {
        const item = peer.sync[peer.syncNext]
        if (take(item.key, item.expiry) === 'full') break
        peer.syncNext++
        if (batch.length >= MAX_ENVELOPES_PER_FRAME) break
      }
    }
    if (batch.length === 0) return false
    if (!peer.trySend(encodeMessagesFrame(batch))) {
      // Not written (the stream closed under us): keep it all for a reopened stream.
      if (fromPending) for (const t of taken) peer.pending.set(t.key, t.expiry)
      else peer.syncNext = syncStart
      return false
    }
    peer.counters.envelopesOut += batch.length
    for (const t of taken) peer.known.mark(t.key, t.expiry, TOLD_PEER)
    return true
  }

  private flushNotices(): void {
    for (const peer of this.peers()) {
      if (peer.notices.length === 0) continue
      const hashes = peer.notices
      peer.notices = []
      if (!peer.isReady) continue
      // Notices are an optimisation: when the write queue is full they are dropped (and counted).
      for (let i = 0; i < hashes.length; i += MAX_KNOWN_HASHES_PER_FRAME) {
        peer.trySend(encodeKnownHashesFrame(hashes.slice(i, i + MAX_KNOWN_HASHES_PER_FRAME)))
      }
    }
  }
}
