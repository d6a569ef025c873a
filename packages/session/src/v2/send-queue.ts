/**
 * The sender's retransmission state of session v2 for one direction (docs/SESSION.md §9.1, §9.4),
 * pure (time passed in):
 * - **In-flight cap:** a new `seq` is taken only while `seq ≤ peerAckBase + 256`, the numbers one
 *   ack can report. Numbers given up keep their slot until the peer's base passes them.
 * - **Backoff:** resend k (k ≥ 1) is due at `firstPostMs + Σ_{j<k} min(interval · 2^j, max)`: with
 *   the defaults (2 s, at most 60 s) a record goes out at 0, 2, 6, 14 and 30 s.
 * - **Delivery clock:** from `max(firstPostMs, openedAtMs)`; after `deliveryTimeoutMs` the record is
 *   given up (`undelivered`) and resends stop.
 * Resend counts are not stored: after a restart they follow from `firstPostMs` and the clock.
 */
import { assertInt } from '../assert.ts'
import { type Ack, ackCovers } from './frames.ts'
import { ACK_WINDOW } from './receive-queue.ts'

/** The timing settings of {@link SendQueue.due}. */
export interface ResendTiming {
  /** The first resend interval. */
  readonly resendIntervalMs: number
  /** The largest interval between two resends. */
  readonly maxResendIntervalMs: number
  /** How long after its delivery clock starts a record is given up. */
  readonly deliveryTimeoutMs: number
  /** When the session opened (the delivery clock of early data starts there); `undefined` while pending. */
  readonly openedAtMs: number | undefined
}

interface Pending<T> {
  readonly record: T
  readonly firstPostMs: number
  /** Resends made so far. */
  resends: number
}

/** What {@link SendQueue.due} found. */
export interface DueRecords<T> {
  /** Records to post again (their stored bytes, on their first topic), ascending by `seq`. */
  readonly resend: { seq: number; record: T }[]
  /** Numbers given up now (removed), ascending. */
  readonly undelivered: number[]
}

/** When resend `k` (k ≥ 1) of a record first posted at `firstPostMs` is due. */
export function resendDueMs(firstPostMs: number, k: number, intervalMs: number, maxIntervalMs: number): number {
  let at = firstPostMs
  for (let j = 0; j < k; j++) at += Math.min(intervalMs * 2 ** j, maxIntervalMs)
  return at
}

/** Unacknowledged records of one direction, within the in-flight cap. */
export class SendQueue<T> {
  private readonly pending = new Map<number, Pending<T>>()
  private ackBase: number

  /** @param peerAckBase the highest ack base received from the peer (0 for a new session) */
  constructor(peerAckBase = 0) {
    this.ackBase = peerAckBase
  }

  /** The highest `ackBase` received from the peer. */
  get peerAckBase(): number {
    return this.ackBase
  }

  /** Records awaiting an ack. */
  get size(): number {
    return this.pending.size
  }

  /** Whether `seq` may be taken now: at most 256 beyond the peer's ack base. */
  canTake(seq: number): boolean {
    return seq <= this.ackBase + ACK_WINDOW
  }

  /**
   * Tracks a record posted first at `firstPostMs` (`resends`: those already made, for a restored
   * record; see {@link restore}).
   */
  add(seq: number, record: T, firstPostMs: number, resends = 0): void {
    assertInt(seq, 'seq', 1)
    this.pending.set(seq, { record, firstPostMs, resends })
  }

  /**
   * A record loaded after a restart: it counts the resends whose time has passed by `nowMs` as
   * made, so the next one follows the schedule instead of all of them at once.
   */
  restore(seq: number, record: T, firstPostMs: number, nowMs: number, timing: ResendTiming): void {
    let k = 0
    while (resendDueMs(firstPostMs, k + 1, timing.resendIntervalMs, timing.maxResendIntervalMs) <= nowMs) k++
    this.add(seq, record, firstPostMs, k)
  }

  /** Removes and returns (ascending) the numbers `ack` covers, and moves the peer's ack base up. */
  acknowledge(ack: Ack): number[] {
    if (ack.base > this.ackBase) this.ackBase = ack.base
    const done: number[] = []
    for (const seq of this.pending.keys()) if (ackCovers(ack, seq)) done.push(seq)
    for (const seq of done) this.pending.delete(seq)
    return done.sort((a, b) => a - b)
  }

  /**
   * The records whose next resend is due at `nowMs` (counted as made), and those whose delivery
   * clock has run out (removed).
   */
  due(nowMs: number, timing: ResendTiming): DueRecords<T> {
    const resend: { seq: number; record: T }[] = []
    const undelivered: number[] = []
    for (const [seq, p] of this.pending) {
      const start = Math.max(p.firstPostMs, timing.openedAtMs ?? Number.POSITIVE_INFINITY)
      if (nowMs >= start + timing.deliveryTimeoutMs) {
        undelivered.push(seq)
        continue
      }
      if (nowMs >= resendDueMs(p.firstPostMs, p.resends + 1, timing.resendIntervalMs, timing.maxResendIntervalMs)) {
        p.resends++
        resend.push({ seq, record: p.record })
      }
    }
    for (const seq of undelivered) this.pending.delete(seq)
    resend.sort((a, b) => a.seq - b.seq)
    return { resend, undelivered: undelivered.sort((a, b) => a - b) }
  }

  /** The earliest time anything in the queue is due (a resend or a give-up), for the timer. */
  nextDueMs(timing: ResendTiming): number | undefined {
    let next: number | undefined
    for (const p of this.pending.values()) {
      const start = Math.max(p.firstPostMs, timing.openedAtMs ?? Number.POSITIVE_INFINITY)
      const at = Math.min(start + timing.deliveryTimeoutMs, resendDueMs(p.firstPostMs, p.resends + 1, timing.resendIntervalMs, timing.maxResendIntervalMs))
      if (next === undefined || at < next) next = at
    }
    return next
  }

  /** Drops everything; returns the numbers that were pending, ascending. */
  clear(): number[] {
    const seqs = [...this.pending.keys()].sort((a, b) => a - b)
    this.pending.clear()
    return seqs
  }
}
