/**
 * What a session needs from a node (design.md §6): post an envelope whose `data` it encrypted
 * itself, and receive every valid envelope on some topics. `@hush/node`'s Whisper service
 * satisfies it structurally; tests use {@link createMemoryTransport}.
 */
import type { Envelope, Topic } from '@hush/envelope'

/** Per-call cancellation (house-style §3.7). */
export interface AbortOptions {
  /** Cancels the call; it then rejects with `signal.reason`. */
  signal?: AbortSignal
}

/** An envelope to post: the node sets expiry and nonce and seals it. */
export interface TransportPost {
  /** 4-byte topic. */
  topic: Topic
  /** Already-encrypted envelope data. */
  data: Uint8Array
  /** Envelope TTL, whole seconds ≥ 1. */
  ttlSeconds: number
}

/** Options of {@link SessionTransport.postEnvelope}. */
export interface TransportPostOptions extends AbortOptions {
  /** PoW to reach; a node applies its own minimum when higher. */
  powTarget?: number
  /** Time budget for sealing, in milliseconds. */
  powTimeMs?: number
}

/** Archived envelopes to fetch: those on `topics` sent in `[from, to]` (unix seconds, inclusive). */
export interface HistoryRange {
  readonly topics: readonly Topic[]
  readonly from: number
  readonly to: number
}

/** Options of {@link SessionTransport.subscribeEnvelopes}. */
export interface SubscribeOptions extends AbortOptions {
  /**
   * Also hand over, first, the live envelopes on these topics that the transport already holds
   * (a node's pool): a conversation asks for them when it starts listening on a chain its peer
   * may already have used (the joiner's early data, when the inviter accepts). A transport that
   * cannot may ignore it. @default false
   */
  includePooled?: boolean
}

/** The raw-envelope interface a session runs on (design.md §6). */
export interface SessionTransport {
  /** Seals and floods an envelope; resolves to its 32-byte hash. */
  postEnvelope(post: TransportPost, options?: TransportPostOptions): Promise<Uint8Array>
  /** Every valid envelope on `topics`, once, own posts included; ends when `options.signal` aborts. */
  subscribeEnvelopes(topics: readonly Topic[], options?: SubscribeOptions): AsyncIterable<Envelope>
  /**
   * Optional: fetches archived envelopes in `range` (from mail servers the app trusts) and hands
   * each to the matching `subscribeEnvelopes` iterables, once; resolves with how many envelopes
   * arrived, after they were handed over. Needed only for `Session.catchUp`. `@hush/mail`'s
   * `historyFetcher` builds one for a node.
   */
  requestHistory?(range: HistoryRange, options?: AbortOptions): Promise<number>
}
