/**
 * A session peer: one static identity with its contacts, listening on its discovery topic for
 * handshakes and opening sessions to others (design.md §7).
 */
import { type KeyPair, generateKeyPair, getPublicKey, isValidPublicKey } from '@hush/envelope'
import { bytesToHex } from '@noble/hashes/utils.js'
import { assertInt, wipe } from './assert.ts'
import { DEFAULT_MAX_REMEMBERED_HANDSHAKES } from './constants.ts'
import { HandshakeRejectedError, HandshakeTimeoutError, SessionClosedError } from './errors.ts'
import { Emitter, type TypedEventTarget } from './events.ts'
import { type IncomingHandshake, createHandshake, createReply, openHandshake, openReply } from './handshake.ts'
import type { SessionKeys } from './kdf.ts'
import { pump } from './pump.ts'
import { ReplayCache } from './replay-cache.ts'
import { SessionImpl } from './session.ts'
import type { Session } from './session-api.ts'
import { type SessionSettings, type SessionSettingsInit, resolveSettings } from './settings.ts'
import { discoveryTopic } from './topics.ts'
import type { TopicSchedule } from './topic-schedule.ts'
import type { HandshakeFrame } from './frames.ts'
import type { AbortOptions, SessionTransport } from './transport.ts'

/** Construction options of {@link createSessionPeer}. */
export interface SessionPeerInit extends SessionSettingsInit {
  /** The static secp256k1 private key (32 bytes): our identity. */
  privateKey: Uint8Array
  /** Public keys whose handshakes are accepted without asking. @default none */
  contacts?: Iterable<Uint8Array>
  /**
   * Bound of the handshake replay cache. When it is full of fresh handshakes, the earliest is
   * forgotten and every handshake made at or before it is refused from then on. @default 10000
   */
  maxRememberedHandshakes?: number
}

/** Collaborators of a peer. */
export interface SessionPeerComponents {
  /** Where envelopes go and come from: a `@hush/node` Whisper service or {@link createMemoryTransport}. */
  transport: SessionTransport
  /** Clock, unix milliseconds. @default Date.now */
  now?: () => number
  /** Source of ephemeral key pairs (tests inject it). @default generateKeyPair from @hush/envelope */
  generateKeyPair?: () => KeyPair
}

/** A handshake from a key not in our contacts, for the app to decide on. */
export interface SessionRequest {
  /** The initiator's static public key (its signature verified). */
  readonly publicKey: Uint8Array
  /** The proposed session id. */
  readonly sessionId: Uint8Array
  /**
   * Accepts: replies and returns the session.
   * @throws {SessionClosedError} when already decided or the peer stopped
   */
  accept(): Session
  /** Rejects: nothing is sent; later copies of this handshake are refused as replays. */
  reject(): void
}

/** Events of a {@link SessionPeer}. */
export interface SessionPeerEvents {
  /** A session we accepted as responder (from a contact, or an accepted request). */
  session: Session
  /** A handshake from an unknown key. */
  request: SessionRequest
  /** A handshake to us was refused (unsigned, misaddressed, stale, replayed…). */
  'handshake:rejected': HandshakeRejectedError
}

/** One identity's session endpoint. */
export interface SessionPeer extends TypedEventTarget<SessionPeerEvents> {
  /** Our static public key (65 bytes): what others pass to `connect`. */
  readonly publicKey: Uint8Array
  /** Starts listening on our discovery topic (idempotent). */
  start(): void
  /** Stops listening and ends every session without a close frame, overwriting keys (idempotent). */
  stop(): void
  /** Whether started. */
  isStarted(): boolean
  /** Adds a contact: its handshakes are accepted without a request. */
  addContact(publicKey: Uint8Array): void
  /** Removes a contact; returns whether it was one. */
  removeContact(publicKey: Uint8Array): boolean
  /** Whether `publicKey` is a contact. */
  hasContact(publicKey: Uint8Array): boolean
  /** Open sessions (not yet closed). */
  sessions(): Session[]
  /**
   * Opens a session to `publicKey`: posts the handshake (again every `resendIntervalMs`) and
   * resolves once the reply arrives.
   * @throws {HandshakeTimeoutError} when no reply arrives within `connectTimeoutMs`
   * @throws {SessionClosedError} when the peer is not started or stops meanwhile
   * @throws {RangeError} when `publicKey` is not a valid key or is our own
   */
  connect(publicKey: Uint8Array, options?: AbortOptions): Promise<Session>
}

interface Remembered {
  replyData: Uint8Array | undefined
  replyTopic: Uint8Array
  session: SessionImpl | undefined
}

class SessionPeerImpl extends Emitter<SessionPeerEvents> implements SessionPeer {
  readonly publicKey: Uint8Array
  private readonly identity: KeyPair
  private readonly settings: SessionSettings
  private readonly components: Required<SessionPeerComponents>
  private readonly contacts = new Set<string>()
  private readonly open = new Set<SessionImpl>()
  private readonly replays: ReplayCache<Remembered>
  private controller: AbortController | undefined

  constructor(init: SessionPeerInit, components: SessionPeerComponents) {
    super()
    if (typeof init !== 'object' || init === null) throw new TypeError('init must be an object')
    if (typeof components !== 'object' || components === null || typeof components.transport !== 'object') {
      throw new TypeError('components.transport must be a SessionTransport')
    }
    this.publicKey = getPublicKey(init.privateKey)
    this.identity = { privateKey: init.privateKey.slice(), publicKey: this.publicKey }
    this.settings = resolveSettings(init)
    this.components = { now: Date.now, generateKeyPair, ...components }
    const maxRemembered = init.maxRememberedHandshakes ?? DEFAULT_MAX_REMEMBERED_HANDSHAKES
    assertInt(maxRemembered, 'init.maxRememberedHandshakes', 1)
    // Whatever a previous run of this identity accepted was stamped before now: refuse all of it.
    this.replays = new ReplayCache(maxRemembered, this.components.now())
    for (const key of init.contacts ?? []) this.addContact(key)
  }

  start(): void {
    if (this.controller !== undefined) return
    this.controller = new AbortController()
    const topic = discoveryTopic(this.publicKey, this.settings.discoveryPartitions)
    const source = this.components.transport.subscribeEnvelopes([topic], { signal: this.controller.signal })
    void pump(source, (data) => this.onHandshake(data), () => {})
  }

  stop(): void {
    if (this.controller === undefined) return
    this.controller.abort(new SessionClosedError('peer stopped'))
    this.controller = undefined
    for (const session of [...this.open]) session.stop()
  }

  isStarted(): boolean {
    return this.controller !== undefined
  }

  addContact(publicKey: Uint8Array): void {
    if (!isValidPublicKey(publicKey)) throw new RangeError('publicKey must be an uncompressed secp256k1 public key')
    this.contacts.add(bytesToHex(publicKey))
  }

  removeContact(publicKey: Uint8Array): boolean {
    return publicKey instanceof Uint8Array && this.contacts.delete(bytesToHex(publicKey))
  }

  hasContact(publicKey: Uint8Array): boolean {
    return publicKey instanceof Uint8Array && this.contacts.has(bytesToHex(publicKey))
  }

  sessions(): Session[] {
    return [...this.open].filter((s) => s.state !== 'closed')
  }

  async connect(publicKey: Uint8Array, options: AbortOptions = {}): Promise<Session> {
    if (!isValidPublicKey(publicKey)) throw new RangeError('publicKey must be an uncompressed secp256k1 public key')
    if (bytesToHex(publicKey) === bytesToHex(this.publicKey)) throw new RangeError('publicKey must not be our own')
    options.signal?.throwIfAborted()
    const peerSignal = this.controller?.signal
    if (peerSignal === undefined) throw new SessionClosedError('peer is not started')
    const { transport, now } = this.components
    const ephemeral = this.components.generateKeyPair()
    const outgoing = createHandshake(this.identity.privateKey, publicKey, ephemeral, now(), this.settings.topicRotationMs)
    const controller = new AbortController()
    let session: SessionImpl | undefined
    let onKeys: (keys: SessionKeys) => void = () => {}
    const replied = new Promise<SessionKeys>((resolve) => (onKeys = resolve))
    // What the reply listener needs until the reply came: dropped (and wiped) right after, so
    // the listener, which lives as long as the session, holds no handshake secret.
    let awaiting: { outgoing: typeof outgoing; ephemeralPrivateKey: Uint8Array } | undefined = { outgoing, ephemeralPrivateKey: ephemeral.privateKey }
    const source = transport.subscribeEnvelopes([outgoing.frame.topicBA], { signal: controller.signal })
    void pump(
      source,
      (data) => {
        if (session !== undefined) return session.receive(data)
        if (awaiting === undefined) return // keys derived already (a repeated reply) or given up
        const keys = openReply(data, awaiting.outgoing, awaiting.ephemeralPrivateKey)
        if (keys === undefined) return
        awaiting = undefined
        onKeys(keys)
      },
      () => {}
    )
    const post = (): void => {
      void transport
        .postEnvelope(
          { topic: discoveryTopic(publicKey, this.settings.discoveryPartitions), data: outgoing.data, ttlSeconds: this.settings.ttlSeconds },
          this.postOptions(controller.signal)
        )
        .catch(() => {})
    }
    post()
    const resend = setInterval(post, this.settings.resendIntervalMs)
    const timeout = AbortSignal.timeout(this.settings.connectTimeoutMs)
    const signals = [timeout, peerSignal, ...(options.signal === undefined ? [] : [options.signal])]
    try {
      const keys = await abortable(replied, AbortSignal.any(signals))
      session = this.track(
        new SessionImpl({
          id: outgoing.frame.sessionId,
          peerPublicKey: publicKey.slice(),
          role: 'initiator',
          keys,
          schedule: this.schedule(outgoing.frame, keys),
          settings: this.settings,
          transport,
          now,
          receiveSubscription: controller,
          onClosed: (s) => this.open.delete(s),
        })
      )
      return session
    } catch (err) {
      controller.abort(err)
      if (timeout.aborted && options.signal?.aborted !== true) throw new HandshakeTimeoutError(undefined, { cause: err })
      throw err
    } finally {
      clearInterval(resend)
      awaiting = undefined
      wipe(ephemeral.privateKey, outgoing.frame.keyAB, outgoing.frame.keyBA, outgoing.frameBytes)
    }
  }

  private postOptions(signal: AbortSignal | undefined): { powTarget: number; powTimeMs?: number; signal?: AbortSignal } {
    const { powTarget, powTimeMs } = this.settings
    return { powTarget, ...(powTimeMs !== undefined && { powTimeMs }), ...(signal !== undefined && { signal }) }
  }

  private schedule(frame: HandshakeFrame, keys: SessionKeys): TopicSchedule {
    return {
      secret: keys.topicSecret,
      startMs: frame.createdAtMs,
      periodMs: frame.topicRotationMs, // the initiator's proposal, which the responder accepted
      initial: { ab: frame.topicAB.slice(), ba: frame.topicBA.slice() },
    }
  }

  private track(session: SessionImpl): SessionImpl {
    this.open.add(session)
    return session
  }

  private onHandshake(data: Uint8Array): void {
    const nowMs = this.components.now()
    let incoming: IncomingHandshake | undefined
    try {
      incoming = openHandshake(data, this.identity, nowMs, {
        maxAgeMs: this.settings.handshakeMaxAgeMs,
        futureAllowanceMs: this.settings.futureAllowanceMs,
        topicRotationMs: this.settings.topicRotationMs,
      })
    } catch (err) {
      if (err instanceof HandshakeRejectedError) return this.emit('handshake:rejected', err)
      throw err
    }
    if (incoming === undefined) return // another user's handshake on the shared topic
    const { frame } = incoming
    const check = this.replays.check(frame.sessionId, frame.createdAtMs, nowMs)
    if (check.status === 'before-horizon') {
      wipe(incoming.frameBytes, frame.keyAB, frame.keyBA)
      return this.emit('handshake:rejected', new HandshakeRejectedError('handshake predates the replay horizon (made before our start, or the cache overflowed)'))
    }
    if (check.status === 'seen') {
      wipe(incoming.frameBytes, frame.keyAB, frame.keyBA) // a copy of one already handled
      const { replyData, session, replyTopic } = check.entry.value
      // A lost reply makes the initiator repeat its handshake: repeat the same reply bytes.
      if (replyData !== undefined && session?.state === 'open') return this.postReply(replyTopic, replyData, session)
      if (replyData === undefined && session === undefined) return // still waiting for the app's decision
      return this.emit('handshake:rejected', new HandshakeRejectedError('handshake replayed'))
    }
    const remembered: Remembered = { replyData: undefined, replyTopic: frame.topicBA, session: undefined }
    const expiresAtMs = frame.createdAtMs + this.settings.handshakeMaxAgeMs + this.settings.futureAllowanceMs
    this.replays.add(frame.sessionId, frame.createdAtMs, expiresAtMs, remembered)
    if (this.hasContact(incoming.initiatorKey)) {
      this.emit('session', this.accept(incoming, remembered))
      return
    }
    let decided = false
    const decide = (): void => {
      if (decided || !this.isStarted()) throw new SessionClosedError('request already decided or peer stopped')
      decided = true
    }
    this.emit('request', {
      publicKey: incoming.initiatorKey,
      sessionId: frame.sessionId.slice(),
      accept: () => {
        decide()
        return this.accept(incoming, remembered)
      },
      reject: () => {
        decide()
        remembered.replyData = new Uint8Array(0) // marks the id as decided: later copies are replays
        wipe(incoming.frameBytes, frame.keyAB, frame.keyBA)
      },
    })
  }

  private accept(incoming: IncomingHandshake, remembered: Remembered): SessionImpl {
    const { frame } = incoming
    const ephemeral = this.components.generateKeyPair()
    const reply = createReply(incoming, ephemeral)
    wipe(ephemeral.privateKey, frame.keyAB, frame.keyBA, incoming.frameBytes)
    const controller = new AbortController()
    const session = this.track(
      new SessionImpl({
        id: frame.sessionId,
        peerPublicKey: incoming.initiatorKey,
        role: 'responder',
        keys: reply.keys,
        schedule: this.schedule(frame, reply.keys),
        settings: this.settings,
        transport: this.components.transport,
        now: this.components.now,
        receiveSubscription: controller,
        onClosed: (s) => this.open.delete(s),
      })
    )
    remembered.replyData = reply.data
    remembered.session = session
    const source = this.components.transport.subscribeEnvelopes([frame.topicAB], { signal: controller.signal })
    void pump(source, (data) => session.receive(data), () => {})
    this.postReply(frame.topicBA, reply.data, session)
    return session
  }

  private postReply(topic: Uint8Array, data: Uint8Array, session: SessionImpl): void {
    void this.components.transport
      .postEnvelope({ topic, data, ttlSeconds: this.settings.ttlSeconds }, this.postOptions(this.controller?.signal))
      .catch(() => session.stats.postErrors++)
  }
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason)
    const onAbort = (): void => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(err)
      }
    )
  })
}

/**
 * Creates a session peer for one identity. Call `start()` to answer handshakes.
 * @throws {TypeError | RangeError} when `init.privateKey`, a contact or a setting is invalid
 * @example
 * ```ts
 * const bob = createSessionPeer({ privateKey: bobKey, contacts: [alicePublicKey] }, { transport })
 * bob.addEventListener('session', ({ detail: session }) => {
 *   session.addEventListener('message', ({ detail }) => console.log(detail.payload))
 * })
 * bob.start()
 * ```
 */
export function createSessionPeer(init: SessionPeerInit, components: SessionPeerComponents): SessionPeer {
  return new SessionPeerImpl(init, components)
}
