import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type TopicSchedule, epochAt, msToNextEpoch, receiveTopics, topicAt } from '../src/topic-schedule.ts'

const schedule: TopicSchedule = {
  secret: new Uint8Array(32).fill(5),
  startMs: 1_000_000,
  periodMs: 1_000,
  initial: { ab: Uint8Array.of(1, 1, 1, 1), ba: Uint8Array.of(2, 2, 2, 2) },
}
const hex = (t: Uint8Array): string => Buffer.from(t).toString('hex')

describe('topic schedule', () => {
  it('counts epochs from the handshake time and starts on the handshake topics', () => {
    expect(epochAt(schedule, 0)).toBe(0)
    expect(epochAt(schedule, 1_000_999)).toBe(0)
    expect(epochAt(schedule, 1_001_000)).toBe(1)
    expect(topicAt(schedule, 'ab', 0)).toEqual(schedule.initial.ab)
    expect(receiveTopics(schedule, 'ba', 1_000_500).map(hex)).toEqual([hex(schedule.initial.ba), hex(topicAt(schedule, 'ba', 1))])
    expect(msToNextEpoch(schedule, 1_000_250)).toBe(750)
    expect(msToNextEpoch(schedule, 999_000)).toBe(2_000)
  })

  it('gives distinct topics per direction and epoch, the same on both sides', () => {
    const seen = new Set<string>()
    for (let e = 0; e < 50; e++) for (const d of ['ab', 'ba'] as const) seen.add(hex(topicAt(schedule, d, e)))
    expect(seen.size).toBe(100)
    expect(topicAt({ ...schedule, secret: schedule.secret.slice() }, 'ab', 7)).toEqual(topicAt(schedule, 'ab', 7))
    expect(topicAt({ ...schedule, secret: new Uint8Array(32).fill(6) }, 'ab', 7)).not.toEqual(topicAt(schedule, 'ab', 7))
  })

  it('a sender within one period of skew always posts on a topic the receiver listens to', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_000_000, max: 2_000_000 }), fc.integer({ min: -999, max: 999 }), (senderMs, skewMs) => {
        const sent = hex(topicAt(schedule, 'ab', epochAt(schedule, senderMs)))
        expect(receiveTopics(schedule, 'ab', senderMs + skewMs).map(hex)).toContain(sent)
      })
    )
  })

  it('never rotates with period 0', () => {
    const fixed = { ...schedule, periodMs: 0 }
    expect(epochAt(fixed, 9e12)).toBe(0)
    expect(receiveTopics(fixed, 'ab', 9e12)).toEqual([schedule.initial.ab])
    expect(msToNextEpoch(fixed, 5)).toBe(Number.POSITIVE_INFINITY)
  })
})
