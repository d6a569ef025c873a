import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ReceiveWindow, ackCovers } from '../src/receive-window.ts'
import { SendWindow } from '../src/send-window.ts'

describe('receive window', () => {
  it('any arrival order with duplicates delivers 1..n once, in order, and acks n', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }).chain((n) => fc.tuple(fc.constant(n), fc.array(fc.integer({ min: 1, max: n }), { maxLength: 40 }), fc.shuffledSubarray([...Array(n).keys()].map((i) => i + 1), { minLength: n, maxLength: n }))),
        ([n, dups, order]) => {
          const w = new ReceiveWindow<number>(64)
          const delivered: number[] = []
          for (const k of [...order, ...dups]) {
            const before = w.has(k)
            expect(w.accept(k, k)).toBe(before ? 'duplicate' : 'accepted')
            delivered.push(...w.drain().map((d) => d.item))
          }
          expect(delivered).toEqual([...Array(n).keys()].map((i) => i + 1))
          expect(w.ack()).toEqual({ base: n, bitmap: 0 })
        }
      )
    )
  })

  it('acks the base plus a bitmap of what waits, and skips a gap', () => {
    const w = new ReceiveWindow<string>(64)
    w.accept(1, 'a')
    w.drain()
    w.accept(3, 'c')
    w.accept(5, 'e')
    w.accept(40, 'far')
    expect(w.drain()).toEqual([])
    expect(w.ack()).toEqual({ base: 1, bitmap: 0b101 })
    expect(ackCovers(w.ack(), 3)).toBe(true)
    expect(ackCovers(w.ack(), 2)).toBe(false)
    expect(ackCovers(w.ack(), 40)).toBe(false) // beyond the 32-bit map: resent until the base passes it
    expect(w.lowestWaiting()).toBe(3)
    expect(w.skipGap()).toEqual({ from: 2, to: 2 })
    expect(w.drain().map((d) => d.number)).toEqual([3])
    expect(w.skipGap()).toEqual({ from: 4, to: 4 })
    expect(w.drain().map((d) => d.number)).toEqual([5])
    expect(w.accept(2, 'late')).toBe('duplicate')
    expect(w.skipGap()).toEqual({ from: 6, to: 39 })
    expect(w.drain().map((d) => d.item)).toEqual(['far'])
    expect(w.skipGap()).toBeUndefined()
  })

  it('refuses numbers beyond base + maxGap, so the buffer holds at most maxGap items', () => {
    const w = new ReceiveWindow<number>(16)
    // Each number within 16 of the previous one, but the base stays 0 (number 1 never comes).
    for (let n = 2; n <= 3000; n += 10) w.accept(n, n)
    expect(w.waitingCount).toBeLessThanOrEqual(16)
    expect(w.accept(17, 17)).toBe('too-far')
    expect(w.accept(16, 16)).toBe('accepted')
    w.accept(1, 1)
    expect(w.drain().map((d) => d.number)).toEqual([1, 2])
    expect(w.accept(18, 18)).toBe('accepted') // the bound moves with the base
  })

  it('ackCovers reads bit i as base + 2 + i', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 31 }), (base, bit) => {
        const ack = { base, bitmap: (1 << bit) >>> 0 }
        expect(ackCovers(ack, base + 2 + bit)).toBe(true)
        expect(ackCovers(ack, base + 1)).toBe(false)
        expect(ackCovers(ack, base)).toBe(true)
      })
    )
  })
})

describe('send window', () => {
  const rec = Uint8Array.of(1)
  it('backs off exponentially: an unacknowledged record is resent at 2, 6, 14 and 30 s, not every 2 s', () => {
    const w = new SendWindow()
    w.add(1, rec, 0, 50_000)
    const posts: number[] = []
    for (let t = 0; t < 50_000; t += 100) if (w.due(t, 2_000).resend.length > 0) posts.push(t)
    expect(posts).toEqual([2_000, 6_000, 14_000, 30_000])
  })

  it('an ack that covers something restarts the backoff of the rest (a loss, not an outage)', () => {
    const w = new SendWindow()
    w.add(1, rec, 0, 50_000)
    w.add(2, rec, 0, 50_000)
    expect(w.due(2_000, 2_000).resend).toHaveLength(2)
    expect(w.due(4_000, 2_000).resend).toHaveLength(0) // backed off to 4 s
    w.acknowledge({ base: 1, bitmap: 0 })
    expect(w.due(4_000, 2_000).resend.map((r) => r.number)).toEqual([2])
  })

  it('takes new numbers only within what one ack can cover (lowest pending + 32)', () => {
    const w = new SendWindow()
    for (let n = 1; n <= 33; n++) {
      expect(w.canSend(n)).toBe(true)
      w.add(n, rec, 0, 1000)
    }
    expect(w.canSend(34)).toBe(false)
    expect(w.acknowledge({ base: 1, bitmap: 0 })).toEqual([1])
    expect(w.canSend(34)).toBe(true)
    expect(w.canSend(35)).toBe(false)
  })

  it('resends after the interval, expires at the deadline, stops on ack', () => {
    const w = new SendWindow()
    w.add(1, rec, 0, 1000)
    w.add(2, rec, 0, 1000)
    w.add(3, rec, 0, 50)
    expect(w.due(10, 100)).toEqual({ resend: [], expired: [] })
    expect(w.due(100, 100)).toEqual({ resend: [{ number: 1, record: rec }, { number: 2, record: rec }], expired: [3] })
    expect(w.due(150, 100).resend).toEqual([]) // just resent
    expect(w.acknowledge({ base: 0, bitmap: 0b1 })).toEqual([2])
    expect(w.numbers()).toEqual([1])
    expect(w.due(1000, 100)).toEqual({ resend: [], expired: [1] })
    expect(w.size).toBe(0)
    w.add(7, rec, 0, 10)
    expect(w.clear()).toEqual([7])
  })
})
