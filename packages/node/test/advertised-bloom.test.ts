import { FULL_BLOOM, bloomMatches, topicFromString, topicToBloom } from '@hush/envelope'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { advertisedBloom, sameBloom } from '../src/advertised-bloom.ts'
import type { Watcher } from '../src/filters.ts'
import { RawSubscriptions } from '../src/raw-subscriptions.ts'
import { TopicIndex } from '../src/topic-index.ts'
import { topicNumber, topicOfNumber } from '../src/topic-number.ts'

const a = topicFromString('a')
const b = topicFromString('b')

describe('advertisedBloom (design §3)', () => {
  it('a full node announces none, whatever it watches', () => {
    expect(advertisedBloom({ isLight: false, explicit: undefined, topics: [a], watchesAll: false })).toBeUndefined()
  })
  it('a light node announces the OR bloom of its topics, which matches their geth blooms', () => {
    const bloom = advertisedBloom({ isLight: true, explicit: undefined, topics: [a, b], watchesAll: false }) as Uint8Array
    expect(bloomMatches(bloom, topicToBloom(a))).toBe(true)
    expect(bloomMatches(bloom, topicToBloom(b))).toBe(true)
    expect(advertisedBloom({ isLight: true, explicit: undefined, topics: [], watchesAll: false })).toEqual(new Uint8Array(64))
  })
  it('an explicit bloom is kept and widened by watched topics; watching all topics announces all ones', () => {
    const explicit = topicToBloom(b)
    const bloom = advertisedBloom({ isLight: false, explicit, topics: [a], watchesAll: false }) as Uint8Array
    expect(bloomMatches(bloom, explicit)).toBe(true)
    expect(bloomMatches(bloom, topicToBloom(a))).toBe(true)
    expect(advertisedBloom({ isLight: true, explicit: undefined, topics: [a], watchesAll: true })).toEqual(FULL_BLOOM)
  })
  it('sameBloom compares bytes and absence', () => {
    expect(sameBloom(undefined, undefined)).toBe(true)
    expect(sameBloom(undefined, new Uint8Array(64))).toBe(false)
    expect(sameBloom(topicToBloom(a), topicToBloom(a).slice())).toBe(true)
    expect(sameBloom(topicToBloom(a), topicToBloom(b))).toBe(false)
  })
})

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
  it('topic numbers round-trip', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (t) => sameBytes(topicOfNumber(topicNumber(t)), t)))
  })
})

const sameBytes = (x: Uint8Array, y: Uint8Array): boolean => x.length === y.length && x.every((v, i) => v === y[i])
