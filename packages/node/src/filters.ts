/**
 * Message filters (spec §6, geth `filter.go`): criteria over topic, key, PoW, signer and p2p,
 * each with a bounded buffer that `getFilterMessages` drains or a subscription reads. Only
 * filters watching an envelope's topic (or all topics) try to open it, each distinct key at
 * most once per envelope.
 */
import { type Envelope, type OpenedMessage, type Topic, openMessage } from '@hush/envelope'
import { bytesToHex } from '@noble/hashes/utils.js'
import { AsyncQueue } from './async-queue.ts'
import { equalBytes } from './bytes.ts'
import { newKeyId } from './key-store.ts'
import { topicNumber } from './topic-number.ts'

/** A message opened by a filter: the payload and what geth's RPC `Message` reports (spec §6.3). */
export interface ReceivedMessage {
  /** The application bytes. */
  readonly payload: Uint8Array
  /** The padding bytes. */
  readonly padding: Uint8Array
  /** The signer's 65-byte public key, when the payload was signed. */
  readonly senderPublicKey?: Uint8Array
  /** The 65-byte public key it was encrypted to, for asymmetric messages. */
  readonly recipientPublicKey?: Uint8Array
  /** The envelope's topic. */
  readonly topic: Topic
  /** The envelope's TTL in seconds. */
  readonly ttl: number
  /** When it was sent (expiry − TTL), unix seconds. */
  readonly timestamp: number
  /** The envelope's PoW. */
  readonly pow: number
  /** The envelope hash. */
  readonly hash: Uint8Array
  /** Whether it arrived as a direct p2p message (code 127) rather than through the flood. */
  readonly isP2P: boolean
}

/** A filter's criteria with its key material resolved (the node copies keys in at install). */
export interface ResolvedCriteria {
  /** Symmetric key; exclusive with `privateKey`. */
  symKey?: Uint8Array
  /** Our private key for asymmetric messages, with its public key. */
  privateKey?: Uint8Array
  publicKey?: Uint8Array
  /** Topics to watch; empty means every topic. */
  topics: readonly Topic[]
  /** Minimum PoW; ≤ 0 means none. */
  minPow: number
  /** Required signer public key. */
  sig?: Uint8Array
  /** Whether direct p2p messages are delivered. */
  allowP2P: boolean
  /** Messages buffered before the oldest is dropped. */
  capacity: number
}

/** Per-envelope context for matching. */
export interface MatchContext {
  pow: number
  hash: Uint8Array
  isP2P: boolean
}

interface Filter {
  readonly id: string
  readonly criteria: ResolvedCriteria
  /** Identity of the key for sharing one trial decryption between filters with the same key. */
  readonly keyRef: string
  readonly queue: AsyncQueue<ReceivedMessage>
}


function keyRefOf(c: ResolvedCriteria): string {
  const key = c.symKey ?? c.privateKey
  if (key === undefined) throw new TypeError('criteria need a symKey or a privateKey')
  return (c.symKey !== undefined ? 's' : 'a') + bytesToHex(key)
}

/** The set of installed filters with a topic index. */
export class FilterSet {
  private readonly byId = new Map<string, Filter>()
  private readonly byTopic = new Map<number, Set<Filter>>()
  private readonly allTopics = new Set<Filter>()

  /** Number of installed filters. */
  get size(): number {
    return this.byId.size
  }

  /** Installs a filter and returns its id (64 hex digits). */
  install(criteria: ResolvedCriteria): string {
    if ((criteria.symKey === undefined) === (criteria.privateKey === undefined)) {
      throw new TypeError('criteria need exactly one of symKeyID and privateKeyID')
    }
    const filter: Filter = { id: newKeyId(), criteria, keyRef: keyRefOf(criteria), queue: new AsyncQueue(criteria.capacity) }
    this.byId.set(filter.id, filter)
    if (criteria.topics.length === 0) this.allTopics.add(filter)
    for (const topic of criteria.topics) {
      const k = topicNumber(topic)
      let set = this.byTopic.get(k)
      if (set === undefined) this.byTopic.set(k, (set = new Set()))
      set.add(filter)
    }
    return filter.id
  }

  /** Removes a filter, zeroizes its key copies and ends its readers; returns whether it existed. */
  uninstall(id: string): boolean {
    const filter = this.byId.get(id)
    if (filter === undefined) return false
    this.byId.delete(id)
    this.allTopics.delete(filter)
    for (const topic of filter.criteria.topics) {
      const k = topicNumber(topic)
      const set = this.byTopic.get(k)
      set?.delete(filter)
      if (set?.size === 0) this.byTopic.delete(k)
    }
    filter.criteria.symKey?.fill(0)
    filter.criteria.privateKey?.fill(0)
    filter.queue.close()
    return true
  }

  /** Removes and returns the buffered messages of a filter, or `undefined` for an unknown id. */
  drain(id: string): ReceivedMessage[] | undefined {
    return this.byId.get(id)?.queue.drain()
  }

  /** The queue of a filter, for subscriptions. */
  queue(id: string): AsyncQueue<ReceivedMessage> | undefined {
    return this.byId.get(id)?.queue
  }

  /** Messages dropped from full buffers, over all filters. */
  droppedMessages(): number {
    let n = 0
    for (const f of this.byId.values()) n += f.queue.dropped
    return n
  }

  /** Every topic some filter watches, and whether some filter watches all topics. */
  watched(): { topics: Topic[]; all: boolean } {
    const topics: Topic[] = []
    const seen = new Set<number>()
    for (const f of this.byId.values()) {
      for (const t of f.criteria.topics) {
        const k = topicNumber(t)
        if (!seen.has(k)) {
          seen.add(k)
          topics.push(t)
        }
      }
    }
    return { topics, all: this.allTopics.size > 0 }
  }

  /** Whether any filter could want an envelope on this topic (no trial decryption needed otherwise). */
  watches(topic: Topic): boolean {
    return this.allTopics.size > 0 || this.byTopic.has(topicNumber(topic))
  }

  /**
   * Offers an envelope to the filters watching its topic (geth `NotifyWatchers`): each distinct
   * key is tried once; matching filters buffer the message. Returns the messages delivered.
   */
  match(envelope: Envelope, ctx: MatchContext): ReceivedMessage[] {
    const candidates = this.byTopic.get(topicNumber(envelope.topic))
    if (candidates === undefined && this.allTopics.size === 0) return []
    const opened = new Map<string, ReceivedMessage | undefined>()
    const delivered: ReceivedMessage[] = []
    const offer = (filter: Filter): void => {
      const c = filter.criteria
      if (ctx.isP2P && !c.allowP2P) return
      if (c.minPow > 0 && ctx.pow < c.minPow) return
      let message: ReceivedMessage | undefined
      if (opened.has(filter.keyRef)) message = opened.get(filter.keyRef)
      else {
        message = open(envelope, c, ctx)
        opened.set(filter.keyRef, message)
      }
      if (message === undefined) return
      if (c.sig !== undefined && (message.senderPublicKey === undefined || !equalBytes(c.sig, message.senderPublicKey))) {
        return
      }
      filter.queue.push(message)
      delivered.push(message)
    }
    if (candidates !== undefined) for (const f of candidates) offer(f)
    for (const f of this.allTopics) if (candidates === undefined || !candidates.has(f)) offer(f)
    return delivered
  }

  /** Uninstalls every filter. */
  clear(): void {
    for (const id of [...this.byId.keys()]) this.uninstall(id)
  }
}

function open(envelope: Envelope, c: ResolvedCriteria, ctx: MatchContext): ReceivedMessage | undefined {
  const m: OpenedMessage | undefined =
    c.symKey !== undefined ? openMessage(envelope, { symKey: c.symKey }) : openMessage(envelope, { privateKey: c.privateKey as Uint8Array })
  if (m === undefined) return undefined
  return {
    payload: m.payload,
    padding: m.padding,
    ...(m.senderPublicKey !== undefined && { senderPublicKey: m.senderPublicKey }),
    ...(c.publicKey !== undefined && { recipientPublicKey: c.publicKey }),
    topic: envelope.topic.slice(),
    ttl: envelope.ttl,
    timestamp: envelope.expiry - envelope.ttl,
    pow: ctx.pow,
    hash: ctx.hash,
    isP2P: ctx.isP2P,
  }
}
