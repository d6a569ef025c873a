/**
 * An in-memory {@link SessionTransport}: one shared bus for every party in a test, with seeded,
 * bounded fault injection (loss, duplication, delay and so reordering) and a record of every
 * posted envelope (what an observer of the network would hold). That record is also its archive:
 * `requestHistory` hands the matching envelopes again to the current subscribers, as a mail
 * server would, with no faults.
 */
import { type Envelope, type Topic, encodeEnvelope, keccak256 } from '@hush/envelope'
import type { AbortOptions, HistoryRange, SessionTransport, SubscribeOptions, TransportPost, TransportPostOptions } from './transport.ts'

/** Faults applied independently to each delivery of each envelope to each subscription. */
export interface MemoryTransportFaults {
  /** Probability in [0, 1] that a delivery is lost. @default 0 */
  loss: number
  /** Probability in [0, 1] that a delivery happens twice. @default 0 */
  duplicate: number
  /** Each delivery waits a uniform random time in [0, maxDelayMs]; unequal delays reorder. @default 0 */
  maxDelayMs: number
}

/** Construction options of {@link createMemoryTransport}. */
export interface MemoryTransportInit extends Partial<MemoryTransportFaults> {
  /** PRNG seed for the faults. @default 1 */
  seed?: number
  /** Clock for envelope expiry, unix milliseconds. @default Date.now */
  now?: () => number
}

/** The shared bus. */
export interface MemoryTransport extends SessionTransport {
  /** Every envelope ever posted, in posting order (the recording an attacker could make). */
  readonly posted: readonly Envelope[]
  /** The faults in force; change them at any time. */
  readonly faults: MemoryTransportFaults
  /** Open subscriptions. */
  readonly subscriptionCount: number
}

/** mulberry32: a small seeded PRNG, good enough to drive test faults reproducibly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function checkProbability(value: number, label: string): void {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw new RangeError(`${label} must be in [0, 1]`)
}

interface Subscription {
  readonly topics: Set<number>
  readonly queue: Envelope[]
  readonly timers: Set<ReturnType<typeof setTimeout>>
  wake: (() => void) | undefined
  closed: boolean
}

const topicKey = (topic: Topic): number => new DataView(topic.buffer, topic.byteOffset, 4).getUint32(0)

/**
 * Creates a shared in-memory bus. Every subscriber on a topic receives each envelope posted on
 * it (own posts included), subject to the faults.
 * @throws {RangeError} when a probability is outside [0, 1] or `maxDelayMs` is negative
 * @example
 * ```ts
 * const transport = createMemoryTransport({ seed: 7, loss: 0.2, duplicate: 0.1, maxDelayMs: 20 })
 * ```
 */
export function createMemoryTransport(init: MemoryTransportInit = {}): MemoryTransport {
  const faults: MemoryTransportFaults = { loss: init.loss ?? 0, duplicate: init.duplicate ?? 0, maxDelayMs: init.maxDelayMs ?? 0 }
  checkProbability(faults.loss, 'init.loss')
  checkProbability(faults.duplicate, 'init.duplicate')
  if (!(faults.maxDelayMs >= 0)) throw new RangeError('init.maxDelayMs must be ≥ 0')
  const random = seededRandom(init.seed ?? 1)
  const now = init.now ?? Date.now
  const posted: Envelope[] = []
  const subscriptions = new Set<Subscription>()

  const deliver = (sub: Subscription, envelope: Envelope): void => {
    if (sub.closed) return
    sub.queue.push(envelope)
    sub.wake?.()
  }

  return {
    posted,
    faults,
    get subscriptionCount() {
      return subscriptions.size
    },
    async postEnvelope(post: TransportPost, options: TransportPostOptions = {}): Promise<Uint8Array> {
      options.signal?.throwIfAborted()
      if (!(post.topic instanceof Uint8Array) || post.topic.length !== 4) throw new TypeError('post.topic must be 4 bytes')
      if (!(post.data instanceof Uint8Array)) throw new TypeError('post.data must be a Uint8Array')
      if (!Number.isInteger(post.ttlSeconds) || post.ttlSeconds < 1) throw new RangeError('post.ttlSeconds must be an integer ≥ 1')
      const ttl = post.ttlSeconds
      const envelope: Envelope = { expiry: Math.floor(now() / 1000) + ttl, ttl, topic: post.topic.slice(), data: post.data.slice(), nonce: 0n }
      posted.push(envelope)
      const key = topicKey(post.topic)
      for (const sub of subscriptions) {
        if (!sub.topics.has(key)) continue
        if (random() < faults.loss) continue
        const copies = random() < faults.duplicate ? 2 : 1
        for (let i = 0; i < copies; i++) {
          const delay = faults.maxDelayMs > 0 ? Math.floor(random() * (faults.maxDelayMs + 1)) : 0
          const timer = setTimeout(() => {
            sub.timers.delete(timer)
            deliver(sub, envelope)
          }, delay)
          sub.timers.add(timer)
        }
      }
      return keccak256(encodeEnvelope(envelope))
    },
    async requestHistory(range: HistoryRange, options: AbortOptions = {}): Promise<number> {
      options.signal?.throwIfAborted()
      const wanted = new Set(range.topics.map(topicKey))
      let count = 0
      for (const envelope of posted) {
        const sent = envelope.expiry - envelope.ttl
        if (sent < range.from || sent > range.to || !wanted.has(topicKey(envelope.topic))) continue
        count++
        for (const sub of subscriptions) if (sub.topics.has(topicKey(envelope.topic))) deliver(sub, envelope)
      }
      return count
    },
    subscribeEnvelopes(topics: readonly Topic[], options: SubscribeOptions = {}): AsyncIterable<Envelope> {
      if (!Array.isArray(topics) || topics.length === 0) throw new TypeError('topics must be a non-empty array')
      for (const t of topics) if (!(t instanceof Uint8Array) || t.length !== 4) throw new TypeError('topics must hold 4-byte topics')
      const sub: Subscription = { topics: new Set(topics.map(topicKey)), queue: [], timers: new Set(), wake: undefined, closed: false }
      subscriptions.add(sub)
      const close = (): void => {
        sub.closed = true
        subscriptions.delete(sub)
        for (const t of sub.timers) clearTimeout(t)
        sub.timers.clear()
        sub.wake?.()
      }
      if (options.signal?.aborted === true) close()
      else options.signal?.addEventListener('abort', close, { once: true })
      // What the bus has seen and is still live stands for a node's pool.
      if (options.includePooled === true && !sub.closed) {
        const nowSeconds = Math.floor(now() / 1000)
        for (const envelope of posted) if (envelope.expiry >= nowSeconds && sub.topics.has(topicKey(envelope.topic))) sub.queue.push(envelope)
      }
      return {
        [Symbol.asyncIterator]: async function* () {
          try {
            while (true) {
              const next = sub.queue.shift()
              if (next !== undefined) {
                yield next
                continue
              }
              if (sub.closed) return
              await new Promise<void>((resolve) => (sub.wake = resolve))
              sub.wake = undefined
            }
          } finally {
            options.signal?.removeEventListener('abort', close)
            close()
          }
        },
      }
    },
  }
}
