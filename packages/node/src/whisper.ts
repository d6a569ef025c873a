/**
 * The Whisper service: the libp2p service apps embed (design.md §1, §6). It wires the router,
 * the pool, the key store and the filters, runs every envelope — received or our own — through
 * one ingest path, and offers geth's shh API plus the raw-envelope interface for layers that do
 * their own crypto.
 */
import {
  type Bloom,
  type Envelope,
  FULL_BLOOM,
  MAX_ENVELOPE_SIZE_BYTES,
  type Topic,
  decodeEnvelope,
  encodeEnvelope,
  envelopeSize,
  keccak256,
} from '@hush/envelope'
import { type Pool, createPool } from '@hush/pool'
import { ratingOf } from '@hush/pow'
import {
  type AbortOptions,
  type ComponentLogger,
  type Logger,
  type Metrics,
  type PeerId,
  type Startable,
  serviceCapabilities,
  serviceDependencies,
} from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'
import { type AsyncQueue, closeOnAbort } from './async-queue.ts'
import { advertisedBloom, sameBloom } from './advertised-bloom.ts'
import { resolveCriteria } from './criteria.ts'
import { wrapPost } from './post-params.ts'
import { RawSubscriptions, iterateWithCleanup } from './raw-subscriptions.ts'
import { type IngestRules, checkEnvelope } from './check-envelope.ts'
import { CODE_P2P_MESSAGE, KNOWN_NOTICE_MIN_BYTES } from './constants.ts'
import { FilterNotFoundError, NotStartedError, PeerNotFoundError, PostRejectedError } from './errors.ts'
import { type ReceivedMessage, FilterSet } from './filters.ts'
import { type ForwardCandidate, peerWants } from './forwarding.ts'
import { ShhKeyMethods } from './key-methods.ts'
import type { Peer, Requirement } from './peer.ts'
import { Router, type RouterHost } from './router.ts'
import { type WhisperInit, type WhisperSettings, checkBloom, checkMaxSize, checkPow, resolveSettings } from './settings.ts'
import type {
  MessageCriteria,
  PostEnvelopeOptions,
  PostOptions,
  PostParams,
  RawPost,
  WhisperEvents,
  WhisperInfo,
} from './types.ts'
import { DROP_PENALTIES, type DropReason } from './validator.ts'
import { WhisperCounters } from './counters.ts'
import { Sealer } from './sealer.ts'
import { encodeP2PFrame } from './wire.ts'

/** The libp2p components the service uses. */
export interface WhisperComponents {
  registrar: Registrar
  connectionManager: ConnectionManager
  logger: ComponentLogger
  metrics?: Metrics
}

/** Outcome of one envelope through the ingest path. */
export type IngestResult =
  | { status: 'added'; hash: Uint8Array }
  | { status: 'duplicate'; hash: Uint8Array }
  | { status: 'dropped'; reason: DropReason }

/** A Whisper v6 node service for libp2p. See {@link whisper}. */
export class WhisperService extends ShhKeyMethods implements Startable, RouterHost {
  readonly [Symbol.toStringTag] = '@hush/node'

  private readonly settings: WhisperSettings
  private readonly log: Logger
  private readonly router: Router
  private pool: Pool
  private readonly filters = new FilterSet()
  private readonly rawSubscriptions = new RawSubscriptions()
  private minPow: Requirement<number>
  private bloom: Requirement<Bloom | undefined>
  private explicitBloom: Bloom | undefined
  private isLightMode: boolean
  private maxMessageSize: number
  private started = false
  private pruneTimer: ReturnType<typeof setInterval> | undefined
  private bloomTimer: ReturnType<typeof setTimeout> | undefined
  private readonly sealer: Sealer
  private readonly rules: IngestRules
  private readonly counters = new WhisperCounters()

  constructor(components: WhisperComponents, init: WhisperInit = {}) {
    super()
    // libp2p reads these to order services: topology notifications need identify first (deps.md §1).
    Object.defineProperty(this, serviceCapabilities, { value: ['@hush/whisper'] })
    Object.defineProperty(this, serviceDependencies, { value: ['@libp2p/identify'] })
    this.settings = resolveSettings(init)
    this.log = components.logger.forComponent('hush:node')
    const nowMs = this.settings.now()
    this.minPow = { current: this.settings.minPow, previous: this.settings.minPow, changedMs: nowMs }
    this.explicitBloom = this.settings.bloom
    this.isLightMode = this.settings.isLight
    this.maxMessageSize = this.settings.maxMessageSize
    const bloom = this.computeBloom()
    this.bloom = { current: bloom, previous: bloom, changedMs: nowMs }
    this.pool = createPool(this.settings.pool)
    this.sealer = new Sealer(this.settings.sealWorkers)
    this.router = new Router(
      components,
      this,
      {
        batchIntervalMs: this.settings.batchIntervalMs,
        maxWriteQueueBytes: this.settings.maxWriteQueueBytes,
        score: this.settings.score,
        packetsPerSecond: this.settings.packetsPerSecond,
        bytesPerSecond: this.settings.bytesPerSecond,
        handshakeTimeoutMs: this.settings.handshakeTimeoutMs,
        restrictLightPeers: this.settings.restrictLightPeers,
      },
      components.logger.forComponent('hush:node:router'),
      this.settings.now
    )
    this.counters.register(components.metrics, () => ({
      pool_envelopes: this.pool.size,
      pool_bytes: this.pool.bytes,
      peers: this.router.getPeers().length,
      filters: this.filters.size,
    }))
    this.rules = {
      nowMs: 0,
      peerOffsetSeconds: 0,
      futureAllowanceSeconds: this.settings.futureAllowanceSeconds,
      pastAllowanceSeconds: this.settings.pastAllowanceSeconds,
      maxMessageSize: this.maxMessageSize,
      minPow: this.minPow,
      bloom: this.bloom,
      toleranceMs: this.settings.requirementToleranceMs,
      seen: (key, now) => this.pool.hasSeen(key, now),
    }
  }

  // ---- lifecycle -------------------------------------------------------------------------

  /** Starts routing. Idempotent. */
  async start(): Promise<void> {
    if (this.started) return
    this.started = true
    this.pool = createPool(this.settings.pool)
    await this.router.start()
    this.pruneTimer = setInterval(() => this.prune(), this.settings.pruneIntervalMs)
    this.pruneTimer.unref?.()
  }

  /** Stops routing, aborts sealing, ends subscriptions and releases every timer. Idempotent. */
  async stop(): Promise<void> {
    if (!this.started) return
    this.started = false
    if (this.pruneTimer !== undefined) clearInterval(this.pruneTimer)
    if (this.bloomTimer !== undefined) clearTimeout(this.bloomTimer)
    this.pruneTimer = undefined
    this.bloomTimer = undefined
    this.sealer.abortAll(new NotStartedError('the node stopped'))
    await this.router.stop()
    this.rawSubscriptions.closeAll()
    this.filters.clear()
  }

  /** Whether the service is started. */
  isStarted(): boolean {
    return this.started
  }

  // ---- settings ---------------------------------------------------------------------------

  /** Sets our minimum PoW and announces it; the old value is tolerated for a short while. */
  setMinPoW(pow: number): void {
    checkPow(pow, 'pow')
    this.minPow = { current: pow, previous: this.minPow.current, changedMs: this.settings.now() }
    this.router.announcePow(pow)
  }

  /** Sets the largest envelope accepted (at most 10 MiB); new peers see it in our status. */
  setMaxMessageSize(size: number): void {
    checkMaxSize(size, 'size')
    this.maxMessageSize = size
  }

  /** Sets an explicit bloom (64 bytes) and announces it; watched topics stay included. */
  setBloomFilter(bloom: Bloom): void {
    checkBloom(bloom, 'bloom')
    this.explicitBloom = bloom.slice()
    this.updateBloom(true)
  }

  /** Lets a connected peer send us direct p2p messages (code 127). @throws {PeerNotFoundError} */
  markTrustedPeer(peer: string | PeerId): void {
    const p = this.router.getPeer(peer.toString())
    if (p === undefined) throw new PeerNotFoundError(`peer ${peer.toString()} is not connected`)
    p.isTrusted = true
  }

  /** A snapshot of the node. */
  info(): WhisperInfo {
    const mem = process.memoryUsage()
    return {
      memory: this.pool.bytes,
      envelopes: this.pool.size,
      peers: this.router.getPeers().length,
      minPow: this.minPow.current,
      maxMessageSize: this.maxMessageSize,
      isLight: this.isLightMode,
      bloom: this.bloom.current?.slice(),
      drops: { ...this.counters.drops },
      duplicates: this.counters.duplicates,
      added: this.counters.added,
      delivered: this.counters.delivered,
      filters: this.filters.size,
      traffic: this.router.traffic(),
      process: { heapUsed: mem.heapUsed, arrayBuffers: mem.arrayBuffers },
    }
  }

  /** Ids of connected Whisper peers. */
  getPeers(): PeerId[] {
    return this.router.getPeers().map((p) => p.id)
  }

  // ---- filters ----------------------------------------------------------------------------

  /** Installs a polling filter (geth `newMessageFilter`); returns its id. */
  newMessageFilter(criteria: MessageCriteria): string {
    const id = this.filters.install(resolveCriteria(criteria, this.keys, this.settings.filterCapacity))
    this.updateBloom(false)
    return id
  }

  /** Removes and returns the messages a filter buffered since the last call. @throws {FilterNotFoundError} */
  getFilterMessages(id: string): ReceivedMessage[] {
    const messages = this.filters.drain(id)
    if (messages === undefined) throw new FilterNotFoundError(`no filter with id ${id}`)
    return messages
  }

  /** Removes a filter. @throws {FilterNotFoundError} */
  deleteMessageFilter(id: string): boolean {
    if (!this.filters.uninstall(id)) throw new FilterNotFoundError(`no filter with id ${id}`)
    this.updateBloom(false)
    return true
  }

  /**
   * Messages matching `criteria` as an async iterable that ends when `options.signal` aborts
   * (or the node stops).
   * @example
   * ```ts
   * for await (const message of node.services.shh.subscribe({ symKeyID, topics: [topic] }, { signal })) { … }
   * ```
   */
  subscribe(criteria: MessageCriteria, options: AbortOptions = {}): AsyncIterable<ReceivedMessage> {
    const id = this.newMessageFilter(criteria)
    const queue = this.filters.queue(id) as AsyncQueue<ReceivedMessage>
    const detach = closeOnAbort(queue, options.signal)
    const uninstall = (): void => {
      detach()
      if (this.filters.uninstall(id)) this.updateBloom(false)
    }
    options.signal?.addEventListener('abort', uninstall, { once: true })
    return iterateWithCleanup(queue, uninstall)
  }

  /**
   * Every valid envelope on `topics`, once, whoever sent it (our own posts included), for layers
   * that do their own crypto (design.md §6). Ends when `options.signal` aborts.
   */
  subscribeEnvelopes(topics: readonly Topic[], options: AbortOptions = {}): AsyncIterable<Envelope> {
    if (!Array.isArray(topics) || topics.length === 0) throw new TypeError('topics must be a non-empty array')
    for (const t of topics) if (!(t instanceof Uint8Array) || t.length !== 4) throw new TypeError('topics must hold 4-byte topics')
    const subscription = this.rawSubscriptions.add(topics, this.settings.filterCapacity)
    this.updateBloom(false)
    const detach = closeOnAbort(subscription.queue, options.signal)
    const remove = (): void => {
      detach()
      if (subscription.remove()) this.updateBloom(false)
    }
    options.signal?.addEventListener('abort', remove, { once: true })
    return iterateWithCleanup(subscription.queue, remove)
  }

  // ---- posting ----------------------------------------------------------------------------

  /**
   * Encrypts, signs, seals and floods a message (geth `post`); returns the envelope hash.
   * @throws {KeyNotFoundError} for an unknown key id
   * @throws {PostRejectedError} when the node's own checks refuse the envelope
   * @throws {PeerNotFoundError} when `targetPeer` is not connected
   */
  async post(params: PostParams, options: PostOptions = {}): Promise<Uint8Array> {
    const { envelope, targetPow } = wrapPost(params, this.keys, this.minPow.current, Math.floor(this.settings.now() / 1000))
    const sealed = await this.seal(envelope, targetPow, params.powTime === undefined ? undefined : params.powTime * 1000, options)
    if (params.targetPeer !== undefined) return this.sendP2P(sealed, params.targetPeer)
    return this.ingestOwn(sealed)
  }

  /**
   * Seals and floods an envelope whose `data` the caller already encrypted (design.md §6);
   * returns its hash. The PoW is max(our minimum, `options.powTarget`).
   * @throws {PostRejectedError} when the node's own checks refuse the envelope
   */
  async postEnvelope(post: RawPost, options: PostEnvelopeOptions = {}): Promise<Uint8Array> {
    if (typeof post !== 'object' || post === null) throw new TypeError('post must be an object')
    if (!(post.topic instanceof Uint8Array) || post.topic.length !== 4) throw new TypeError('post.topic must be 4 bytes')
    if (!(post.data instanceof Uint8Array)) throw new TypeError('post.data must be a Uint8Array')
    if (!Number.isInteger(post.ttlSeconds) || post.ttlSeconds < 1) throw new RangeError('post.ttlSeconds must be an integer ≥ 1')
    const target = Math.max(this.minPow.current, options.powTarget ?? 0)
    const nowSeconds = Math.floor(this.settings.now() / 1000)
    const envelope: Envelope = { expiry: nowSeconds + post.ttlSeconds, ttl: post.ttlSeconds, topic: post.topic.slice(), data: post.data, nonce: 0n }
    const sealed = await this.seal(envelope, target, options.powTimeMs, options)
    return this.ingestOwn(sealed)
  }

  private async seal(envelope: Envelope, targetPow: number, workTimeMs: number | undefined, options: PostOptions): Promise<Envelope> {
    if (!this.started) throw new NotStartedError()
    return this.sealer.seal(envelope, targetPow, { workTimeMs, signal: options.signal, onProgress: options.onProgress })
  }

  private ingestOwn(envelope: Envelope): Uint8Array {
    if (!this.started) throw new NotStartedError()
    const result = this.ingest(encodeEnvelope(envelope), undefined)
    if (result.status === 'dropped') throw new PostRejectedError(result.reason)
    return result.hash
  }

  private sendP2P(envelope: Envelope, target: string | PeerId): Uint8Array {
    const peer = this.router.getPeer(target.toString())
    if (peer === undefined || !peer.hasOutbound) throw new PeerNotFoundError(`peer ${target.toString()} is not connected`)
    const raw = encodeEnvelope(envelope)
    peer.send(encodeP2PFrame(CODE_P2P_MESSAGE, raw))
    return keccak256(raw)
  }

  // ---- ingest -----------------------------------------------------------------------------

  /**
   * The one ingest path (design.md §4), for received and own envelopes alike: cheap checks
   * first, the seen check before the PoW, then pool, forwarding and local delivery.
   */
  ingest(raw: Uint8Array, from: Peer | undefined): IngestResult {
    const nowMs = this.settings.now()
    const nowSeconds = Math.floor(nowMs / 1000)
    // One rules object, updated per envelope: the hot path allocates no settings object.
    const rules = this.rules
    rules.nowMs = nowMs
    rules.peerOffsetSeconds = from?.clockOffsetSeconds ?? 0
    rules.maxMessageSize = this.maxMessageSize
    rules.minPow = this.minPow
    rules.bloom = this.bloom
    const checked = checkEnvelope(raw, rules)
    if (checked.status === 'dropped') return this.drop(checked.reason, from)
    const { envelope, hash, key } = checked
    if (checked.status === 'duplicate') {
      this.counters.duplicate()
      if (from !== undefined) {
        from.counters.duplicatesIn++
        from.known.set(key, envelope.expiry)
      }
      return { status: 'duplicate', hash }
    }
    const pow = checked.pow
    const rating = ratingOf({ pow })
    // The pool copies the bytes into its own slabs: nothing keeps the (possibly large) frame alive.
    const added = this.pool.add({ envelope, raw, hash, pow, rating, arrival: nowSeconds, peer: from?.key }, nowSeconds)
    if (added.status === 'duplicate') {
      this.counters.duplicate()
      return { status: 'duplicate', hash }
    }
    if (added.status !== 'added') {
      const reason: DropReason =
        added.status === 'expired' ? 'expired' : added.status === 'future' ? 'future' : added.status === 'too-large' ? 'too-large' : added.status === 'low-pow' ? 'low-pow' : 'pool-full'
      return this.drop(reason, from)
    }
    this.counters.add()
    if (from !== undefined) {
      from.counters.envelopesIn++
      from.known.set(key, envelope.expiry)
      this.router.penalise(from, 'first-delivery')
    }
    this.forward({ key, pow, expiry: envelope.expiry, sizeBytes: envelopeSize(envelope) }, hash, checked.bloom, raw.length, from)
    this.deliver(envelope, raw, hash, pow, from)
    return { status: 'added', hash }
  }

  private forward(
    entry: { key: string; pow: number; expiry: number; sizeBytes: number },
    hash: Uint8Array,
    bloom: () => Bloom,
    rawBytes: number,
    from: Peer | undefined
  ): void {
    let candidate: ForwardCandidate | undefined
    const notice = from !== undefined && rawBytes >= KNOWN_NOTICE_MIN_BYTES
    for (const peer of this.router.peerValues()) {
      if (peer === from || peer.status === undefined || peer.known.has(entry.key)) continue
      candidate ??= {
        pow: entry.pow,
        get bloom(): Bloom {
          return bloom()
        },
        sizeBytes: entry.sizeBytes,
      }
      if (!peerWants(peer, candidate)) continue
      // Light mode: relay nobody else's envelopes (spec §4.6, design.md §3).
      if (this.isLightMode && from !== undefined) continue
      // Tell the peer at once that we have it, so it does not send it back while our batch waits.
      if (notice) this.router.notify(peer, hash)
      this.router.enqueue(peer, entry.key, entry.expiry)
    }
  }

  /**
   * Local delivery. `envelope` may be a view into a received frame: filters keep only fresh
   * plaintext, raw subscribers and event listeners get an envelope over a copy of the bytes.
   */
  private deliver(envelope: Envelope, raw: Uint8Array, hash: Uint8Array, pow: number, from: Peer | undefined): void {
    let copy: Envelope | undefined
    const own = (): Envelope => (copy ??= decodeEnvelope(raw.slice(), { maxSizeBytes: MAX_ENVELOPE_SIZE_BYTES }))
    if (this.rawSubscriptions.watches(envelope.topic)) this.rawSubscriptions.deliver(envelope.topic, own)
    if (this.filters.watches(envelope.topic)) this.emitMessages(this.filters.match(envelope, { pow, hash, isP2P: false }))
    if (this.listenerCount('envelope') > 0) this.safeDispatch('envelope', { envelope: own(), hash, pow, from: from?.id })
  }

  private emitMessages(messages: ReceivedMessage[]): void {
    for (const message of messages) {
      this.counters.deliver()
      this.safeDispatch('message', message)
    }
  }

  private drop(reason: DropReason, from: Peer | undefined): IngestResult {
    this.counters.drop(reason)
    if (from !== undefined) {
      const penalty = DROP_PENALTIES[reason]
      if (penalty !== undefined) this.router.penalise(from, penalty)
    }
    this.safeDispatch('envelope:drop', { reason, from: from?.id })
    return { status: 'dropped', reason }
  }

  /** Dispatches an event; a throwing app listener must not break the node's state. */
  private safeDispatch<K extends keyof WhisperEvents>(type: K, detail: WhisperEvents[K]['detail']): void {
    if (!this.listenerCount(type)) return
    try {
      this.safeDispatchEvent(type, { detail })
    } catch (err) {
      this.log.error('a %s listener threw: %e', type, err)
    }
  }

  // ---- RouterHost ---------------------------------------------------------------------------

  /** @internal */
  localStatus(): { minPow: number; bloom: Bloom | undefined; isLight: boolean; clockMs: number; maxSizeBytes: number } {
    return {
      minPow: this.minPow.current,
      bloom: this.bloom.current,
      isLight: this.isLightMode,
      clockMs: this.settings.now(),
      maxSizeBytes: this.maxMessageSize,
    }
  }
  /** @internal */
  maxEnvelopeBytes(): number {
    return this.maxMessageSize
  }
  /** @internal */
  isLight(): boolean {
    return this.isLightMode
  }
  /** @internal */
  onEnvelopes(peer: Peer, envelopes: Uint8Array[]): void {
    for (const raw of envelopes) {
      this.ingest(raw, peer)
      if (this.router.getPeer(peer.key) !== peer) return
    }
  }
  /** @internal */
  onP2PMessage(peer: Peer, raw: Uint8Array): void {
    if (!peer.isTrusted) {
      this.drop('untrusted-p2p', peer)
      return
    }
    let envelope: Envelope
    try {
      envelope = decodeEnvelope(raw.slice(), { maxSizeBytes: this.maxMessageSize })
    } catch {
      this.drop('invalid-envelope', peer)
      return
    }
    // Direct messages from trusted peers skip PoW and expiry and are not pooled (spec §7.3).
    this.emitMessages(this.filters.match(envelope, { pow: 0, hash: keccak256(raw), isP2P: true }))
  }
  /** @internal */
  onPeerReady(peer: Peer): void {
    const status = peer.status
    if (status === undefined) return
    const nowSeconds = Math.floor(this.settings.now() / 1000)
    for (const entry of this.pool.entries({ bloom: peer.bloom?.current, minPow: peer.minPow?.current, now: nowSeconds })) {
      if (peer.known.has(entry.key) || entry.bytes > status.maxSizeBytes) continue
      if (this.isLightMode && entry.peer !== undefined) continue
      this.router.enqueue(peer, entry.key, entry.expiry)
    }
  }
  /** @internal */
  rawEnvelope(key: string): Uint8Array | undefined {
    return this.pool.getRaw(key)
  }
  /** @internal */
  onDrop(reason: 'malformed-frame' | 'rate-limited', peer: Peer): void {
    this.counters.drop(reason)
    this.safeDispatch('envelope:drop', { reason, from: peer.id })
  }
  /** @internal */
  onPeerConnected(peer: Peer): void {
    this.safeDispatch('peer:connect', peer.id)
  }
  /** @internal */
  onPeerDisconnected(peer: Peer): void {
    this.safeDispatch('peer:disconnect', peer.id)
  }
  /** @internal */
  onPeerBanned(peer: Peer): void {
    this.safeDispatch('peer:ban', peer.id)
  }

  // ---- internals ----------------------------------------------------------------------------

  private prune(): void {
    const nowSeconds = Math.floor(this.settings.now() / 1000)
    this.pool.prune(nowSeconds)
    this.pool.seen.prune(nowSeconds)
    this.router.pruneKnown(nowSeconds, this.settings.pastAllowanceSeconds)
  }

  /** The bloom we announce now (design.md §3). */
  private computeBloom(): Bloom | undefined {
    const watched = this.filters.watched()
    return advertisedBloom({
      isLight: this.isLightMode,
      explicit: this.explicitBloom,
      topics: [...watched.topics, ...this.rawSubscriptions.topics()],
      watchesAll: watched.all,
    })
  }

  /** Recomputes our bloom; announces a change at once or after a short delay. */
  private updateBloom(immediately: boolean): void {
    const next = this.computeBloom()
    const current = this.bloom.current
    if (sameBloom(next, current)) return
    this.bloom = { current: next, previous: current, changedMs: this.settings.now() }
    if (this.bloomTimer !== undefined) clearTimeout(this.bloomTimer)
    this.bloomTimer = undefined
    const announce = (): void => {
      this.bloomTimer = undefined
      // Back to a full node: announce all ones, which peers read as "everything".
      if (this.started) this.router.announceBloom(this.bloom.current ?? FULL_BLOOM)
    }
    if (immediately || !this.started) announce()
    else {
      this.bloomTimer = setTimeout(announce, this.settings.bloomAnnounceDelayMs)
      this.bloomTimer.unref?.()
    }
  }
}

/**
 * The Whisper service factory in libp2p style.
 * @example
 * ```ts
 * const node = await createLibp2p({ …, services: { identify: identify(), shh: whisper({ minPow: 0.2 }) } })
 * ```
 */
export function whisper(init: WhisperInit = {}): (components: WhisperComponents) => WhisperService {
  return (components) => new WhisperService(components, init)
}

