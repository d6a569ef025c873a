/**
 * One established session (design.md §7): numbered, ratcheted, unsigned records per direction;
 * ordering, duplicate suppression and gap detection on receipt; acks piggybacked on data or
 * sent alone after a short delay; resends until acked or the delivery deadline; an
 * authenticated close. The I/O is the transport; the decisions live in the windows and the
 * ratchet (pure, tested on their own).
 */
import { assertBytes, wipe } from './assert.ts'
import { CATCH_UP_SKEW_MS, CATCH_UP_TOPICS, MAX_MESSAGE_BYTES } from './constants.ts'
import { InvalidFrameError, RecordRejectedError, SessionClosedError } from './errors.ts'
import { Emitter } from './events.ts'
import { type Ack, type Frame, encodeFrame } from './frames.ts'
import type { DirectionKeys, SessionKeys } from './kdf.ts'
import { ReceivingChain, SendingChain } from './ratchet.ts'
import { ReceiveWindow } from './receive-window.ts'
import { openRecordFrame, openRecordNumber, sealRecord } from './record.ts'
import { SendWindow } from './send-window.ts'
import type { SessionSettings } from './settings.ts'
import { type Direction, type TopicSchedule, epochAt, msToNextEpoch, receiveTopics, topicAt, topicsSince } from './topic-schedule.ts'
import type { AbortOptions, SessionTransport } from './transport.ts'
import type { Session, SessionCloseReason, SessionEvents, SessionState, SessionStats } from './session-api.ts'
import { pump } from './pump.ts'
import { bytesToHex } from '@noble/hashes/utils.js'

/** What {@link SessionImpl} is built from. */
export interface SessionImplInit {
  readonly id: Uint8Array
  readonly peerPublicKey: Uint8Array
  readonly role: 'initiator' | 'responder'
  readonly keys: SessionKeys
  /** The partial-topic schedule (its secret is taken over and wiped at the end). */
  readonly schedule: TopicSchedule
  readonly settings: SessionSettings
  readonly transport: SessionTransport
  readonly now: () => number
  /**
   * Controls the caller's subscription on the epoch-0 receive topic, which already feeds
   * {@link SessionImpl.receive}; the session aborts it when that topic leaves the window.
   */
  readonly receiveSubscription: AbortController
  /** Called once when the session has let go of everything (after the linger of a remote close). */
  readonly onClosed?: (session: SessionImpl) => void
}

type NumberedFrame = Extract<Frame, { type: 'data' | 'close' }>

/**
 * A sealed record and the topic it was first posted on: a resend repeats both, never the same
 * bytes on a later epoch's topic (that would link the two topics for any observer).
 */
interface SentRecord {
  readonly data: Uint8Array
  readonly topic: Uint8Array
}

/** The session implementation (not exported from the package: use the {@link Session} type). */
export class SessionImpl extends Emitter<SessionEvents> implements Session {
  readonly id: Uint8Array
  readonly peerPublicKey: Uint8Array
  readonly role: 'initiator' | 'responder'
  readonly stats: SessionStats = { sent: 0, resent: 0, received: 0, duplicates: 0, rejected: 0, postErrors: 0 }
  private currentState: SessionState = 'open'
  private readonly tx: DirectionKeys
  private readonly rx: DirectionKeys
  private readonly txChain: SendingChain
  private readonly rxChain: ReceivingChain
  private readonly sendWindow = new SendWindow<SentRecord>()
  private readonly receiveWindow: ReceiveWindow<NumberedFrame>
  private readonly init: SessionImplInit
  private ackTimer: ReturnType<typeof setTimeout> | undefined
  private gapTimer: ReturnType<typeof setTimeout> | undefined
  private resendTimer: ReturnType<typeof setInterval> | undefined
  private closeNumber = 0
  /** After a remote close: the close's number and our sealed ack, repeated if the close is resent. */
  private linger: { closeNumber: number; ackRecord: SentRecord | undefined } | undefined
  private lingerTimer: ReturnType<typeof setTimeout> | undefined
  private epochTimer: ReturnType<typeof setTimeout> | undefined
  private readonly controller = new AbortController()
  private readonly subscriptions = new Map<string, AbortController>()
  private readonly txDirection: Direction
  private readonly rxDirection: Direction
  private settledWaiters: (() => void)[] = []
  /** Sends waiting for room in the send window, first come first served. */
  private slotWaiters: (() => void)[] = []
  /** Slots handed to sends that have not taken their number yet. */
  private reservedSlots = 0
  /**
   * Unix ms up to which nothing from the peer can be missing: moved when the receive window is
   * whole (nothing waiting behind a missing number) after a delivery, and after a catch-up that
   * succeeded; never by acks, and not while a catch-up runs. A catch-up starts TTL + skew before it.
   */
  private caughtUpMs: number
  /** Records opened so far, to see when a catch-up's deliveries have settled. */
  private opened = 0
  /** The catch-up running, if any (a second call joins it). */
  private catchingUp: Promise<number> | undefined

  constructor(init: SessionImplInit) {
    super()
    this.init = init
    this.id = init.id
    this.peerPublicKey = init.peerPublicKey
    this.role = init.role
    this.tx = init.role === 'initiator' ? init.keys.ab : init.keys.ba
    this.rx = init.role === 'initiator' ? init.keys.ba : init.keys.ab
    this.txChain = new SendingChain(this.tx.chainKey)
    this.rxChain = new ReceivingChain(this.rx.chainKey, { maxGap: init.settings.maxGap, maxSkipped: init.settings.maxSkippedKeys })
    this.receiveWindow = new ReceiveWindow(init.settings.maxGap)
    wipe(this.tx.chainKey, this.rx.chainKey)
    this.txDirection = init.role === 'initiator' ? 'ab' : 'ba'
    this.rxDirection = init.role === 'initiator' ? 'ba' : 'ab'
    this.subscriptions.set(bytesToHex(topicAt(init.schedule, this.rxDirection, 0)), init.receiveSubscription)
    this.caughtUpMs = init.now()
    this.refreshSubscriptions()
  }

  /** Listens on the receive topics of the current epoch window, drops the rest, and re-arms at the next epoch. */
  private refreshSubscriptions(): void {
    const { schedule, transport, now } = this.init
    const nowMs = now()
    const wanted = new Map(receiveTopics(schedule, this.rxDirection, nowMs).map((t) => [bytesToHex(t), t]))
    for (const [key, controller] of this.subscriptions) {
      if (wanted.has(key)) continue
      controller.abort(new SessionClosedError('topic rotated out'))
      this.subscriptions.delete(key)
    }
    for (const [key, topic] of wanted) {
      if (this.subscriptions.has(key)) continue
      const controller = new AbortController()
      this.subscriptions.set(key, controller)
      void pump(transport.subscribeEnvelopes([topic], { signal: controller.signal }), (data) => this.receive(data), () => {})
    }
    const waitMs = msToNextEpoch(schedule, nowMs)
    if (Number.isFinite(waitMs)) this.epochTimer = setTimeout(() => this.refreshSubscriptions(), waitMs + 1)
  }

  get state(): SessionState {
    return this.currentState
  }

  async send(payload: Uint8Array, options: AbortOptions = {}): Promise<number> {
    assertBytes(payload, 'payload')
    if (payload.length > MAX_MESSAGE_BYTES) throw new RangeError(`payload must be at most ${MAX_MESSAGE_BYTES} bytes, got ${payload.length}`)
    options.signal?.throwIfAborted()
    if (this.currentState !== 'open') throw new SessionClosedError()
    return this.sendNumbered((number, ack) => ({ type: 'data', number, ack, payload }), options)
  }

  async close(options: AbortOptions = {}): Promise<void> {
    if (this.currentState === 'closed') return
    options.signal?.throwIfAborted()
    const wasOpen = this.currentState === 'open'
    this.currentState = 'closing'
    try {
      await this.settled(options)
      if (wasOpen && !this.isClosed()) {
        this.closeNumber = await this.sendNumbered((number, ack) => ({ type: 'close', number, ack }), options)
        await this.settled(options)
      }
      else if (!wasOpen) await this.whenClosed(options)
    } catch (err) {
      this.teardown('local')
      throw err
    }
    this.teardown('local')
  }

  /**
   * Handles one envelope's data from the receive topic. Never throws: anything that does not
   * open is counted in `stats.rejected` and leaves the state untouched.
   */
  receive(data: Uint8Array): void {
    if (this.currentState === 'closed') return this.receiveLingering(data)
    try {
      this.receiveRecord(data)
    } catch (err) {
      if (err instanceof RecordRejectedError || err instanceof InvalidFrameError) this.stats.rejected++
      else throw err
    }
  }

  /** Ends the session without a close frame (the peer is stopping). */
  stop(): void {
    this.teardown('stopped')
    this.endLinger()
  }

  /**
   * TIME_WAIT: our ack of the peer's close may be lost, and the peer then resends the close. For
   * a bounded time after a remote close we keep only the receive header key and the sealed ack,
   * and repeat the ack for a repeated close; everything else is already wiped.
   */
  private receiveLingering(data: Uint8Array): void {
    const linger = this.linger
    if (linger?.ackRecord === undefined) return
    try {
      if (openRecordNumber(data, this.rx.headerKey) !== linger.closeNumber) return
    } catch {
      return
    }
    this.stats.resent++
    void this.post(linger.ackRecord, {}, true)
  }

  private endLinger(): void {
    clearTimeout(this.lingerTimer)
    this.lingerTimer = undefined
    this.linger = undefined
    wipe(this.rx.headerKey, this.init.schedule.secret)
    clearTimeout(this.epochTimer)
    this.epochTimer = undefined
    if (this.controller.signal.aborted) return
    const reason = new SessionClosedError()
    this.controller.abort(reason)
    for (const controller of this.subscriptions.values()) controller.abort(reason)
    this.subscriptions.clear()
    this.init.onClosed?.(this)
  }

  private receiveRecord(data: Uint8Array): void {
    const number = openRecordNumber(data, this.rx.headerKey)
    if (number === 0) {
      const frame = openRecordFrame(data, this.rx.controlKey)
      if (frame.type !== 'ack') throw new InvalidFrameError(`control record carries a ${frame.type} frame`)
      this.stats.received++
      this.opened++
      this.handleAck(frame.ack)
      return
    }
    // The chain's own bound is relative to the highest number opened, which far-ahead records
    // move; the window's is relative to the last delivered one, which only the peer's real
    // progress moves: without it, a stream of numbers each within reach of the last fills the buffer.
    if (!this.receiveWindow.has(number) && !this.receiveWindow.inReach(number)) {
      throw new RecordRejectedError(`message ${number} is more than maxGap beyond the last delivered`)
    }
    const candidate = this.rxChain.peek(number)
    if (candidate === undefined) {
      if (this.receiveWindow.has(number)) {
        this.stats.duplicates++
        this.scheduleAck() // our ack may have been lost
        return
      }
      throw new RecordRejectedError(`message ${number} is out of reach`)
    }
    let frame: Frame
    try {
      frame = openRecordFrame(data, candidate.messageKey)
      if ((frame.type !== 'data' && frame.type !== 'close') || frame.number !== number) {
        throw new InvalidFrameError('record number and frame disagree')
      }
      candidate.commit()
    } finally {
      wipe(candidate.messageKey)
      candidate.discard() // after a commit: nothing left to overwrite
    }
    this.stats.received++
    this.opened++
    this.handleAck(frame.ack)
    if (this.isClosed()) return
    if (this.receiveWindow.accept(number, frame) === 'duplicate') {
      this.stats.duplicates++
    }
    this.deliverReady()
    if (!this.isClosed()) this.scheduleAck()
  }

  catchUp(options: AbortOptions = {}): Promise<number> {
    const request = this.init.transport.requestHistory
    if (typeof request !== 'function') return Promise.reject(new TypeError('the transport has no requestHistory: it cannot fetch history'))
    if (options.signal?.aborted === true) return Promise.reject(options.signal.reason)
    if (this.currentState === 'closed') return Promise.reject(new SessionClosedError())
    if (this.catchingUp === undefined) {
      const running = this.runCatchUp(request, options)
      this.catchingUp = running
      const done = (): void => {
        if (this.catchingUp === running) this.catchingUp = undefined
      }
      running.then(done, done)
    }
    return this.catchingUp
  }

  private async runCatchUp(request: NonNullable<SessionTransport['requestHistory']>, options: AbortOptions): Promise<number> {
    const { schedule, settings, now } = this.init
    const nowMs = now()
    const fromMs = Math.max(schedule.startMs - CATCH_UP_SKEW_MS, this.caughtUpMs - settings.ttlSeconds * 1000 - CATCH_UP_SKEW_MS)
    const all = topicsSince(schedule, this.rxDirection, fromMs, nowMs)
    const range = { from: Math.max(0, Math.floor(fromMs / 1000)), to: Math.ceil(nowMs / 1000) + CATCH_UP_SKEW_MS / 1000 }
    let fetched = 0
    for (let start = 0; start < all.length; start += CATCH_UP_TOPICS) {
      if (this.isClosed()) throw new SessionClosedError()
      const topics = all.slice(start, start + CATCH_UP_TOPICS)
      // Listen on the topics the current window does not (older epochs) while their history arrives.
      const extra: AbortController[] = []
      try {
        for (const topic of topics) {
          if (this.subscriptions.has(bytesToHex(topic))) continue
          const controller = new AbortController()
          extra.push(controller)
          void pump(this.init.transport.subscribeEnvelopes([topic], { signal: controller.signal }), (data) => this.receive(data), () => {})
        }
        fetched += await request.call(this.init.transport, { topics, ...range }, options)
        await this.settle()
      } finally {
        for (const controller of extra) controller.abort(new SessionClosedError('catch-up done'))
      }
    }
    // Everything sent before this catch-up began has been asked for.
    this.caughtUpMs = Math.max(this.caughtUpMs, nowMs)
    return fetched
  }

  /** Waits until no record has opened for a few event-loop turns (the fetched ones are handled). */
  private async settle(): Promise<void> {
    for (let quiet = 0, seen = this.opened, rounds = 0; quiet < 3 && rounds < 200; rounds++) {
      await new Promise((resolve) => setTimeout(resolve, 5))
      quiet = this.opened === seen ? quiet + 1 : 0
      seen = this.opened
    }
  }

  /** Whether the session is closed (a method, so narrowing does not hide changes made by callbacks). */
  private isClosed(): boolean {
    return this.currentState === 'closed'
  }

  private deliverReady(): void {
    for (const { number, item } of this.receiveWindow.drain()) {
      if (item.type === 'data') this.emit('message', { number, payload: item.payload })
      else {
        this.linger = { closeNumber: number, ackRecord: this.sendAckNow() }
        this.teardown('remote')
        return
      }
      if (this.currentState === 'closed') return
    }
    if (this.receiveWindow.waitingCount === 0 && this.catchingUp === undefined) this.caughtUpMs = Math.max(this.caughtUpMs, this.init.now())
    this.armGapTimer()
  }

  private armGapTimer(): void {
    if (this.receiveWindow.waitingCount === 0) {
      clearTimeout(this.gapTimer)
      this.gapTimer = undefined
      return
    }
    if (this.gapTimer !== undefined) return
    const base = this.receiveWindow.base
    this.gapTimer = setTimeout(() => {
      this.gapTimer = undefined
      if (this.currentState === 'closed') return
      if (this.receiveWindow.base !== base) return this.armGapTimer() // progress since: wait afresh
      if (this.catchingUp !== undefined) return this.armGapTimer() // history may still fill the gap
      const gap = this.receiveWindow.skipGap()
      if (gap === undefined) return
      for (let n = gap.from; n <= gap.to; n++) this.rxChain.forget(n)
      this.emit('gap', gap)
      this.deliverReady()
      if (!this.isClosed()) this.scheduleAck()
    }, this.init.settings.gapTimeoutMs)
  }

  private handleAck(ack: Ack): void {
    for (const number of this.sendWindow.acknowledge(ack)) {
      if (number !== this.closeNumber) this.emit('receipt', { number })
    }
    this.releaseSlots()
    this.checkSettled()
  }

  /** Whether one more number fits in flight after those already handed out. */
  private hasSlot(): boolean {
    const next = this.txChain.peekNumber
    return this.sendWindow.canSend(next + this.reservedSlots, next)
  }

  /**
   * Reserves room in the send window (at most what one ack covers is in flight), in call
   * order: undefined when there is room now, else a promise that resolves once there is (or the
   * session closed; the caller checks) and rejects on abort.
   */
  private acquireSlot(options: AbortOptions): Promise<void> | undefined {
    if (this.slotWaiters.length === 0 && this.hasSlot()) {
      this.reservedSlots++
      return undefined // synchronously: the record goes out in this same turn
    }
    return this.waitForSlot(options)
  }

  private waitForSlot(options: AbortOptions): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const signal = options.signal
      const waiter = (): void => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }
      const onAbort = (): void => {
        this.slotWaiters = this.slotWaiters.filter((w) => w !== waiter)
        reject(signal?.reason)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.slotWaiters.push(waiter)
    })
  }

  /** Hands freed room in the send window to waiting sends, in order (all of them on close). */
  private releaseSlots(): void {
    while (this.slotWaiters.length > 0 && (this.isClosed() || this.hasSlot())) {
      this.reservedSlots++ // taken back by sendNumbered, which then sees the close
      this.slotWaiters.shift()?.()
    }
  }

  private async sendNumbered(build: (number: number, ack: Ack) => Frame, options: AbortOptions): Promise<number> {
    const waiting = this.acquireSlot(options)
    if (waiting !== undefined) await waiting
    this.reservedSlots--
    if (this.isClosed()) throw new SessionClosedError()
    const { number, messageKey } = this.txChain.next()
    const frame = encodeFrame(build(number, this.receiveWindow.ack()))
    const nowMs = this.init.now()
    const record: SentRecord = { data: sealRecord(number, this.tx.headerKey, messageKey, frame), topic: this.currentTopic(nowMs) }
    wipe(messageKey, frame)
    clearTimeout(this.ackTimer) // the ack rides on this record
    this.ackTimer = undefined
    this.sendWindow.add(number, record, nowMs, nowMs + this.init.settings.deliveryTimeoutMs)
    this.armResendTimer()
    this.stats.sent++
    await this.post(record, options)
    return number
  }

  private scheduleAck(): void {
    if (this.ackTimer !== undefined) return
    this.ackTimer = setTimeout(() => {
      this.ackTimer = undefined
      this.sendAckNow()
    }, this.init.settings.ackDelayMs)
  }

  private sendAckNow(): SentRecord | undefined {
    clearTimeout(this.ackTimer)
    this.ackTimer = undefined
    if (this.currentState === 'closed') return undefined
    const frame = encodeFrame({ type: 'ack', ack: this.receiveWindow.ack() })
    const record: SentRecord = { data: sealRecord(0, this.tx.headerKey, this.tx.controlKey, frame), topic: this.currentTopic(this.init.now()) }
    this.stats.sent++
    void this.post(record)
    return record
  }

  private armResendTimer(): void {
    if (this.resendTimer !== undefined) return
    const tickMs = Math.max(1, Math.floor(Math.min(this.init.settings.resendIntervalMs, this.init.settings.deliveryTimeoutMs) / 2))
    this.resendTimer = setInterval(() => this.resendDue(), tickMs)
  }

  private resendDue(): void {
    const { resend, expired } = this.sendWindow.due(this.init.now(), this.init.settings.resendIntervalMs)
    for (const { record } of resend) {
      this.stats.resent++
      void this.post(record)
    }
    for (const number of expired) {
      if (number !== this.closeNumber) this.emit('undelivered', { number })
    }
    this.releaseSlots()
    this.checkSettled()
  }

  private checkSettled(): void {
    if (this.sendWindow.size > 0) return
    clearInterval(this.resendTimer)
    this.resendTimer = undefined
    const waiters = this.settledWaiters
    this.settledWaiters = []
    for (const w of waiters) w()
  }

  /** Resolves when nothing awaits an ack (or the session closes); rejects on abort. */
  private settled(options: AbortOptions): Promise<void> {
    if (this.sendWindow.size === 0 || this.currentState === 'closed') return Promise.resolve()
    return this.waitFor(options)
  }

  private whenClosed(options: AbortOptions): Promise<void> {
    return this.currentState === 'closed' ? Promise.resolve() : this.waitFor(options)
  }

  private waitFor(options: AbortOptions): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const signal = options.signal
      const onAbort = (): void => reject(signal?.reason)
      signal?.addEventListener('abort', onAbort, { once: true })
      this.settledWaiters.push(() => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      })
    })
  }

  /** The send topic of the epoch at `nowMs`: where a record is posted the first time. */
  private currentTopic(nowMs: number): Uint8Array {
    return topicAt(this.init.schedule, this.txDirection, epochAt(this.init.schedule, nowMs))
  }

  /** Posts a record on the topic it was first sent on (resends included). */
  private async post(record: SentRecord, options: AbortOptions = {}, lingering = false): Promise<void> {
    if (this.currentState === 'closed' && !lingering) return
    const { settings } = this.init
    const signal = options.signal === undefined ? this.controller.signal : AbortSignal.any([this.controller.signal, options.signal])
    try {
      await this.init.transport.postEnvelope(
        { topic: record.topic, data: record.data, ttlSeconds: settings.ttlSeconds },
        { powTarget: settings.powTarget, ...(settings.powTimeMs !== undefined && { powTimeMs: settings.powTimeMs }), signal }
      )
    } catch (err) {
      if (options.signal?.aborted === true) throw options.signal.reason
      this.stats.postErrors++
    }
  }

  private teardown(reason: SessionCloseReason): void {
    if (this.isClosed()) return
    this.currentState = 'closed'
    clearTimeout(this.ackTimer)
    clearTimeout(this.gapTimer)
    clearInterval(this.resendTimer)
    this.ackTimer = this.gapTimer = this.resendTimer = undefined
    const unsent = this.sendWindow.clear()
    this.txChain.wipe()
    this.rxChain.wipe()
    wipe(this.tx.headerKey, this.tx.controlKey, this.rx.controlKey)
    if (this.linger === undefined) this.endLinger()
    else {
      const { resendIntervalMs, deliveryTimeoutMs } = this.init.settings
      this.lingerTimer = setTimeout(() => this.endLinger(), Math.min(4 * resendIntervalMs, deliveryTimeoutMs))
    }
    for (const number of unsent) {
      if (number !== this.closeNumber) this.emit('undelivered', { number })
    }
    const waiters = this.settledWaiters
    this.settledWaiters = []
    for (const w of waiters) w()
    this.releaseSlots()
    this.emit('close', { reason })
  }
}
