import { FULL_BLOOM, bloomMatches, topicFromString, topicToBloom } from '@hush/envelope'
import { describe, expect, it } from 'vitest'
import { advertisedBloom, sameBloom } from '../src/advertised-bloom.ts'

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
