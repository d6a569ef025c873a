/**
 * The receiver's ordering state for one direction (pure, no timers): numbers from 1, delivered
 * in order exactly once; later numbers wait in a buffer, at most `maxGap` beyond the last
 * delivered one, so the buffer holds at most `maxGap` items; a gap can be skipped when the sender
 * has given up on it. Its {@link Ack} is the highest contiguous number plus a bitmap of what waits.
 */
import { ACK_BITMAP_BITS } from './constants.ts'
import type { Ack } from './frames.ts'

/** The outcome of {@link ReceiveWindow.accept}: `too-far` when beyond base + maxGap (not kept). */
export type AcceptResult = 'accepted' | 'duplicate' | 'too-far'

/** Ordered, duplicate-free delivery of numbered items. */
export class ReceiveWindow<T> {
  private contiguous = 0
  private readonly waiting = new Map<number, T>()
  private readonly maxGap: number

  /** @param maxGap the largest accepted distance beyond {@link ReceiveWindow.base} */
  constructor(maxGap: number) {
    this.maxGap = maxGap
  }

  /** Highest number delivered or skipped, with everything below it settled. */
  get base(): number {
    return this.contiguous
  }

  /** How many items wait for an earlier number. */
  get waitingCount(): number {
    return this.waiting.size
  }

  /** Whether `number` was already delivered, skipped or is waiting. */
  has(number: number): boolean {
    return number <= this.contiguous || this.waiting.has(number)
  }

  /** Whether `number` lies within `maxGap` of the base (so it could be accepted). */
  inReach(number: number): boolean {
    return number - this.contiguous <= this.maxGap
  }

  /** Takes `item` as `number` unless it was seen or is out of reach. Call {@link ReceiveWindow.drain} next. */
  accept(number: number, item: T): AcceptResult {
    if (this.has(number)) return 'duplicate'
    if (!this.inReach(number)) return 'too-far'
    this.waiting.set(number, item)
    return 'accepted'
  }

  /** Removes and returns the items now in order after the base. */
  drain(): { number: number; item: T }[] {
    const out: { number: number; item: T }[] = []
    for (let n = this.contiguous + 1; this.waiting.has(n); n++) {
      out.push({ number: n, item: this.waiting.get(n) as T })
      this.waiting.delete(n)
      this.contiguous = n
    }
    return out
  }

  /** The lowest waiting number, when something waits behind a gap. */
  lowestWaiting(): number | undefined {
    let lowest: number | undefined
    for (const n of this.waiting.keys()) if (lowest === undefined || n < lowest) lowest = n
    return lowest
  }

  /**
   * Gives up the missing numbers before the lowest waiting one; returns that range (inclusive),
   * or undefined when nothing waits. Call {@link ReceiveWindow.drain} next.
   */
  skipGap(): { from: number; to: number } | undefined {
    const lowest = this.lowestWaiting()
    if (lowest === undefined) return undefined
    const gap = { from: this.contiguous + 1, to: lowest - 1 }
    this.contiguous = lowest - 1
    return gap
  }

  /** The acknowledgement of the current state. */
  ack(): Ack {
    let bitmap = 0
    for (let i = 0; i < ACK_BITMAP_BITS; i++) if (this.waiting.has(this.contiguous + 2 + i)) bitmap |= 1 << i
    return { base: this.contiguous, bitmap: bitmap >>> 0 }
  }
}

/** Whether `ack` covers `number`. */
export function ackCovers(ack: Ack, number: number): boolean {
  if (number <= ack.base) return true
  const bit = number - ack.base - 2
  return bit >= 0 && bit < ACK_BITMAP_BITS && ((ack.bitmap >>> bit) & 1) === 1
}
