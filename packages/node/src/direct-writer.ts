/**
 * Direct frames to one peer (codes 125–127: mail-server requests, history and "request
 * complete"): written in the order they were asked for, per peer, each waiting for the peer's
 * stream to drain whenever its write queue is full. Frames are encoded one at a time, each once,
 * when it is next to be written (it waits for room as a frame), so a long answer costs one frame
 * of memory beyond what the caller holds. A job ends when all its frames are written, when its
 * signal aborts (the rest unsent), or when the peer stops being ready (every waiting job fails).
 */
import { PeerNotFoundError } from './errors.ts'
import type { Peer } from './peer.ts'

/** One call's frames: `items[next..]` wait, each encoded by `encode` when written. */
interface Job {
  readonly items: readonly Uint8Array[]
  readonly encode: (item: Uint8Array) => Uint8Array
  next: number
  /** `items[next]` encoded, kept while it waits for room (encoded once however long it waits). */
  frame: Uint8Array | undefined
  readonly resolve: () => void
  readonly reject: (err: unknown) => void
  /** Removes the abort listener. */
  readonly release: () => void
}

/** Ordered, flow-controlled direct writes to peers. */
export class DirectWriter {
  private readonly queues = new Map<Peer, Job[]>()

  /**
   * Writes `items` to `peer`, each encoded by `encode` as one frame, after every earlier job for
   * that peer. Resolves when the last frame is handed to the stream.
   * @throws {PeerNotFoundError} (rejects) when the peer is or becomes not ready
   */
  write(peer: Peer, items: readonly Uint8Array[], encode: (item: Uint8Array) => Uint8Array, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true) return Promise.reject(signal.reason)
    if (!peer.isReady) return Promise.reject(notReady(peer))
    const { promise, resolve, reject } = Promise.withResolvers<void>()
    let queue = this.queues.get(peer)
    if (queue === undefined) this.queues.set(peer, (queue = []))
    const onAbort = (): void => {
      const q = this.queues.get(peer)
      const at = q?.indexOf(job) ?? -1
      if (q !== undefined && at >= 0) {
        q.splice(at, 1)
        if (q.length === 0) this.queues.delete(peer)
      }
      reject(signal?.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    const job: Job = { items, encode, next: 0, frame: undefined, resolve, reject, release: () => signal?.removeEventListener('abort', onAbort) }
    queue.push(job)
    this.pump(peer)
    return promise
  }

  /**
   * Writes `frame` now if nothing waits for `peer` and its write queue takes it; returns whether
   * it was written.
   */
  writeNow(peer: Peer, frame: Uint8Array): boolean {
    if (!peer.isReady || this.queues.has(peer) || !peer.canTake(frame.length)) return false
    return peer.trySend(frame)
  }

  /** Writes what waits for `peer` while its write queue has room (called on drain). */
  pump(peer: Peer): void {
    const queue = this.queues.get(peer)
    if (queue === undefined) return
    while (queue.length > 0) {
      const job = queue[0]
      while (job.next < job.items.length) {
        if (!peer.isReady) {
          this.fail(peer, notReady(peer))
          return
        }
        const frame = (job.frame ??= job.encode(job.items[job.next]))
        // Full: the stream has bytes buffered, so its `drain` comes and calls us again.
        if (!peer.canTake(frame.length)) return
        if (!peer.trySend(frame)) {
          this.fail(peer, notReady(peer))
          return
        }
        job.frame = undefined
        job.next++
      }
      queue.shift()
      job.release()
      job.resolve()
    }
    if (this.queues.get(peer) === queue) this.queues.delete(peer)
  }

  /** Fails every job waiting for `peer` with `err` (the peer went away). */
  fail(peer: Peer, err: Error): void {
    const queue = this.queues.get(peer)
    if (queue === undefined) return
    this.queues.delete(peer)
    const jobs = queue.splice(0)
    for (const job of jobs) {
      job.release()
      job.reject(err)
    }
  }

  /** Fails every job of every peer with `err` (the node stopped). */
  failAll(err: Error): void {
    for (const peer of [...this.queues.keys()]) this.fail(peer, err)
  }
}

function notReady(peer: Peer): PeerNotFoundError {
  return new PeerNotFoundError(`peer ${peer.key} is not ready`)
}
