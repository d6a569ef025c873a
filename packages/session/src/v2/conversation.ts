/**
 * One session v2 conversation (docs/SESSION.md §9–§11): the Double Ratchet records of both
 * directions over a transport, with `seq` numbers, acks, resends with backoff, gap skipping,
 * keepalives, the liveness timeout and an authenticated close. The decisions live in pure
 * modules (the ratchet, the frames, the send and receive queues) and each concern in its own part:
 * the send path ({@link RecordSender}), the receive path ({@link RecordReceiver}), the timers
 * ({@link ConversationTimeouts}), the subscriptions ({@link TopicSubscriptions}), the catch-up
 * ({@link CatchUp}) and the remote-close linger ({@link CloseLinger}). This class is the state
 * machine of §11.1 that wires them: it opens, closes, tears down, and makes its state durable
 * before anything derived from it leaves (§12.3).
 *
 * Every topic the peer can be posting on is subscribed before the peer can use it (§10.2): the
 * ratchet's current and next receiving chains and its superseded ones. A resend re-posts the
 * stored record bytes on the topic it was first posted on (§9.4).
 */
import { assertBytes } from '../assert.ts'
import { SessionClosedError } from '../errors.ts'
import { Emitter } from '../events.ts'
import type { AbortOptions } from '../transport.ts'
import { CatchUp } from './catch-up.ts'
import { CloseLinger } from './close-linger.ts'
import type { ConversationCloseReason, ConversationEvents, ConversationInit, ConversationState, ConversationStats, PendingJoin } from './conversation-api.ts'
import type { SessionCoreValue } from './core-value.ts'
import { MAX_MESSAGE_BYTES } from './frames.ts'
import { type ConversationPersistence, Journal } from './journal.ts'
import { type ExpiryLimits, type SealedRecord, expireRatchet, listeningTopics, wipeRatchet } from './ratchet.ts'
import type { RatchetState } from './ratchet-state.ts'
import { ConversationTimeouts } from './conversation-timeouts.ts'
import { RecordReceiver } from './record-receiver.ts'
import { RecordSender } from './record-sender.ts'
import { TopicSubscriptions } from './topic-subscriptions.ts'
import type { SessionV2Settings } from './settings.ts'


const RESOLVED: Promise<void> = Promise.resolve()

/** One two-party conversation of session v2. */
export class Conversation extends Emitter<ConversationEvents> {
  readonly role: 'joiner' | 'inviter'
  readonly peerStaticKey: Uint8Array
  readonly ownStaticKey: Uint8Array
  readonly stats: ConversationStats = { sent: 0, resent: 0, received: 0, duplicates: 0, rejected: {}, postErrors: 0 }
  private currentState: ConversationState
  private readonly init: ConversationInit
  private readonly settings: SessionV2Settings
  private readonly ratchet: RatchetState
  private readonly sender: RecordSender
  private readonly receiver: RecordReceiver
  /** The write-ahead journal (§12.3), when the conversation persists. */
  private readonly journal: Journal | undefined
  /** Set when `stop()` unloaded the conversation: what was not committed never leaves. */
  private unloaded = false
  private lastHeardMs = 0
  private readonly subscriptions: TopicSubscriptions
  private closeSeq = 0
  private readonly createdAtMs: number
  private readonly catchUpState: CatchUp
  private openedAtMs: number | undefined
  private pendingJoin: PendingJoin | undefined
  private closeAcked: (() => void) | undefined
  /** The close in progress, shared by every `close()` call. */
  private closing: Promise<void> | undefined
  private readonly timeouts: ConversationTimeouts
  /** After a remote close: the close record and our sealed ack, re-posted if the close comes again. */
  private linger: CloseLinger | undefined

  constructor(init: ConversationInit) {
    super()
    this.init = init
    this.settings = init.settings
    this.role = init.role
    this.ratchet = init.ratchet
    const persistence = init.persistence
    this.journal = persistence === undefined ? undefined : new Journal(persistence, () => (this.isClosed() ? undefined : this.coreValue(persistence)))
    this.peerStaticKey = init.peerStaticKey.slice()
    this.subscriptions = new TopicSubscriptions(init.transport, (topic, data) => this.receive(topic, data))
    this.ownStaticKey = init.ownStaticKey.slice()
    const core = init.restored?.core
    this.timeouts = new ConversationTimeouts(init.settings, init.now, {
      state: () => this.currentState,
      pendingJoin: () => this.pendingJoin,
      resendJoin: (join) => void this.sender.post({ record: join.msg1, topic: join.topic }, true),
      handshakeTimeout: () => this.teardown('handshake-timeout'),
      keepalive: () => this.sender.sendAck(),
      silent: () => {
        this.postLastClose()
        this.teardown('silent')
      },
      maintain: () => {
        if (this.isClosed()) return
        this.expire(this.init.now())
        this.persistSoon()
      },
    })
    this.sender = new RecordSender(
      { ...init, journal: this.journal, stats: this.stats, nextSeq: core?.nextSeq ?? 1, peerAckBase: core?.peerAckBase ?? 0, lastSentMs: core?.lastSentMs ?? 0 },
      {
        state: () => this.currentState,
        openedAtMs: () => this.openedAtMs,
        unloaded: () => this.unloaded,
        ack: () => this.receiver.queue.ack(),
        sealed: () => this.timeouts.armKeepalive(),
        settled: (seq, how) => {
          if (seq === this.closeSeq) this.closeAcked?.()
          else this.emitDurable(how, { seq })
        },
      }
    )
    this.receiver = new RecordReceiver(core?.recvBase ?? 0, init.settings.gapTimeoutMs, {
      state: () => this.currentState,
      message: (seq, payload) => this.emitDurable('message', { seq, payload }),
      gap: (range) => this.emitDurable('gap', range),
      remoteClose: () => this.remoteClose(),
      delivered: (whole) => {
        this.sender.scheduleAck()
        if (whole) this.catchUpState.caughtUpMs = this.init.now()
      },
    })
    const nowMs = init.now()
    if (core === undefined) {
      this.pendingJoin = init.pendingJoin
      this.createdAtMs = init.createdAtMs ?? nowMs
      this.currentState = init.pendingJoin === undefined ? 'open' : 'pending'
      if (this.currentState === 'open') this.openedAtMs = nowMs
    } else {
      const join = core.pendingJoin
      this.pendingJoin = join === undefined ? undefined : { msg1: join.msg1, topic: join.topic, deadlineMs: join.handshakeDeadlineMs }
      this.createdAtMs = core.createdAtMs
      this.openedAtMs = core.openedAtMs
      this.lastHeardMs = core.lastHeardMs
      this.closeSeq = core.closeSeq
      this.currentState = core.state === 'requested' ? 'open' : core.state
      this.receiver.restore(core.waiting)
      this.sender.restore(init.restored?.out ?? [], nowMs)
    }
    this.catchUpState = new CatchUp({
      transport: init.transport,
      now: init.now,
      ttlSeconds: init.settings.ttlSeconds,
      createdAtMs: this.createdAtMs,
      caughtUpMs: core?.caughtUpMs ?? this.createdAtMs,
      listening: () => listeningTopics(this.ratchet),
      isClosed: () => this.isClosed(),
    })
    this.syncTopics()
    this.timeouts.startMaintenance(this.expiryLimits())
    if (this.pendingJoin !== undefined) {
      // A restored join's message 1 is already durable: posting it again is a resend.
      void this.sender.post({ record: this.pendingJoin.msg1, topic: this.pendingJoin.topic }, core !== undefined)
      this.timeouts.armJoin()
    } else {
      this.timeouts.armLiveness()
      this.timeouts.armKeepalive()
    }
    if (core !== undefined) {
      this.sender.armResend()
      if (this.currentState === 'closing') this.closing = this.closeSeq > 0 ? this.finishClose() : this.runClose()
    } else this.persistSoon()
  }

  /**
   * Resolves once every change made so far is durable (immediately without persistence). The peer
   * uses it to order its own writes after the conversation's (§12.3).
   */
  persisted(): Promise<void> {
    return this.durable()
  }

  /** Lifecycle state. */
  get state(): ConversationState {
    return this.currentState
  }

  /** The topics listened on now (hex), for tests and tools. */
  get listening(): string[] {
    return this.subscriptions.topics
  }

  /**
   * Sends `payload` (at most 4051 bytes) as the next numbered message; resolves to its `seq` once
   * posted. While pending (the joiner before the inviter's first record) it is early data. At most
   * 256 messages are in flight (what one ack reports): beyond that the call waits, in call order,
   * until an ack makes room. A failed post is retried by the resend timer, not thrown.
   * @throws {SessionClosedError} when the conversation is closing or closed
   * @throws {RangeError} when `payload` is too large
   */
  async send(payload: Uint8Array, options: AbortOptions = {}): Promise<number> {
    assertBytes(payload, 'payload')
    if (payload.length > MAX_MESSAGE_BYTES) throw new RangeError(`payload must be at most ${MAX_MESSAGE_BYTES} bytes, got ${payload.length}`)
    if (this.currentState === 'closing' || this.currentState === 'closed') throw new SessionClosedError('the conversation is closing or closed')
    options.signal?.throwIfAborted()
    const seq = await this.sender.take(options)
    // The conversation may have ended while the number was granted (a close in the same record).
    if (this.isClosed()) throw new SessionClosedError('the conversation closed before the message went out')
    const sealed = this.sender.seal({ type: 'data', seq, ack: this.receiver.queue.ack(), payload })
    this.sender.track(seq, sealed)
    await this.sender.post(sealed, false)
    return seq
  }

  /**
   * Closes: a pending conversation posts one close record (not waited for) and ends at once; an
   * open one waits until every message is acknowledged or undelivered, sends a numbered close,
   * waits for its ack (or its delivery clock), then wipes every key and unsubscribes. When no
   * number can be had within the delivery timeout (256 given up and the peer silent), it ends
   * without a close record. Every call while closing shares the one close. On abort the
   * conversation is torn down at once and the call rejects with `signal.reason`.
   */
  close(options: AbortOptions = {}): Promise<void> {
    if (options.signal?.aborted === true) {
      this.teardown('local')
      return Promise.reject(options.signal.reason)
    }
    if (this.currentState === 'closed') return Promise.resolve()
    if (this.currentState === 'pending') {
      this.postLastClose()
      this.teardown('local')
      return Promise.resolve()
    }
    this.closing ??= this.runClose()
    const signal = options.signal
    if (signal === undefined) return this.closing
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.teardown('local')
        reject(signal.reason)
      }
      signal.addEventListener('abort', onAbort, { once: true })
      ;(this.closing as Promise<void>).then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
    })
  }

  /** The one close of an open conversation (see {@link close}). */
  private async runClose(): Promise<void> {
    this.currentState = 'closing'
    const acked = new Promise<void>((resolve) => {
      this.closeAcked = resolve
    })
    try {
      await this.sender.settled()
      if (this.isClosed()) return
      // A close from the peer meanwhile rejects the wait: then there is nothing left to send.
      const seq = await this.withinDeliveryTimeout(this.sender.take({})).catch(() => undefined)
      if (seq === undefined || this.isClosed()) return
      this.closeSeq = seq
      const sealed = this.sender.seal({ type: 'close', seq, ack: this.receiver.queue.ack() })
      this.sender.track(seq, sealed)
      await this.sender.post(sealed, false)
      await acked
    } finally {
      this.teardown('local')
    }
  }

  /** A close restored after a restart: its record is in the send queue; wait for its ack (or its clock). */
  private async finishClose(): Promise<void> {
    try {
      await new Promise<void>((resolve) => {
        this.closeAcked = resolve
      })
    } finally {
      this.teardown('local')
    }
  }

  /**
   * Resolves once the state behind what the caller does next (post a record, emit an event) is
   * durable: the journal's group commit of this turn (at once without persistence).
   */
  private durable(): Promise<void> {
    return this.journal === undefined ? RESOLVED : this.journal.durable()
  }

  /** Queues a commit of the changes made so far, for what follows nothing in particular. */
  private persistSoon(): void {
    this.durable().catch(() => {})
  }

  /** The core value of the conversation now (§12.2). */
  private coreValue(p: ConversationPersistence): SessionCoreValue {
    const join = this.pendingJoin
    return {
      role: this.role,
      state: this.currentState === 'pending' ? 'pending' : this.currentState === 'closing' ? 'closing' : 'open',
      peerStaticKey: this.peerStaticKey,
      ownStaticKey: this.ownStaticKey,
      identityKind: p.identityKind,
      ownStaticPrivateKey: undefined,
      ratchet: this.ratchet,
      nextSeq: this.sender.nextSeq,
      peerAckBase: this.sender.peerAckBase,
      recvBase: this.receiver.queue.base,
      closeSeq: this.closeSeq,
      createdAtMs: this.createdAtMs,
      openedAtMs: this.openedAtMs,
      lastHeardMs: this.lastHeardMs,
      lastSentMs: this.sender.lastSentMs,
      caughtUpMs: this.catchUpState.caughtUpMs,
      pendingJoin: join === undefined ? undefined : { msg1: join.msg1, topic: join.topic, handshakeDeadlineMs: join.deadlineMs, nextInitResendMs: this.init.now() },
      consumed: this.role === 'inviter' ? p.consumed : undefined,
      invitationHash: p.invitationHash,
      waiting: this.receiver.waiting(),
      verified: false,
    }
  }

  /** Emits an event once the state it reports is durable (at once without persistence). */
  private emitDurable<K extends keyof ConversationEvents & string>(type: K, detail: ConversationEvents[K]): void {
    if (this.journal === undefined) {
      this.emit(type, detail)
      return
    }
    this.durable().then(
      () => {
        if (!this.unloaded || type === 'close') this.emit(type, detail)
      },
      () => {}
    )
  }

  /** `promise`'s value, or `undefined` when it takes longer than the delivery timeout. */
  private withinDeliveryTimeout<T>(promise: Promise<T>): Promise<T | undefined> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), this.settings.deliveryTimeoutMs)
    })
    promise.catch(() => {})
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
  }

  /** Ends the conversation at once without a close record (the peer stops): every key wiped. */
  stop(): void {
    if (!this.isClosed()) this.unloaded = true
    this.teardown('stopped')
    this.endLinger()
  }

  /**
   * Posts a standalone ack now: the inviter's accept record (its first record, §6.3), and its
   * answer to a resent message 1 (§5.4).
   */
  sendAck(): void {
    this.sender.sendAck()
  }

  /**
   * Catches up after time offline (§10.4): asks the transport's `requestHistory` for what was sent
   * on every topic the conversation listens on since shortly before the last moment nothing was
   * missing, then again for the topics the fetched records added (new chains), up to 4 rounds.
   * What arrives takes the usual path. Resolves with the number of envelopes fetched; a second
   * call while one runs joins it.
   * @throws {TypeError} when the transport has no `requestHistory`
   * @throws {SessionClosedError} when the conversation is closed
   */
  catchUp(options: AbortOptions = {}): Promise<number> {
    return this.catchUpState.run(options)
  }

  /** Takes one envelope that arrived on `topic` (also what catch-up feeds in). Never throws. */
  receive(topic: Uint8Array, data: Uint8Array): void {
    this.catchUpState.handled++
    if (this.currentState === 'closed') {
      // A resent close during the linger gets the same ack again.
      const ack = this.linger?.answer(data)
      if (ack !== undefined) void this.sender.post(ack, true)
      return
    }
    const nowMs = this.init.now()
    const opened = this.receiver.open(this.ratchet, topic, data, nowMs, this.init.components)
    if (!opened.ok) {
      if (opened.reason === 'duplicate') {
        this.stats.duplicates++
        this.sender.scheduleAck()
      } else this.stats.rejected[opened.reason] = (this.stats.rejected[opened.reason] ?? 0) + 1
      return
    }
    const frame = opened.frame
    this.lastHeardMs = nowMs
    this.persistSoon()
    this.stats.received++
    this.timeouts.armLiveness()
    if (this.currentState === 'pending') this.becomeOpen(nowMs)
    if (this.isClosed()) return // an `open` listener may have ended the conversation
    this.sender.acknowledge(frame.ack)
    if (this.isClosed()) return
    if (frame.type !== 'ack') {
      if (frame.type === 'close') this.lastClose = { data: data.slice(), topic: topic.slice() }
      if (this.receiver.take(frame) === 'duplicate') this.stats.duplicates++
    }
    if (this.isClosed()) return
    this.expire(nowMs)
  }

  /** Whether the conversation has ended (a method: the state changes under awaits and callbacks). */
  private isClosed(): boolean {
    return this.currentState === 'closed'
  }

  /** The joiner's first record from the inviter: the handshake is over. */
  private becomeOpen(nowMs: number): void {
    this.currentState = 'open'
    this.openedAtMs = nowMs
    this.pendingJoin = undefined
    this.timeouts.stopJoin()
    this.timeouts.armKeepalive()
    this.sender.armResend() // early data's delivery clocks start now
    this.emitDurable('open', undefined)
  }

  /** Posts one close record, not tracked: the conversation ends right after it (pending, or silent peer). */
  private postLastClose(): void {
    void this.sender.post(this.sender.seal({ type: 'close', seq: this.sender.takeNow(), ack: this.receiver.queue.ack() }), false)
  }

  /** A close from the peer, in order: ack it at once, keep that ack for a resent close, end. */
  private remoteClose(): void {
    const ack = this.sender.seal({ type: 'ack', ack: this.receiver.queue.ack() })
    void this.sender.post(ack, false)
    this.teardown('remote', ack)
  }

  private expiryLimits(): ExpiryLimits {
    const s = this.settings
    return { skippedKeyMaxAgeMs: s.gapTimeoutMs + s.ttlSeconds * 1000, chainLingerMs: s.deliveryTimeoutMs + s.ttlSeconds * 1000 + 10_000 }
  }

  /** Drops skipped keys and old chains past their age, and the topics that went with them. */
  private expire(nowMs: number): void {
    expireRatchet(this.ratchet, nowMs, this.expiryLimits())
    this.syncTopics()
  }

  /** Subscribes every topic of the listening set that is not yet, and drops those that left it. */
  private syncTopics(): void {
    this.subscriptions.sync(listeningTopics(this.ratchet))
  }

  private teardown(reason: ConversationCloseReason, lingerAck?: SealedRecord): void {
    if (this.currentState === 'closed') return
    this.currentState = 'closed'
    this.timeouts.end()
    // A remote close lingers on the topic it came on, to answer a resent close with the same ack.
    let keep: string | undefined
    if (lingerAck !== undefined) keep = this.lingerOn(lingerAck)
    this.subscriptions.dropAllBut(keep === undefined ? undefined : new Set([keep]))
    wipeRatchet(this.ratchet)
    // A conversation that ended deletes its files; one that was stopped keeps its last commit (§11.2).
    if (reason !== 'stopped') this.journal?.remove()
    this.sender.end()
    this.receiver.end()
    this.closeAcked?.()
    this.emitDurable('close', { reason })
    if (keep === undefined) this.init.onClosed?.(this)
  }

  /** Starts the linger of a remote close (§11.4); returns the topic kept. */
  private lingerOn(ack: SealedRecord): string | undefined {
    if (this.lastClose === undefined) return undefined
    this.linger = new CloseLinger(this.lastClose, ack, this.settings, this.init.now, () => this.endLinger())
    return this.linger.topic
  }

  /** Ends a linger: the last topic is unsubscribed and the peer lets go of the conversation. */
  private endLinger(): void {
    if (this.linger === undefined) return
    this.linger.stop()
    this.linger = undefined
    this.subscriptions.dropAllBut()
    this.init.onClosed?.(this)
  }

  /** The close record the peer sent (its bytes and topic), kept for the linger. */
  private lastClose: { data: Uint8Array; topic: Uint8Array } | undefined
}
