import { hexToBytes } from '@noble/hashes/utils.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  FULL_BLOOM,
  bloomMatches,
  bloomUnion,
  bytesToTopic,
  isFullBloom,
  topicFromHex,
  topicFromNumber,
  topicFromString,
  topicToBloom,
  topicToNumber,
  topicToBloomOr,
  topicToHex,
  topicsToBloom,
} from '../src/index.ts'
import vectors from './vectors/topic.json' with { type: 'json' }

const hex = (s: string): Uint8Array => hexToBytes(s.startsWith('0x') ? s.slice(2) : s)
const byKind = (kind: string) => vectors.vectors.filter((v) => v.kind === kind) as any[]
const arbTopic = fc.uint8Array({ minLength: 4, maxLength: 4 })

describe('topic vectors (geth v1.9.20 topic_test.go, whisper_test.go)', () => {
  it.each(byKind('topic_to_bloom'))('$name', (v) => {
    expect(topicToBloom(hex(v.topic))).toEqual(hex(v.expected_bloom))
  })
  it.each(byKind('topic_to_string'))('$name', (v) => {
    expect(topicToHex(hex(v.topic_bytes))).toBe(v.expected_string)
  })
  it.each(byKind('bytes_to_topic'))('$name', (v) => {
    const input = v.input_bytes === null ? undefined : hex(v.input_bytes)
    expect(bytesToTopic(input)).toEqual(hex(v.expected_topic))
  })
  it.each(byKind('topic_json_decode'))('$name', (v) => {
    const text = JSON.parse(v.json) as string
    if (v.expected_ok) expect(topicFromHex(text)).toEqual(hex(v.expected_topic))
    else expect(() => topicFromHex(text)).toThrow(expect.objectContaining({ name: 'InvalidTopicError' }))
  })
})

describe('topics', () => {
  it('derives a topic from a name as the first 4 bytes of keccak256', () => {
    // keccak256("abc") = 4e03657a…
    expect(topicToHex(topicFromString('abc'))).toBe('0x4e03657a')
  })
  it('round-trips the hex form', () => {
    fc.assert(fc.property(arbTopic, (t) => {
        expect(topicFromHex(topicToHex(t))).toEqual(t)
      }))
  })
  it('rejects bad arguments with TypeError/RangeError naming them', () => {
    expect(() => topicToHex(new Uint8Array(3))).toThrow(/topic/)
    expect(() => topicToHex(new Uint8Array(3))).toThrow(RangeError)
    expect(() => topicToBloom('x' as unknown as Uint8Array)).toThrow(TypeError)
    expect(() => topicFromHex(5 as unknown as string)).toThrow(TypeError)
    expect(() => topicFromString(5 as unknown as string)).toThrow(TypeError)
    expect(() => bloomMatches(new Uint8Array(63), new Uint8Array(64))).toThrow(/filter/)
  })
})

describe('blooms', () => {
  it('geth assigns bytes: two indices in one byte keep only the later bit (spec §4.2)', () => {
    // topic 00 01 00 00 → indices 0, 1, 0: geth leaves byte 0 = 0x01, OR gives 0x03
    const t = Uint8Array.of(0, 1, 0, 0)
    expect(topicToBloom(t)[0]).toBe(0x01)
    expect(topicToBloomOr(t)[0]).toBe(0x03)
  })
  it('deadbeef sets bytes 59, 53 and 55 (spec §4.2)', () => {
    const b = topicToBloom(hex('deadbeef'))
    expect([b[59], b[53], b[55]]).toEqual([0x40, 0x20, 0x40])
    expect(b.reduce((n, x) => n + (x ? 1 : 0), 0)).toBe(3)
  })
  it('a topic always matches its own bloom, its OR bloom and any union containing it', () => {
    fc.assert(
      fc.property(arbTopic, fc.array(arbTopic, { maxLength: 8 }), (t, others) => {
        const exact = topicToBloom(t)
        expect(bloomMatches(exact, exact)).toBe(true)
        expect(bloomMatches(topicToBloomOr(t), exact)).toBe(true)
        const advertised = topicsToBloom([...others, t])
        expect(bloomMatches(advertised, exact)).toBe(true)
        expect(bloomMatches(advertised, topicToBloomOr(t))).toBe(true)
        expect(bloomMatches(bloomUnion(advertised, exact), exact)).toBe(true)
      })
    )
  })
  it('the OR bloom is a superset of the geth bloom', () => {
    fc.assert(fc.property(arbTopic, (t) => bloomMatches(topicToBloomOr(t), topicToBloom(t))))
  })
  it('an empty bloom matches nothing but the empty sample; undefined and FULL_BLOOM match all', () => {
    fc.assert(
      fc.property(arbTopic, (t) => {
        expect(bloomMatches(new Uint8Array(64), topicToBloom(t))).toBe(false)
        expect(bloomMatches(undefined, topicToBloom(t))).toBe(true)
        expect(bloomMatches(FULL_BLOOM, topicToBloom(t))).toBe(true)
      })
    )
    expect(isFullBloom(undefined)).toBe(true)
    expect(isFullBloom(FULL_BLOOM)).toBe(true)
    expect(isFullBloom(topicToBloom(hex('deadbeef')))).toBe(false)
  })
  it('union is the byte-wise OR', () => {
    const a = topicToBloom(hex('00000000'))
    const b = topicToBloom(hex('ffffffff'))
    const u = bloomUnion(a, b)
    for (let i = 0; i < 64; i++) expect(u[i]).toBe(a[i] | b[i])
    expect(bloomUnion()).toEqual(new Uint8Array(64))
  })
})

describe('topic numbers', () => {
  it('topic numbers round-trip', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (t) => sameBytes(topicFromNumber(topicToNumber(t)), t)))
  })

  it('refuse what is no topic or no uint32, naming the argument', () => {
    expect(() => topicToNumber(new Uint8Array(3))).toThrow(/topic/)
    expect(() => topicFromNumber(2 ** 32)).toThrow(RangeError)
    expect(() => topicFromNumber(-1)).toThrow(/n must be a uint32/)
  })
})

const sameBytes = (x: Uint8Array, y: Uint8Array): boolean => x.length === y.length && x.every((v, i) => v === y[i])
