/**
 * The receiver's ordering state of session v2 for one direction (docs/SESSION.md §9.2), pure:
 * `seq` from 1, delivered in order exactly once; later numbers wait, at most {@link ACK_WINDOW}
 * beyond the base, so at most 256 frames ever wait; a gap can be skipped. A number beyond the
 * window is refused before the ratchet commits (`inReach` first), so its key is not spent. Its
 * {@link Ack} is the base plus a 256-bit bitmap of what waits.
 */
import type { Ack } from './frames.ts'

/** Numbers one ack reports beyond its base, and the receive window's reach (§9.1–9.2). */
export const ACK_WINDOW = 256

/** What {@link ReceiveQueue.accept} did: `window` when beyond base + 256 (not kept). */
export type ReceiveOutcome = 'accepted' | 'duplicate' | 'window'

/** Ordered, duplicate-free delivery of numbered items within a 256-number window. */
export class ReceiveQueue<T> {
  private contiguous: number
  private readonly waiting = new Map<number, T>()

  /** @param base the highest number already delivered or skipped (0 for a new session; restored after a restart) */
  constructor(base = 0) {
    this.contiguous = base
  }

  /** Highest number delivered or skipped, with everything below it settled. */
  get base(): number {
    return this.contiguous
  }

  /** How many items wait for an earlier number. */
  get waitingCount(): number {
    return this.waiting.size
  }

  /** The waiting items with their numbers, ascending (what a snapshot stores). */
  waitingItems(): { seq: number; item: T }[] {
    return [...this.waiting].sort((a, b) => a[0] - b[0]).map(([seq, item]) => ({ seq, item }))
  }

  /** Whether `seq` was delivered, skipped, or waits. */
  has(seq: number): boolean {
    return seq <= this.contiguous || this.waiting.has(seq)
  }

  /** Whether `seq` lies within the window (at most 256 beyond the base). */
  inReach(seq: number): boolean {
    return seq - this.contiguous <= ACK_WINDOW
  }

  /** Takes `item` as `seq` unless it was seen or lies beyond the window. Call {@link drain} next. */
  accept(seq: number, item: T): ReceiveOutcome {
    if (this.has(seq)) return 'duplicate'
    if (!this.inReach(seq)) return 'window'
    this.waiting.set(seq, item)
    return 'accepted'
  }

  /** Removes and returns the items now in order after the base. */
  drain(): { seq: number; item: T }[] {
    const out: { seq: number; item: T }[] = []
    for (let n = this.contiguous + 1; this.waiting.has(n); n++) {
      out.push({ seq: n, item: this.waiting.get(n) as T })
      this.waiting.delete(n)
      this.contiguous = n
    }
    return out
  }

  /** The lowest waiting number, when something waits behind a gap. */
  private lowestWaiting(): number | undefined {
    let lowest: number | undefined
    for (const n of this.waiting.keys()) if (lowest === undefined || n < lowest) lowest = n
    return lowest
  }

  /**
   * Gives up the missing numbers before the lowest waiting one and returns that range
   * (inclusive), or `undefined` when nothing waits. Call {@link drain} next.
   */
  skipGap(): { from: number; to: number } | undefined {
    const lowest = this.lowestWaiting()
    if (lowest === undefined) return undefined
    const gap = { from: this.contiguous + 1, to: lowest - 1 }
    this.contiguous = lowest - 1
    return gap
  }

  /** The acknowledgement of the current state: bit `i` set when `base + 1 + i` waits. */
  ack(): Ack {
    const bitmap = new Uint8Array(ACK_WINDOW / 8)
    for (const seq of this.waiting.keys()) {
      const i = seq - this.contiguous - 1
      bitmap[i >> 3] |= 0x80 >> (i & 7)
    }
    return { base: this.contiguous, bitmap }
  }
}
