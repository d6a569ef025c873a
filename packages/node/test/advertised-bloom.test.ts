import { FULL_BLOOM, bloomMatches, topicFromString, topicToBloom } from '@hush/envelope'
import { describe, expect, it } from 'vitest'
import { AnnouncedBloom, advertisedBloom, sameBloom } from '../src/advertised-bloom.ts'

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

describe('AnnouncedBloom', () => {
  function light(delayMs = 20) {
    let topics: Uint8Array[] = []
    const sent: Uint8Array[] = []
    let now = 0
    const bloom = new AnnouncedBloom({
      isLight: true,
      explicit: undefined,
      watched: () => ({ topics, watchesAll: false }),
      announce: (b) => sent.push(b),
      delayMs,
      now: () => now,
    })
    return { bloom, sent, watch: (t: Uint8Array[]) => (topics = t), at: (ms: number) => (now = ms) }
  }
  it('keeps the old value as previous and announces a subscription change after the delay, once', async () => {
    const { bloom, sent, watch, at } = light()
    bloom.start()
    watch([a])
    at(5)
    bloom.update(false)
    watch([a, b])
    bloom.update(false)
    expect(sent).toEqual([])
    expect(bloom.requirement.previous).toEqual(topicsToBloomOf([a]))
    expect(bloom.requirement.changedMs).toBe(5)
    await new Promise((r) => setTimeout(r, 50))
    expect(sent).toEqual([topicsToBloomOf([a, b])])
    bloom.stop()
  })
  it('an explicit bloom is announced at once; nothing is announced before start or after stop', async () => {
    const { bloom, sent, watch } = light()
    watch([a])
    bloom.update(false)
    expect(sent).toEqual([])
    bloom.start()
    const explicit = topicToBloom(b)
    bloom.setExplicit(explicit)
    expect(sent).toHaveLength(1)
    bloom.stop()
    watch([])
    bloom.update(false)
    await new Promise((r) => setTimeout(r, 50))
    expect(sent).toHaveLength(1)
  })
})

const topicsToBloomOf = (topics: Uint8Array[]): Uint8Array | undefined => advertisedBloom({ isLight: true, explicit: undefined, topics, watchesAll: false })
