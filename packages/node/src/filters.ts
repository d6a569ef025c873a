/**
 * Message filters (spec §6, geth `filter.go`): criteria over topic, key, PoW, signer and p2p,
 * each with a bounded buffer that `getFilterMessages` drains or a subscription reads. Only
 * filters watching an envelope's topic (or all topics) try to open it, each distinct key at
 * most once per envelope.
 */
import { type Envelope, type OpenedMessage, type Topic, openMessage } from '@hush/envelope'
import { bytesToHex } from '@noble/hashes/utils.js'
import { AsyncQueue } from './async-queue.ts'
import type { RawWatcher } from './raw-subscriptions.ts'
import { equalBytes } from './bytes.ts'
import { newKeyId } from './key-store.ts'
import type { TopicIndex } from './topic-index.ts'

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

/** What the node's topic index holds: filters and raw-envelope subscriptions. */
export type Watcher = Filter | RawWatcher

/** An installed filter, as registered in the node's topic index. */
export interface Filter {
  readonly kind: 'filter'
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

/** The installed filters, registered in the node's shared topic index. */
export class FilterSet {
  private readonly byId = new Map<string, Filter>()
  private readonly index: TopicIndex<Watcher>

  /** @param index - the node's one topic index, shared with raw-envelope subscriptions */
  constructor(index: TopicIndex<Watcher>) {
    this.index = index
  }

  /** Number of installed filters. */
  get size(): number {
    return this.byId.size
  }

  /** Installs a filter and returns its id (64 hex digits). */
  install(criteria: ResolvedCriteria): string {
    if ((criteria.symKey === undefined) === (criteria.privateKey === undefined)) {
      throw new TypeError('criteria need exactly one of symKeyID and privateKeyID')
    }
    const filter: Filter = { kind: 'filter', id: newKeyId(), criteria, keyRef: keyRefOf(criteria), queue: new AsyncQueue(criteria.capacity) }
    this.byId.set(filter.id, filter)
    this.index.add(filter, criteria.topics)
    return filter.id
  }

  /** Removes a filter, zeroizes its key copies and ends its readers; returns whether it existed. */
  uninstall(id: string): boolean {
    const filter = this.byId.get(id)
    if (filter === undefined) return false
    this.byId.delete(id)
    this.index.remove(filter, filter.criteria.topics)
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

  /**
   * Offers an envelope to the filters watching its topic (geth `NotifyWatchers`): each distinct
   * key is tried once; matching filters buffer the message. Returns the messages delivered.
   */
  match(envelope: Envelope, ctx: MatchContext): ReceivedMessage[] {
    const opened = new Map<string, ReceivedMessage | undefined>()
    const delivered: ReceivedMessage[] = []
    const offer = (filter: Filter): void => {
      const c = filter.criteria
      if (!admits(c, ctx)) return
      let message: ReceivedMessage | undefined
      if (opened.has(filter.keyRef)) message = opened.get(filter.keyRef)
      else {
        message = open(envelope, c, ctx)
        opened.set(filter.keyRef, message)
      }
      if (message === undefined || !signedAsAsked(c, message)) return
      filter.queue.push(message)
      delivered.push(message)
    }
    for (const w of this.index.watchersOf(envelope.topic)) if (w.kind === 'filter') offer(w)
    return delivered
  }

  /** Uninstalls every filter. */
  clear(): void {
    for (const id of [...this.byId.keys()]) this.uninstall(id)
  }
}

/** Whether criteria take an envelope with this context at all (before any decryption). */
const admits = (c: ResolvedCriteria, ctx: MatchContext): boolean => (!ctx.isP2P || c.allowP2P) && !(c.minPow > 0 && ctx.pow < c.minPow)

/** Whether an opened message has the signer the criteria ask for, if they ask for one. */
const signedAsAsked = (c: ResolvedCriteria, message: ReceivedMessage): boolean =>
  c.sig === undefined || (message.senderPublicKey !== undefined && equalBytes(c.sig, message.senderPublicKey))

/**
 * The message `envelope` holds for criteria `c` (the key opens it, the PoW and signer are as
 * asked), or `undefined`: what one filter would get from it, without a filter.
 */
export function matchCriteria(envelope: Envelope, c: ResolvedCriteria, ctx: MatchContext): ReceivedMessage | undefined {
  if (!admits(c, ctx)) return undefined
  const message = open(envelope, c, ctx)
  return message !== undefined && signedAsAsked(c, message) ? message : undefined
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
