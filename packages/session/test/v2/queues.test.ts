import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ackCovers, encodeFrame } from '../../src/v2/frames.ts'
import { ACK_WINDOW, ReceiveQueue } from '../../src/v2/receive-queue.ts'
import { type ResendTiming, SendQueue, resendDueMs } from '../../src/v2/send-queue.ts'

describe('ReceiveQueue (docs/SESSION.md §9.2)', () => {
  it('delivers in order exactly once, holds later numbers, and refuses beyond base + 256', () => {
    const q = new ReceiveQueue<string>()
    expect(q.accept(2, 'b')).toBe('accepted')
    expect(q.drain()).toEqual([])
    expect(q.accept(1, 'a')).toBe('accepted')
    expect(q.drain()).toEqual([{ seq: 1, item: 'a' }, { seq: 2, item: 'b' }])
    expect(q.accept(2, 'b again')).toBe('duplicate')
    expect(q.accept(2 + ACK_WINDOW, 'far')).toBe('accepted')
    expect(q.accept(3 + ACK_WINDOW, 'too far')).toBe('window')
    expect(q.inReach(3 + ACK_WINDOW)).toBe(false)
    expect(q.waitingItems()).toEqual([{ seq: 258, item: 'far' }])
    expect(q.skipGap()).toEqual({ from: 3, to: 257 })
    expect(q.drain()).toEqual([{ seq: 258, item: 'far' }])
    expect(q.skipGap()).toBeUndefined()
  })

  it('never holds more than 256 frames, delivers each number once and in order, and acks exactly what it holds', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 700 }), { maxLength: 400 }), (seqs) => {
        const q = new ReceiveQueue<number>()
        const delivered: number[] = []
        for (const seq of seqs) {
          q.accept(seq, seq)
          for (const d of q.drain()) delivered.push(d.seq)
          expect(q.waitingCount).toBeLessThanOrEqual(ACK_WINDOW)
          const ack = q.ack()
          // The ack is a valid frame field, and reports exactly what was received.
          expect(() => encodeFrame({ type: 'ack', ack })).not.toThrow()
          for (let s = 1; s <= q.base + ACK_WINDOW; s++) expect(ackCovers(ack, s)).toBe(q.has(s))
        }
        expect(delivered).toEqual(Array.from({ length: delivered.length }, (_, i) => i + 1))
      }),
      { numRuns: 100 }
    )
  })

  it('resumes from a restored base', () => {
    const q = new ReceiveQueue<string>(41)
    expect(q.accept(41, 'old')).toBe('duplicate')
    expect(q.accept(42, 'new')).toBe('accepted')
    expect(q.drain()).toEqual([{ seq: 42, item: 'new' }])
  })
})

const TIMING: ResendTiming = { resendIntervalMs: 2_000, maxResendIntervalMs: 60_000, deliveryTimeoutMs: 50_000, openedAtMs: 0 }
const bitmapWith = (...bits: number[]): Uint8Array => {
  const b = new Uint8Array(32)
  for (const i of bits) b[i >> 3] |= 0x80 >> (i & 7)
  return b
}

/** Posts of one record, first at 0, stepping the clock by `stepMs` to `untilMs`. */
function postTimes(q: SendQueue<string>, timing: ResendTiming, untilMs: number, stepMs = 100): { posts: number[]; givenUp: number | undefined } {
  const posts = [0]
  let givenUp: number | undefined
  for (let t = stepMs; t <= untilMs; t += stepMs) {
    const due = q.due(t, timing)
    for (const _ of due.resend) posts.push(t)
    if (due.undelivered.length > 0) givenUp ??= t
  }
  return { posts, givenUp }
}

describe('SendQueue (docs/SESSION.md §9.1, §9.4)', () => {
  it('takes a number only within 256 of the peer\'s ack base, and an ack moves the base', () => {
    const q = new SendQueue<string>()
    expect(q.canTake(256)).toBe(true)
    expect(q.canTake(257)).toBe(false)
    for (let seq = 1; seq <= 256; seq++) q.add(seq, `r${seq}`, 0)
    expect(q.acknowledge({ base: 3, bitmap: bitmapWith(1, 2) })).toEqual([1, 2, 3, 5, 6])
    expect(q.peerAckBase).toBe(3)
    expect(q.canTake(259)).toBe(true)
    expect(q.canTake(260)).toBe(false)
    // An older ack never moves the base back.
    q.acknowledge({ base: 1, bitmap: new Uint8Array(32) })
    expect(q.peerAckBase).toBe(3)
    expect(q.size).toBe(251)
  })

  it('backs off exponentially: posted at 0, 2, 6, 14 and 30 s, given up at 50 s (v1 posted 25 times)', () => {
    const q = new SendQueue<string>()
    q.add(1, 'r', 0)
    const { posts, givenUp } = postTimes(q, TIMING, 60_000)
    expect(posts).toEqual([0, 2_000, 6_000, 14_000, 30_000])
    expect(givenUp).toBe(50_000)
    expect(q.size).toBe(0)
  })

  it('caps the interval at maxResendIntervalMs', () => {
    expect([1, 2, 3, 4, 5, 6].map((k) => resendDueMs(0, k, 2_000, 10_000))).toEqual([2_000, 6_000, 14_000, 24_000, 34_000, 44_000])
  })

  it('starts the delivery clock of early data when the session opens', () => {
    const q = new SendQueue<string>()
    q.add(1, 'early', 0)
    // Pending for a day: resends go on with backoff, nothing is given up.
    const pending = { ...TIMING, openedAtMs: undefined, maxResendIntervalMs: 900_000 }
    expect(q.due(86_400_000, pending).undelivered).toEqual([])
    const opened = { ...pending, openedAtMs: 86_400_000 }
    expect(q.due(86_400_000 + 49_999, opened).undelivered).toEqual([])
    expect(q.due(86_400_000 + 50_000, opened).undelivered).toEqual([1])
  })

  it('after a restart, resumes the schedule instead of resending every missed time at once', () => {
    const q = new SendQueue<string>()
    q.restore(1, 'r', 0, 7_000, TIMING) // 2 s and 6 s have passed: two resends counted as made
    expect(q.due(7_000, TIMING).resend).toEqual([])
    expect(q.nextDueMs(TIMING)).toBe(14_000)
    expect(q.due(14_000, TIMING).resend).toEqual([{ seq: 1, record: 'r' }])
  })

  it('reports when it next needs the clock, and clears', () => {
    const q = new SendQueue<string>()
    expect(q.nextDueMs(TIMING)).toBeUndefined()
    q.add(2, 'b', 1_000)
    q.add(1, 'a', 500)
    expect(q.nextDueMs(TIMING)).toBe(2_500)
    expect(q.clear()).toEqual([1, 2])
  })
})
