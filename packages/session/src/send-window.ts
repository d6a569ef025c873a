/**
 * The sender's retransmission state for one direction (pure, time passed in): each sealed record
 * stays until an ack covers it or its delivery deadline passes. What is kept per number is the
 * caller's (the session keeps the record's bytes and the topic it was first posted on).
 *
 * Two limits keep a silent or lossy peer from turning into a flood: new numbers are taken only
 * within what one ack can describe (the lowest pending number and the 32 after it, see
 * {@link Ack}), and each record's resend interval doubles after every resend (up to
 * {@link RESEND_BACKOFF_MAX_DOUBLINGS} times), as TCP's retransmission timer does.
 */
import { ACK_BITMAP_BITS, RESEND_BACKOFF_MAX_DOUBLINGS } from './constants.ts'
import type { Ack } from './frames.ts'
import { ackCovers } from './receive-window.ts'

interface Pending<T> {
  readonly record: T
  readonly deadlineMs: number
  lastSentMs: number
  /** Resends so far: the next waits interval × 2^min(resends, max doublings). */
  resends: number
}

/** What {@link SendWindow.due} found. */
export interface DueResult<T = Uint8Array> {
  /** Records to post again, by number. */
  readonly resend: { number: number; record: T }[]
  /** Numbers whose deadline passed unacknowledged (now removed). */
  readonly expired: number[]
}

/** Unacknowledged records of one direction. */
export class SendWindow<T = Uint8Array> {
  private readonly pending = new Map<number, Pending<T>>()

  /** How many records await an ack. */
  get size(): number {
    return this.pending.size
  }

  /** Numbers awaiting an ack, ascending. */
  numbers(): number[] {
    return [...this.pending.keys()].sort((a, b) => a - b)
  }

  /**
   * Whether `number` may be sent now: nothing is pending, or it is at most 32 above the lowest
   * pending number, so one ack (base = lowest − 1, bitmap over the next 32) can cover every
   * record in flight. `firstUnsent`: the lowest number already handed out but not yet added
   * (it counts as pending).
   */
  canSend(number: number, firstUnsent: number = number): boolean {
    let lowest = firstUnsent
    for (const n of this.pending.keys()) if (n < lowest) lowest = n
    return number - lowest <= ACK_BITMAP_BITS
  }

  /** Tracks a record just sent at `nowMs`, to be given up at `deadlineMs`. */
  add(number: number, record: T, nowMs: number, deadlineMs: number): void {
    this.pending.set(number, { record, deadlineMs, lastSentMs: nowMs, resends: 0 })
  }

  /**
   * Removes and returns the numbers `ack` covers. When it covers any, the peer is evidently
   * there (the losses were losses, not an outage): the others' backoff starts over.
   */
  acknowledge(ack: Ack): number[] {
    const done: number[] = []
    for (const n of this.pending.keys()) if (ackCovers(ack, n)) done.push(n)
    for (const n of done) this.pending.delete(n)
    if (done.length > 0) for (const p of this.pending.values()) p.resends = 0
    return done.sort((a, b) => a - b)
  }

  /**
   * Records whose backed-off interval (`intervalMs` doubled per earlier resend) has passed since
   * they were last sent (marked sent now), and those past their deadline (removed).
   */
  due(nowMs: number, intervalMs: number): DueResult<T> {
    const resend: { number: number; record: T }[] = []
    const expired: number[] = []
    for (const [number, p] of this.pending) {
      if (nowMs >= p.deadlineMs) expired.push(number)
      else if (nowMs - p.lastSentMs >= intervalMs * 2 ** Math.min(p.resends, RESEND_BACKOFF_MAX_DOUBLINGS)) {
        p.lastSentMs = nowMs
        p.resends++
        resend.push({ number, record: p.record })
      }
    }
    for (const n of expired) this.pending.delete(n)
    return { resend, expired: expired.sort((a, b) => a - b) }
  }

  /** Drops everything; returns the numbers that were pending. */
  clear(): number[] {
    const numbers = this.numbers()
    this.pending.clear()
    return numbers
  }
}
