/**
 * What goes out to peers, batched (design.md §3): envelopes queued per peer and sent at most
 * `batchIntervalMs` later in frames within the peer's limit, and known-hashes notices sent on the
 * next turn of the event loop, so they arrive before our own batch does.
 */
import { FRAME_OVERHEAD_BYTES, MAX_KNOWN_HASHES_PER_FRAME } from './constants.ts'
import { packBatches } from './forwarding.ts'
import type { Peer } from './peer.ts'
import { encodeKnownHashesFrame, encodeMessagesFrame } from './wire.ts'

/** Batched sending to a set of peers. */
export class Outbox {
  private readonly peers: () => Iterable<Peer>
  private readonly rawEnvelope: (key: string) => Uint8Array | undefined
  private readonly batchIntervalMs: number
  private batchTimer: ReturnType<typeof setTimeout> | undefined
  private noticeScheduled = false
  private running = false

  /**
   * @param peers - the connected peers
   * @param rawEnvelope - the bytes of a pooled envelope by hash key (used and copied at once)
   * @param batchIntervalMs - the longest an envelope waits for its batch
   */
  constructor(peers: () => Iterable<Peer>, rawEnvelope: (key: string) => Uint8Array | undefined, batchIntervalMs: number) {
    this.peers = peers
    this.rawEnvelope = rawEnvelope
    this.batchIntervalMs = batchIntervalMs
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

  /** Queues an envelope for a peer's next batch and marks the peer as knowing it. */
  enqueue(peer: Peer, key: string, expiry: number): void {
    peer.known.set(key, expiry)
    peer.pending.add(key)
    if (this.batchTimer !== undefined || !this.running) return
    this.batchTimer = setTimeout(() => {
      this.batchTimer = undefined
      this.flush()
    }, this.batchIntervalMs)
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
   * Sends every peer its pending envelopes now. The pool's raw views are copied into the frames
   * synchronously, before anything else can touch the pool.
   */
  flush(): void {
    for (const peer of this.peers()) {
      if (peer.pending.size === 0 || peer.status === undefined || !peer.isReady) continue
      const raws: Uint8Array[] = []
      for (const key of peer.pending) {
        const raw = this.rawEnvelope(key)
        if (raw !== undefined) raws.push(raw)
      }
      peer.pending = new Set()
      for (const batch of packBatches(raws, peer.status.maxSizeBytes + FRAME_OVERHEAD_BYTES)) {
        if (peer.send(encodeMessagesFrame(batch))) peer.counters.envelopesOut += batch.length
      }
    }
  }

  private flushNotices(): void {
    for (const peer of this.peers()) {
      if (peer.notices.length === 0) continue
      const hashes = peer.notices
      peer.notices = []
      if (!peer.isReady) continue
      for (let i = 0; i < hashes.length; i += MAX_KNOWN_HASHES_PER_FRAME) {
        peer.send(encodeKnownHashesFrame(hashes.slice(i, i + MAX_KNOWN_HASHES_PER_FRAME)))
      }
    }
  }
}
