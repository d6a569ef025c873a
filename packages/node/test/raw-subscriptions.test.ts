import { topicFromString } from '@hush/envelope'
import { describe, expect, it } from 'vitest'
import type { Watcher } from '../src/filters.ts'
import { RawSubscriptions } from '../src/raw-subscriptions.ts'
import { TopicIndex } from '../src/topic-index.ts'

const a = topicFromString('a')
const b = topicFromString('b')

describe('RawSubscriptions', () => {
  it('delivers once per queue on watched topics and forgets removed subscriptions', () => {
    const index = new TopicIndex<Watcher>()
    const subs = new RawSubscriptions(index)
    const one = subs.add([a, a, b], 8)
    const two = subs.add([b], 8)
    let made = 0
    const envelope = { expiry: 1, ttl: 1, topic: b, data: new Uint8Array(0), nonce: 0n, isOwn: false }
    subs.deliver(b, () => (made++, envelope))
    expect(made).toBe(1)
    expect(one.queue.size).toBe(1)
    expect(two.queue.size).toBe(1)
    expect(one.remove()).toBe(true)
    expect(one.remove()).toBe(false)
    expect(index.watches(a)).toBe(false)
    expect(index.topics()).toEqual([b])
    subs.closeAll()
    expect(two.queue.isClosed).toBe(true)
    expect(index.watches(b)).toBe(false)
  })
})
