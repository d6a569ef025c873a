/**
 * The send path of a session v2 conversation (docs/SESSION.md §9.1, §9.3, §9.4, §12.3): seals our
 * frames as records, hands out `seq` numbers within the in-flight cap (waiters in call order),
 * posts each record once the state that sealed it is durable, re-posts it on its first topic with
 * backoff, gives it up when its delivery clock runs out, and sends standalone acks after
 * `ackDelayMs`. The decisions are the send queue's; this holds its timers and waiters.
 */
import { wipe } from '../assert.ts'
import { SessionClosedError } from '../errors.ts'
import type { AbortOptions, SessionTransport } from '../transport.ts'
import type { ConversationState, ConversationStats } from './conversation-api.ts'
import { type Ack, type RecordFrame, encodeFrame } from './frames.ts'
import type { Journal } from './journal.ts'
import { replayOutLog } from './out-entry.ts'
import { type RatchetComponents, type SealedRecord, sealRecord } from './ratchet.ts'
import type { RatchetState } from './ratchet-state.ts'
import { type ResendTiming, SendQueue } from './send-queue.ts'
import type { SessionV2Settings } from './settings.ts'

/** What the send path is made from: the conversation's parts it shares. */
export interface RecordSenderInit {
  readonly ratchet: RatchetState
  readonly settings: SessionV2Settings
  readonly transport: SessionTransport
  readonly now: () => number
  readonly components: RatchetComponents
  readonly stats: ConversationStats
  /** The write-ahead journal (§12.3), when the conversation persists. */
  readonly journal: Journal | undefined
  /** The next `seq` to hand out, and the peer's highest ack base (restored after a restart). */
  readonly nextSeq: number
  readonly peerAckBase: number
  readonly lastSentMs: number
}

/** What the send path asks of its conversation. */
export interface RecordSenderHost {
  state(): ConversationState
  /** When the conversation opened (the delivery clocks of early data start there). */
  openedAtMs(): number | undefined
  /** Set when `stop()` unloaded the conversation: what was not committed never leaves. */
  unloaded(): boolean
  /** The ack of our receive queue now. */
  ack(): Ack
  /** A record was sealed (it carries the ack, so the keepalive starts over). */
  sealed(): void
  /** `seq` left the send queue: acknowledged by the peer, or given up. */
  settled(seq: number, how: 'receipt' | 'undelivered'): void
}

/** One conversation's sending side. */
export class RecordSender {
  private readonly init: RecordSenderInit
  private readonly host: RecordSenderHost
  private readonly queue: SendQueue<SealedRecord>
  private seq: number
  private sentMs: number
  private slotWaiters: { resolve: (seq: number) => void; reject: (err: unknown) => void }[] = []
  private settledWaiters: (() => void)[] = []
  private ackTimer: ReturnType<typeof setTimeout> | undefined
  private resendTimer: ReturnType<typeof setTimeout> | undefined

  constructor(init: RecordSenderInit, host: RecordSenderHost) {
    this.init = init
    this.host = host
    this.queue = new SendQueue<SealedRecord>(init.peerAckBase)
    this.seq = init.nextSeq
    this.sentMs = init.lastSentMs
  }

  /** The next `seq` to hand out. */
  get nextSeq(): number {
    return this.seq
  }

  /** The peer's highest ack base. */
  get peerAckBase(): number {
    return this.queue.peerAckBase
  }

  /** When we last posted anything, unix ms. */
  get lastSentMs(): number {
    return this.sentMs
  }

  /**
   * Takes the `.out` log read back at a restart (§12.4): its records wait for their acks again.
   * Records sealed for numbers the core had not counted yet were never posted (§12.3).
   */
  restore(out: readonly Uint8Array[], nowMs: number): void {
    const live = replayOutLog(out)
    for (const [seq, logged] of live) {
      if (seq >= this.seq) {
        live.delete(seq)
        continue
      }
      this.queue.restore(seq, { record: logged.record, topic: logged.topic }, logged.firstPostMs, nowMs, this.timing())
    }
    this.init.journal?.restored(live, out.length)
  }

  /** The next `seq` at once, past the in-flight cap (a close that must go out now). */
  takeNow(): number {
    return this.seq++
  }

  /** The next `seq`, once the in-flight cap allows it; waiters are served in call order. */
  take(options: AbortOptions): Promise<number> {
    if (this.slotWaiters.length === 0 && this.queue.canTake(this.seq)) return Promise.resolve(this.seq++)
    return new Promise<number>((resolve, reject) => {
      const waiter = {
        resolve: (seq: number) => {
          options.signal?.removeEventListener('abort', onAbort)
          resolve(seq)
        },
        reject,
      }
      const onAbort = (): void => {
        this.slotWaiters = this.slotWaiters.filter((w) => w !== waiter)
        reject(options.signal?.reason)
      }
      options.signal?.addEventListener('abort', onAbort, { once: true })
      this.slotWaiters.push(waiter)
    })
  }

  /** Resolves once nothing waits for an ack (everything acked or undelivered). */
  settled(): Promise<void> {
    if (this.queue.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.settledWaiters.push(resolve))
  }

  /** Seals a frame as our next record (and cancels a standalone ack: this one carries the ack). */
  seal(frame: RecordFrame): SealedRecord {
    // Never seal with a wiped ratchet: its keys are zeros and its record anyone's to read.
    if (this.host.state() === 'closed') throw new SessionClosedError('the conversation is closed')
    const bytes = encodeFrame(frame)
    const sealed = sealRecord(this.init.ratchet, bytes, this.init.components)
    wipe(bytes)
    if (this.ackTimer !== undefined) clearTimeout(this.ackTimer)
    this.ackTimer = undefined
    this.host.sealed()
    return sealed
  }

  /** Tracks a sealed data or close record for resends, and logs it in `.out` (§12.2). */
  track(seq: number, sealed: SealedRecord): void {
    const nowMs = this.init.now()
    this.queue.add(seq, sealed, nowMs)
    this.init.journal?.sent(seq, sealed.topic, nowMs, sealed.record)
    this.armResend()
  }

  /** Posts a standalone ack now, while the conversation is open or closing. */
  sendAck(): void {
    if (this.host.state() === 'open' || this.host.state() === 'closing') void this.post(this.seal({ type: 'ack', ack: this.host.ack() }), false)
  }

  /** A standalone ack after `ackDelayMs`, unless outgoing data carries it first (§9.3). */
  scheduleAck(): void {
    if (this.ackTimer !== undefined || this.host.state() === 'closed') return
    this.ackTimer = setTimeout(() => {
      this.ackTimer = undefined
      this.sendAck()
    }, this.init.settings.ackDelayMs)
  }

  /** Applies the peer's ack: receipts, room for waiting sends. */
  acknowledge(ack: Ack): void {
    for (const seq of this.queue.acknowledge(ack)) {
      this.init.journal?.settled(seq)
      this.host.settled(seq, 'receipt')
    }
    this.grantSlots()
    this.checkSettled()
  }

  /** Arms the resend timer for the earliest resend or give-up in the send queue. */
  armResend(): void {
    if (this.resendTimer !== undefined) clearTimeout(this.resendTimer)
    this.resendTimer = undefined
    if (this.host.state() === 'closed') return
    const next = this.queue.nextDueMs(this.timing())
    if (next === undefined) return
    this.resendTimer = setTimeout(() => this.onResendTimer(), Math.max(0, next - this.init.now()))
  }

  /** Posts a record; a refusal is counted (the resend timer tries again). */
  async post(record: SealedRecord, resend: boolean): Promise<void> {
    const { settings: s, journal, stats } = this.init
    if (journal !== undefined) {
      // Write-ahead (§12.3): the state that sealed this record is durable before it leaves (a
      // resend too: the timer may fire before the first post's commit has completed).
      try {
        await journal.durable()
      } catch {
        stats.postErrors++
        return
      }
      // Unloaded by stop() before the commit: the record was never written, so it never leaves.
      if (this.host.unloaded()) return
    }
    this.sentMs = this.init.now()
    try {
      await this.init.transport.postEnvelope(
        { topic: record.topic, data: record.record, ttlSeconds: s.ttlSeconds },
        { powTarget: s.powTarget, ...(s.powTimeMs === undefined ? {} : { powTimeMs: s.powTimeMs }) }
      )
      if (resend) stats.resent++
      else stats.sent++
    } catch {
      stats.postErrors++
    }
  }

  /** The conversation ended: timers stop, the sealed records go, every waiter is let go. */
  end(): void {
    if (this.ackTimer !== undefined) clearTimeout(this.ackTimer)
    if (this.resendTimer !== undefined) clearTimeout(this.resendTimer)
    this.ackTimer = this.resendTimer = undefined
    // The sealed records are ciphertext; they go with the queue.
    this.queue.clear()
    for (const w of this.slotWaiters) w.reject(new SessionClosedError('the conversation closed'))
    this.slotWaiters = []
    this.releaseSettled()
  }

  private onResendTimer(): void {
    this.resendTimer = undefined
    const due = this.queue.due(this.init.now(), this.timing())
    for (const { record } of due.resend) void this.post(record, true)
    for (const seq of due.undelivered) {
      this.init.journal?.settled(seq)
      this.host.settled(seq, 'undelivered')
    }
    this.init.journal?.durable().catch(() => {})
    this.grantSlots()
    this.checkSettled()
    this.armResend()
  }

  private timing(): ResendTiming {
    const s = this.init.settings
    return { resendIntervalMs: s.resendIntervalMs, maxResendIntervalMs: s.maxResendIntervalMs, deliveryTimeoutMs: s.deliveryTimeoutMs, openedAtMs: this.host.openedAtMs() }
  }

  private grantSlots(): void {
    while (this.slotWaiters.length > 0 && this.queue.canTake(this.seq)) (this.slotWaiters.shift() as (typeof this.slotWaiters)[number]).resolve(this.seq++)
  }

  private checkSettled(): void {
    if (this.queue.size === 0) this.releaseSettled()
  }

  private releaseSettled(): void {
    const waiters = this.settledWaiters
    this.settledWaiters = []
    for (const w of waiters) w()
  }
}
