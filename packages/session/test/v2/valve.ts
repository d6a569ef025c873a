/** A side of the in-memory bus for the v2 tests: records its posts, and can hold them back. */
import { bytesToHex } from '@noble/hashes/utils.js'
import type { MemoryTransport } from '../../src/memory-transport.ts'
import type { SessionTransport, TransportPost, TransportPostOptions } from '../../src/transport.ts'

/** One side's view of the bus that can hold back its posts: all of them, or chosen records (and their resends). */
export class Valve implements SessionTransport {
  closed = false
  /** Block the next post, and every later post of the same bytes. */
  blockNext = false
  readonly blocked = new Set<string>()
  readonly posts: TransportPost[] = []
  readonly bus: MemoryTransport
  constructor(bus: MemoryTransport) {
    this.bus = bus
  }
  postEnvelope(post: TransportPost, options?: TransportPostOptions): Promise<Uint8Array> {
    this.posts.push(post)
    const key = bytesToHex(post.data)
    if (this.blockNext) {
      this.blockNext = false
      this.blocked.add(key)
    }
    if (this.closed || this.blocked.has(key)) return Promise.resolve(new Uint8Array(32))
    return this.bus.postEnvelope(post, options)
  }
  subscribeEnvelopes(...args: Parameters<SessionTransport['subscribeEnvelopes']>): ReturnType<SessionTransport['subscribeEnvelopes']> {
    return this.bus.subscribeEnvelopes(...args)
  }
}
