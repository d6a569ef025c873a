/**
 * The Whisper service: the libp2p service apps embed (design.md §1, §6). It wires the router,
 * the pool, the key store and the filters, runs every envelope — received or our own — through
 * one ingest path, and offers geth's shh API plus the raw-envelope interface for layers that do
 * their own crypto.
 */
import {
  type Bloom,
  type Envelope,
  MAX_ENVELOPE_SIZE_BYTES,
  type Topic,
  decodeEnvelope,
  encodeEnvelope,
} from '@hush/envelope'
import { type Pool, createPool } from '@hush/pool'
import {
  type AbortOptions,
  type ComponentLogger,
  type EventHandler,
  type Logger,
  type Metrics,
  type PeerId,
  type Startable,
  serviceCapabilities,
  serviceDependencies,
} from '@libp2p/interface'
import type { Registrar } from '@libp2p/interface-internal'
import { type AsyncQueue, readUntilAborted } from './async-queue.ts'
import { AnnouncedBloom } from './advertised-bloom.ts'
import type { IngestRules } from './check-envelope.ts'
import { WhisperCounters } from './counters.ts'
import { resolveCriteria } from './criteria.ts'
import { FilterNotFoundError, NotStartedError, PeerNotFoundError, PostRejectedError } from './errors.ts'
import { type ReceivedMessage, type Watcher, FilterSet, matchCriteria } from './filters.ts'
import { compareBytes } from './bytes.ts'
import { type SealEstimate, type SealQuery, SealEstimator } from './seal-estimate.ts'
import { type Added, type Verdict, ingestEnvelope } from './ingest.ts'
import { ShhKeyMethods } from './key-methods.ts'
import { ListenerGuard } from './listener-guard.ts'
import type { Peer } from './peer.ts'
import { type Requirement, changeRequirement, requirement } from './requirement.ts'
import { syncKeysFor } from './forwarding.ts'
import { peerKeyOf } from './p2p-args.ts'
import { rawPostEnvelope, wrapPost } from './post-params.ts'
import { copyBytes } from './bytes.ts'
import { DirectInbox } from './direct-inbox.ts'
import { DirectSends } from './direct-sends.ts'
import { RawSubscriptions } from './raw-subscriptions.ts'
import { Router } from './router.ts'
import { Sealer } from './sealer.ts'
import { TopicIndex } from './topic-index.ts'
import { type WhisperInit, type WhisperSettings, checkBloom, checkMaxSize, checkPow, resolveSettings } from './settings.ts'
import type {
  MessageCriteria,
  P2PRequestHandler,
  P2PSendOptions,
  PostEnvelopeOptions,
  PostOptions,
  PostParams,
  RawPost,
  ReceivedEnvelope,
  SubscribeEnvelopesOptions,
  WhisperEvents,
  WhisperInfo,
} from './types.ts'
import type { DropReason } from './validator.ts'

/** The libp2p components the service uses. */
export interface WhisperComponents {
  registrar: Registrar
  logger: ComponentLogger
  metrics?: Metrics
}

/** A Whisper v6 node service for libp2p. See {@link whisper}. */
export class WhisperService extends ShhKeyMethods implements Startable {
  readonly [Symbol.toStringTag] = '@hush/node'

  private readonly settings: WhisperSettings
  private readonly log: Logger
  private readonly router: Router
  private readonly directSends: DirectSends
  private readonly directInbox: DirectInbox
  private pool: Pool
  /** The one topic index: filters and raw subscriptions register here. */
  private readonly watchers = new TopicIndex<Watcher>()
  private readonly filters = new FilterSet(this.watchers)
  private readonly rawSubscriptions = new RawSubscriptions(this.watchers)
  /** Our minimum PoW and announced bloom, changed in place (the ingest rules hold them). */
  private readonly minPow: Requirement<number>
  private readonly bloom: AnnouncedBloom
  private readonly isLightMode: boolean
  private maxMessageSize: number
  private started = false
  private pruneTimer: ReturnType<typeof setInterval> | undefined
  private readonly sealer: Sealer
  private readonly sealEstimator: SealEstimator
  private readonly rules: IngestRules
  private readonly counters = new WhisperCounters()
  private guard: ListenerGuard | undefined

  constructor(components: WhisperComponents, init: WhisperInit = {}) {
    super()
    // libp2p reads these to order services: topology notifications need identify first (deps.md §1).
    Object.defineProperty(this, serviceCapabilities, { value: ['@hush/whisper'] })
    Object.defineProperty(this, serviceDependencies, { value: ['@libp2p/identify'] })
    this.settings = resolveSettings(init)
    this.log = components.logger.forComponent('hush:node')
    const s = this.settings
    const nowMs = s.now()
    this.minPow = requirement(s.minPow, nowMs)
    this.isLightMode = s.isLight
    this.maxMessageSize = s.maxMessageSize
    this.bloom = new AnnouncedBloom({
      isLight: s.isLight,
      explicit: s.bloom,
      watched: () => ({ topics: this.watchers.topics(), watchesAll: this.watchers.watchesAll }),
      announce: (bloom) => this.router.announceBloom(bloom),
      delayMs: s.bloomAnnounceDelayMs,
      now: s.now,
    })
    this.pool = createPool(s.pool)
    this.sealer = new Sealer(s.sealWorkers)
    this.sealEstimator = new SealEstimator(s.sealWorkers)
    this.router = new Router(
      {
        registrar: components.registrar,
        log: components.logger.forComponent('hush:node:router'),
        localStatus: () => ({
          minPow: this.minPow.current,
          bloom: this.bloom.current,
          isLight: this.isLightMode,
          clockMs: this.settings.now(),
          maxSizeBytes: this.maxMessageSize,
        }),
        maxEnvelopeBytes: () => this.maxMessageSize,
        isLight: () => this.isLightMode,
        ingest: (raw, from) => this.ingest(raw, from),
        deliverP2P: (raw, from) => this.directInbox.message(raw, from),
        onP2PRequest: (raw, from) => this.directInbox.request(raw, from),
        onP2PComplete: (body, from) => this.directInbox.complete(body, from),
        syncKeys: (peer) => syncKeysFor(peer, this.pool, this.isLightMode, Math.floor(this.settings.now() / 1000)),
        rawEnvelope: (key) => this.pool.getRaw(key),
        senderOf: (key) => this.pool.get(key)?.peer,
        onDrop: (reason, peer) => this.onDrop(reason, peer.id),
        onReady: (peer) => {
          this.log('peer %p ready', peer.id)
          this.safeDispatch('peer:ready', peer.id)
        },
        onDisconnect: (peer) => {
          this.log('peer %p gone', peer.id)
          this.safeDispatch('peer:disconnect', peer.id)
        },
        onBan: (peer) => this.safeDispatch('peer:ban', peer.id),
      },
      s
    )
    this.directSends = new DirectSends((key) => this.router.readyPeer(key), this.router.direct)
    this.directInbox = new DirectInbox({
      log: this.log,
      now: s.now,
      maxMessageSize: () => this.maxMessageSize,
      hasSeen: (key, nowSeconds) => this.pool.hasSeen(key, nowSeconds),
      deliver: (envelope, hash) => this.deliverDirect(envelope, hash),
      onDrop: (reason, from) => this.onDrop(reason, from),
      dispatch: (type, detail) => this.safeDispatch(type, detail),
    })
    this.counters.register(components.metrics, {
      state: () => ({
        pool_envelopes: this.pool.size,
        pool_bytes: this.pool.bytes,
        peers: this.router.readyPeers().length,
        filters: this.filters.size,
      }),
      traffic: () => this.router.traffic(),
    })
    this.rules = {
      nowMs: 0,
      peerOffsetSeconds: 0,
      futureAllowanceSeconds: s.futureAllowanceSeconds,
      pastAllowanceSeconds: s.pastAllowanceSeconds,
      maxMessageSize: this.maxMessageSize,
      minPow: this.minPow,
      bloom: this.bloom.requirement,
      toleranceMs: s.requirementToleranceMs,
      isOwn: false,
      seen: (key, now) => this.pool.hasSeen(key, now),
    }
  }

  // ---- events -------------------------------------------------------------------------------

  /** Adds a listener; one that throws (or rejects) is logged and never breaks the node. */
  override addEventListener<K extends keyof WhisperEvents>(
    type: K,
    listener: EventHandler<WhisperEvents[K]> | null,
    options?: boolean | { once?: boolean; passive?: boolean; signal?: AbortSignal; capture?: boolean }
  ): void {
    this.guard ??= new ListenerGuard(this.log)
    super.addEventListener(type, this.guard.wrap(type, listener), options)
  }

  /** Removes a listener added with {@link addEventListener}. */
  override removeEventListener<K extends keyof WhisperEvents>(
    type: K,
    listener?: EventHandler<WhisperEvents[K]> | null,
    options?: boolean | { capture?: boolean }
  ): void {
    super.removeEventListener(type, this.guard?.unwrap(type, listener) ?? listener, options)
  }

  // ---- lifecycle -------------------------------------------------------------------------

  /** Starts routing. Idempotent. */
  async start(): Promise<void> {
    if (this.started) return
    this.started = true
    this.pool = createPool(this.settings.pool)
    await this.router.start()
    this.bloom.start()
    this.pruneTimer = setInterval(() => this.prune(), this.settings.pruneIntervalMs)
    this.pruneTimer.unref?.()
  }

  /**
   * Stops routing, aborts sealing, ends subscriptions and filters, wipes every key and releases
   * every timer. Idempotent.
   */
  async stop(): Promise<void> {
    if (!this.started) return
    this.started = false
    if (this.pruneTimer !== undefined) clearInterval(this.pruneTimer)
    this.pruneTimer = undefined
    this.bloom.stop()
    this.sealer.abortAll(new NotStartedError('the node stopped'))
    await this.router.stop()
    this.rawSubscriptions.closeAll()
    this.filters.clear()
    this.keys.clear()
    this.directInbox.clear()
  }

  /** Whether the service is started. */
  isStarted(): boolean {
    return this.started
  }

  // ---- settings ---------------------------------------------------------------------------

  /** Sets our minimum PoW and announces it; the old value is tolerated for a short while. */
  setMinPoW(pow: number): void {
    checkPow(pow, 'pow')
    changeRequirement(this.minPow, pow, this.settings.now())
    this.router.announcePow(pow)
  }

  /** Sets the largest envelope accepted (at most 10 MiB); new peers see it in our status. */
  setMaxMessageSize(size: number): void {
    checkMaxSize(size, 'size')
    this.maxMessageSize = size
    this.rules.maxMessageSize = size
  }

  /** Sets an explicit bloom (64 bytes) and announces it; watched topics stay included. */
  setBloomFilter(bloom: Bloom): void {
    checkBloom(bloom, 'bloom')
    this.bloom.setExplicit(bloom)
  }

  /** Lets a ready peer send us direct p2p messages (code 127). @throws {PeerNotFoundError} */
  markTrustedPeer(peer: string | PeerId): void {
    const p = this.router.readyPeer(peer.toString())
    if (p === undefined) throw new PeerNotFoundError(`peer ${peer.toString()} is not connected`)
    p.isTrusted = true
  }

  /** A snapshot of the node. */
  info(): WhisperInfo {
    const mem = process.memoryUsage()
    return {
      memory: this.pool.bytes,
      envelopes: this.pool.size,
      peers: this.router.readyPeers().length,
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

  /** Ids of ready Whisper peers (connected, status exchanged): those that get our envelopes. */
  getPeers(): PeerId[] {
    return this.router.readyPeers().map((p) => p.id)
  }

  /**
   * Whether a peer is banned now: refused on /shh/6.0.0, and by `createHushNode`'s connection
   * gater. An app with its own libp2p node can call it from its own gater.
   */
  isBanned(peer: string | PeerId): boolean {
    return this.router.isBanned(peer.toString())
  }

  /**
   * A peer's score now (design.md §4: penalties for what it sent wrong, credit for envelopes it
   * delivered first, decaying towards 0), or `undefined` when the node keeps none for it (never
   * connected, or its score faded while it was away). Kept per peer id across reconnections.
   */
  peerScore(peer: string | PeerId): number | undefined {
    return this.router.peerScore(peer.toString())
  }

  // ---- mail-server hooks (spec §7.6; docs/WIRE.md §6) ---------------------------------------

  /**
   * Registers the handler of p2p requests (code 126; geth `RegisterServer`), or removes it with
   * `undefined`. Requests from every ready peer, trusted or not, reach it unchecked but for the
   * envelope's shape (one that does not decode is dropped as `'invalid-envelope'`); without a
   * handler they are ignored. A handler that throws or rejects is logged.
   * @throws {TypeError} when `handler` is neither a function nor `undefined`
   */
  setRequestHandler(handler: P2PRequestHandler | undefined): void {
    this.directInbox.setRequestHandler(handler)
  }

  /**
   * Reports a bad request from a peer (unsigned, wrong key, low PoW, malformed payload, over a
   * rate limit): it costs the peer's score what an invalid envelope does, so repeated bad
   * requests get it banned. A peer that is not connected is ignored.
   * @throws {TypeError} for a bad peer or an unknown reason
   */
  penalize(peer: string | PeerId, reason: 'bad-request'): void {
    const key = peerKeyOf(peer, 'peer')
    if (reason !== 'bad-request') throw new TypeError(`unknown reason ${String(reason)}`)
    this.router.penalisePeer(key, reason)
  }

  /**
   * Sends one encoded envelope to a ready peer as a p2p request (code 126), at once.
   * @throws {PeerNotFoundError} when the peer is not ready
   * @throws {PostRejectedError} `'too-large'` over the peer's max size, `'write-queue-full'` when
   * its write queue is full (or other direct frames still wait for it)
   * @throws {TypeError | RangeError} when `raw` is not an encoded envelope
   */
  sendP2PRequest(peer: string | PeerId, raw: Uint8Array): void {
    this.directSends.request(peer, raw)
  }

  /**
   * Sends encoded envelopes to a ready peer, each as its own p2p message (code 127, as geth's mail
   * server does), in order and after any direct frames already waiting for it, waiting for the
   * peer's stream to drain whenever its write queue is full. Resolves when the last is written.
   * Do not change the bytes before it settles.
   * @throws {PeerNotFoundError} (rejects) when the peer is or becomes not ready; the rest is unsent
   * @throws {PostRejectedError} `'too-large'` when any envelope is over the peer's max size
   * (checked before any is sent)
   * @throws {TypeError | RangeError} when an item is not an encoded envelope
   * @throws the signal's reason (rejects) on abort; what was written stays written
   */
  async sendP2PMessages(peer: string | PeerId, raws: readonly Uint8Array[], options: P2PSendOptions = {}): Promise<void> {
    await this.directSends.messages(peer, raws, options.signal)
  }

  /**
   * Sends "p2p request complete" (code 125, Waku's 8/WAKU-MAIL) to a ready peer: `body` is one
   * encoded RLP list of at most 4096 bytes, opaque to the node. Ordered and flow-controlled as
   * {@link sendP2PMessages}, so it arrives after the messages sent before it.
   * @throws {RangeError} when `body` is not one canonical RLP list of at most 4096 bytes
   * @throws {PeerNotFoundError} (rejects) when the peer is or becomes not ready
   * @throws {PostRejectedError} `'too-large'` when the peer's frame limit is below the frame
   * @throws the signal's reason (rejects) on abort
   */
  async sendP2PComplete(peer: string | PeerId, body: Uint8Array, options: P2PSendOptions = {}): Promise<void> {
    await this.directSends.complete(peer, body, options.signal)
  }

  // ---- filters ----------------------------------------------------------------------------

  /** Installs a polling filter (geth `newMessageFilter`); returns its id. */
  newMessageFilter(criteria: MessageCriteria): string {
    const id = this.filters.install(resolveCriteria(criteria, this.keys, this.settings.filterCapacity))
    this.bloom.update(false)
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
    this.bloom.update(false)
    return true
  }

  /**
   * The messages matching `criteria` among the envelopes the pool holds now (not yet expired),
   * in sent-time order (ties by hash, so every node lists the same pool the same way): what a
   * filter installed before they came would have got. Geth has no
   * such call; an app uses it to catch up, e.g. after a restart once peers have sent their pools.
   * @throws {TypeError | RangeError} for malformed criteria
   * @throws {KeyNotFoundError} for an unknown key id
   */
  pooledMessages(criteria: MessageCriteria): ReceivedMessage[] {
    const c = resolveCriteria(criteria, this.keys, this.settings.filterCapacity)
    try {
      const messages: ReceivedMessage[] = []
      const entries = this.pool.select({ ...(c.topics.length > 0 && { topics: c.topics }), now: Math.floor(this.settings.now() / 1000) })
      for (const entry of entries) {
        const envelope = entry.envelope
        if (envelope === undefined) continue
        const message = matchCriteria(envelope, c, { pow: entry.pow, hash: entry.hash, isP2P: false })
        if (message !== undefined) messages.push(message)
      }
      return messages.sort((x, y) => x.timestamp - y.timestamp || compareBytes(x.hash, y.hash))
    } finally {
      // The copies of the key material resolveCriteria made, as a removed filter's are.
      c.symKey?.fill(0)
      c.privateKey?.fill(0)
    }
  }

  /**
   * Messages matching `criteria` as an async iterable that ends when `options.signal` aborts
   * (or the node stops); the filter is removed when it ends, however it ends.
   * @example
   * ```ts
   * for await (const message of node.services.shh.subscribe({ symKeyID, topics: [topic] }, { signal })) { … }
   * ```
   */
  subscribe(criteria: MessageCriteria, options: AbortOptions = {}): AsyncIterable<ReceivedMessage> {
    const id = this.newMessageFilter(criteria)
    const queue = this.filters.queue(id) as AsyncQueue<ReceivedMessage>
    return readUntilAborted(queue, options.signal, () => {
      if (this.filters.uninstall(id)) this.bloom.update(false)
    })
  }

  /**
   * Every valid envelope on `topics`, once, whoever sent it, for layers that do their own crypto
   * (design.md §6); `isOwn` tells this node's own posts apart. With `includePooled`, the live
   * envelopes on those topics that the pool already holds come first. Ends when `options.signal`
   * aborts.
   */
  subscribeEnvelopes(topics: readonly Topic[], options: SubscribeEnvelopesOptions = {}): AsyncIterable<ReceivedEnvelope> {
    if (!Array.isArray(topics) || topics.length === 0) throw new TypeError('topics must be a non-empty array')
    for (const t of topics) if (!(t instanceof Uint8Array) || t.length !== 4) throw new TypeError('topics must hold 4-byte topics')
    const subscription = this.rawSubscriptions.add(topics, this.settings.filterCapacity)
    if (options.includePooled === true) {
      // Synchronous with the registration above: nothing arrives in between, so nothing twice.
      for (const entry of this.pool.select({ topics, now: Math.floor(this.settings.now() / 1000) })) {
        const envelope = entry.envelope
        if (envelope !== undefined) subscription.queue.push({ ...envelope, isOwn: entry.peer === undefined })
      }
    }
    this.bloom.update(false)
    return readUntilAborted(subscription.queue, options.signal, () => {
      if (subscription.remove()) this.bloom.update(false)
    })
  }

  // ---- posting ----------------------------------------------------------------------------

  /**
   * Encrypts, signs, seals and floods a message (geth `post`); returns the envelope hash.
   * @throws {KeyNotFoundError} for an unknown key id
   * @throws {PostRejectedError} when the node's own checks refuse the envelope, or `targetPeer`
   * cannot take it (`'too-large'` for its max size, `'write-queue-full'`)
   * @throws {PeerNotFoundError} when `targetPeer` is not a ready peer
   */
  async post(params: PostParams, options: PostOptions = {}): Promise<Uint8Array> {
    const { envelope, targetPow } = wrapPost(params, this.keys, this.minPow.current, Math.floor(this.settings.now() / 1000))
    const sealed = await this.seal(envelope, targetPow, params.powTime === undefined ? undefined : params.powTime * 1000, options)
    if (params.targetPeer !== undefined) return this.directSends.messageNow(params.targetPeer, sealed)
    return this.ingestOwn(sealed)
  }

  /**
   * How long this node expects to seal an envelope of `query.sizeBytes` bytes with TTL `query.ttl`
   * to `query.powTarget`: from its own nonce rate (measured at the first call, about 50 ms, and
   * again every ten minutes) on the cores it seals on. For a progress bar; one seal may take much
   * more or much less than the expectation.
   * @throws {TypeError | RangeError} for a malformed query
   */
  sealEstimate(query: SealQuery): SealEstimate {
    return this.sealEstimator.estimate(query, this.settings.now())
  }

  /**
   * Seals and floods an envelope whose `data` the caller already encrypted (design.md §6);
   * returns its hash. The PoW is max(our minimum, `options.powTarget`).
   * @throws {PostRejectedError} when the node's own checks refuse the envelope
   */
  async postEnvelope(post: RawPost, options: PostEnvelopeOptions = {}): Promise<Uint8Array> {
    const envelope = rawPostEnvelope(post, Math.floor(this.settings.now() / 1000))
    const sealed = await this.seal(envelope, Math.max(this.minPow.current, options.powTarget ?? 0), options.powTimeMs, options)
    return this.ingestOwn(sealed)
  }

  private async seal(envelope: Envelope, targetPow: number, workTimeMs: number | undefined, options: PostOptions): Promise<Envelope> {
    if (!this.started) throw new NotStartedError()
    const startMs = performance.now()
    const sealed = await this.sealer.seal(envelope, targetPow, { workTimeMs, signal: options.signal, onProgress: options.onProgress })
    // Only seals that finished: an aborted or out-of-time search says nothing of the seal time.
    this.counters.sealed((performance.now() - startMs) / 1000)
    return sealed
  }

  private ingestOwn(envelope: Envelope): Uint8Array {
    if (!this.started) throw new NotStartedError()
    const verdict = this.ingest(encodeEnvelope(envelope), undefined)
    if (verdict.status === 'dropped') throw new PostRejectedError(verdict.reason)
    if (verdict.status === 'added') this.router.forward(verdict, undefined)
    return verdict.hash
  }

  // ---- ingest -----------------------------------------------------------------------------

  /**
   * The one ingest path (design.md §4), for received and own envelopes alike: checks, pool and
   * counters (`ingestEnvelope`), then local delivery of what is new.
   */
  private ingest(raw: Uint8Array, from: Peer | undefined): Verdict {
    // One rules object, updated per envelope: the hot path allocates no settings object.
    const rules = this.rules
    rules.nowMs = this.settings.now()
    rules.peerOffsetSeconds = from?.clockOffsetSeconds ?? 0
    rules.isOwn = from === undefined
    const verdict = ingestEnvelope(raw, rules, this.pool, this.counters, from?.key)
    if (verdict.status === 'added') this.deliver(verdict, from)
    else if (verdict.status === 'dropped') this.safeDispatch('envelope:drop', { reason: verdict.reason, from: from?.id })
    return verdict
  }

  /**
   * Local delivery of a newly pooled envelope. `envelope` may be a view into a received frame:
   * filters keep only fresh plaintext, raw subscribers and event listeners get an envelope over a
   * copy of the bytes. One already delivered as a direct p2p message (history from a mail server)
   * is pooled and forwarded as usual, but not delivered to filters and subscriptions again.
   */
  private deliver(added: Added, from: Peer | undefined): void {
    const { envelope, raw, hash, pow } = added
    let bytes: Uint8Array | undefined
    let copy: Envelope | undefined
    const ownRaw = (): Uint8Array => (bytes ??= copyBytes(raw))
    const own = (): Envelope => (copy ??= decodeEnvelope(ownRaw(), { maxSizeBytes: MAX_ENVELOPE_SIZE_BYTES }))
    if (this.watchers.watches(envelope.topic) && !this.directInbox.wasDelivered(added.key, this.rules.nowMs)) {
      this.rawSubscriptions.deliver(envelope.topic, () => ({ ...own(), isOwn: from === undefined }))
      this.emitMessages(this.filters.match(envelope, { pow, hash, isP2P: false }))
    }
    if (this.listenerCount('envelope') > 0) this.safeDispatch('envelope', { envelope: own(), raw: ownRaw(), hash, pow, from: from?.id })
  }

  /** Local delivery of a direct p2p message from a trusted peer (see `DirectInbox.message`). */
  private deliverDirect(envelope: Envelope, hash: Uint8Array): void {
    if (!this.watchers.watches(envelope.topic)) return
    this.rawSubscriptions.deliver(envelope.topic, () => ({ ...envelope, isOwn: false }))
    this.emitMessages(this.filters.match(envelope, { pow: 0, hash, isP2P: true }))
  }

  private emitMessages(messages: ReceivedMessage[]): void {
    for (const message of messages) {
      this.counters.deliver()
      this.safeDispatch('message', message)
    }
  }

  private onDrop(reason: DropReason, from: PeerId): void {
    this.counters.drop(reason)
    this.safeDispatch('envelope:drop', { reason, from })
  }

  /** Dispatches an event if anyone listens (listeners are guarded: see addEventListener). */
  private safeDispatch<K extends keyof WhisperEvents>(type: K, detail: WhisperEvents[K]['detail']): void {
    if (this.listenerCount(type) > 0) this.safeDispatchEvent(type, { detail })
  }

  // ---- internals ----------------------------------------------------------------------------

  private prune(): void {
    const nowMs = this.settings.now()
    // The pool's prune forgets lapsed seen hashes too.
    this.pool.prune(Math.floor(nowMs / 1000))
    this.directInbox.prune(nowMs)
    this.router.prune(nowMs)
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
