import { encodeEnvelope, encodeRlp } from '@hush/envelope'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { topicOfRaw } from '../src/raw-topic.ts'

describe('topicOfRaw', () => {
  it('reads the topic of a real envelope', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 1, max: 2 ** 31 }), (topic, data, expiry) => {
        const raw = encodeEnvelope({ expiry, ttl: 1, topic, data, nonce: 7n })
        expect(topicOfRaw(raw)).toEqual(topic)
      })
    )
  })

  it('gives undefined for bytes that are not an envelope, and never throws (table and property)', () => {
    const one = new Uint8Array([1])
    const cases: Uint8Array[] = [
      new Uint8Array(0),
      new Uint8Array([0x80]),
      new Uint8Array([0xc0]),
      encodeRlp([one, one]),
      encodeRlp([one, one, new Uint8Array(3), one, one]),
      encodeRlp([one, one, [one], one, one]),
      new Uint8Array([0xf9, 0xff, 0xff]),
      encodeRlp(new Uint8Array(10)),
    ]
    for (const bytes of cases) expect(topicOfRaw(bytes)).toBeUndefined()
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const topic = topicOfRaw(bytes)
        expect(topic === undefined || topic.length === 4).toBe(true)
      })
    )
  })
})
