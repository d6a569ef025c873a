/**
 * The direct frames peers send us (codes 125–127; spec §7.3–§7.6, docs/WIRE.md §6), the receiving
 * side of the mail-server hooks (`direct-sends.ts` is the sending side): p2p messages from
 * trusted peers, delivered locally once; p2p requests, handed to the app's mail server; and
 * "request complete" notices, passed on as events. None of them is pooled or forwarded.
 */
import { type Envelope, decodeEnvelope, keccak256 } from '@hush/envelope'
import { hashKey } from '@hush/pool'
import type { Logger, PeerId } from '@libp2p/interface'
import { copyBytes } from './bytes.ts'
import { MAX_P2P_DELIVERED_HASHES, P2P_DELIVERED_MEMORY_MS } from './constants.ts'
import type { Peer } from './peer.ts'
import { RecentHashes } from './recent-hashes.ts'
import type { P2PRequest, P2PRequestHandler, WhisperEvents } from './types.ts'
import type { DropReason } from './validator.ts'

/** What the inbox needs from the service. */
export interface DirectInboxContext {
  readonly log: Logger
  /** The clock, unix ms. */
  now(): number
  /** The largest envelope the node accepts now, in bytes. */
  maxMessageSize(): number
  /** Whether the pool holds or has seen the envelope `key` at `nowSeconds`. */
  hasSeen(key: string, nowSeconds: number): boolean
  /** Local delivery of a direct message (to filters that allow p2p and to raw subscriptions). */
  deliver(envelope: Envelope, hash: Uint8Array): void
  /** A frame that is not an envelope, for counting and events. */
  onDrop(reason: DropReason, from: PeerId): void
  /** Dispatches one of the inbox's events (if anyone listens). */
  dispatch<K extends 'p2p:message' | 'p2p:complete'>(type: K, detail: WhisperEvents[K]['detail']): void
}

/** The direct frames from ready peers, and what the node remembers of them. */
export class DirectInbox {
  private readonly ctx: DirectInboxContext
  /** The app's mail server, if any (geth `RegisterServer`). */
  private handler: P2PRequestHandler | undefined
  /** Hashes delivered locally as direct p2p messages: each reaches filters and subscriptions once. */
  private readonly delivered = new RecentHashes(P2P_DELIVERED_MEMORY_MS, MAX_P2P_DELIVERED_HASHES)

  constructor(ctx: DirectInboxContext) {
    this.ctx = ctx
  }

  /** Sets or removes the mail server (see `WhisperService.setRequestHandler`). */
  setRequestHandler(handler: P2PRequestHandler | undefined): void {
    if (handler !== undefined && typeof handler !== 'function') throw new TypeError('handler must be a function or undefined')
    this.handler = handler
  }

  /** Whether the envelope `key` was delivered locally as a direct p2p message (and is remembered at `nowMs`). */
  wasDelivered(key: string, nowMs: number): boolean {
    return this.delivered.has(key, nowMs)
  }

  /**
   * A direct p2p message (code 127) from a trusted peer: it skips PoW and expiry and is not pooled
   * (spec §7.3). It is delivered unless the node has it already: pooled, seen by the pool, or
   * delivered as a p2p message before. Returns false when it is not an envelope.
   */
  message(raw: Uint8Array, from: Peer): boolean {
    const decoded = this.decode(raw, from)
    if (decoded === undefined) return false
    const { copy, envelope } = decoded
    const hash = keccak256(copy)
    const key = hashKey(hash)
    const nowMs = this.ctx.now()
    const isNew = !this.ctx.hasSeen(key, Math.floor(nowMs / 1000)) && !this.delivered.has(key, nowMs)
    if (isNew) {
      this.delivered.add(key, nowMs)
      this.ctx.deliver(envelope, hash)
    }
    this.ctx.dispatch('p2p:message', { raw: copy, hash, from: from.id, delivered: isNew })
    return true
  }

  /** A p2p request (code 126): handed to the app's mail server, if any. False when not an envelope. */
  request(raw: Uint8Array, from: Peer): boolean {
    const handler = this.handler
    if (handler === undefined) return true
    const decoded = this.decode(raw, from)
    if (decoded === undefined) return false
    const { copy, envelope } = decoded
    const request: P2PRequest = { envelope, raw: copy, hash: keccak256(copy), from: from.id }
    try {
      const result: unknown = handler(request)
      if (result instanceof Promise) result.catch((err: unknown) => this.ctx.log.error('the p2p request handler rejected: %e', err))
    } catch (err) {
      this.ctx.log.error('the p2p request handler threw: %e', err)
    }
    return true
  }

  /** A valid "p2p request complete" (code 125) from a trusted peer: `body` is a view into the frame. */
  complete(body: Uint8Array, from: Peer): void {
    this.ctx.dispatch('p2p:complete', { body: copyBytes(body), from: from.id })
  }

  /** Forgets the delivered hashes lapsed at `nowMs`. */
  prune(nowMs: number): void {
    this.delivered.prune(nowMs)
  }

  /** Forgets every delivered hash (the mail server stays registered). */
  clear(): void {
    this.delivered.clear()
  }

  /**
   * The envelope of a direct frame (codes 126, 127), decoded from a copy of its bytes; a frame
   * that is not an envelope is dropped as 'invalid-envelope' and gives `undefined`.
   */
  private decode(raw: Uint8Array, from: Peer): { copy: Uint8Array; envelope: Envelope } | undefined {
    const copy = copyBytes(raw)
    try {
      return { copy, envelope: decodeEnvelope(copy, { maxSizeBytes: this.ctx.maxMessageSize() }) }
    } catch {
      this.ctx.onDrop('invalid-envelope', from.id)
      return undefined
    }
  }
}
