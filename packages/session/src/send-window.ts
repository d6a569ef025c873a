/**
 * The sender's retransmission state for one direction (pure, time passed in): each sealed record
 * stays until an ack covers it or its delivery deadline passes. What is kept per number is the
 * caller's (the session keeps the record's bytes and the topic it was first posted on).
 */
import type { Ack } from './frames.ts'
import { ackCovers } from './receive-window.ts'

interface Pending<T> {
  readonly record: T
  readonly deadlineMs: number
  lastSentMs: number
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

  /** Tracks a record just sent at `nowMs`, to be given up at `deadlineMs`. */
  add(number: number, record: T, nowMs: number, deadlineMs: number): void {
    this.pending.set(number, { record, deadlineMs, lastSentMs: nowMs })
  }

  /** Removes and returns the numbers `ack` covers. */
  acknowledge(ack: Ack): number[] {
    const done: number[] = []
    for (const n of this.pending.keys()) if (ackCovers(ack, n)) done.push(n)
    for (const n of done) this.pending.delete(n)
    return done.sort((a, b) => a - b)
  }

  /** Records last sent `intervalMs` or more ago (marked sent now), and those past their deadline. */
  due(nowMs: number, intervalMs: number): DueResult<T> {
    const resend: { number: number; record: T }[] = []
    const expired: number[] = []
    for (const [number, p] of this.pending) {
      if (nowMs >= p.deadlineMs) expired.push(number)
      else if (nowMs - p.lastSentMs >= intervalMs) {
        p.lastSentMs = nowMs
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
