import { type Envelope, encodeEnvelope, topicFromString, topicToBloom } from '@hush/envelope'
import { describe, expect, it } from 'vitest'
import { type IngestRules, checkEnvelope } from '../src/check-envelope.ts'
import { requirement, testRules } from './fixtures/rules.ts'

const now = 1_764_072_000
const topic = topicFromString('checks')
const req = requirement
const rules = (over: Partial<IngestRules> = {}): IngestRules => testRules(now, over)
const env = (over: Partial<Envelope> = {}): Uint8Array =>
  encodeEnvelope({ expiry: now + 50, ttl: 50, topic, data: new Uint8Array(100), nonce: 1n, ...over })

describe('checkEnvelope (design §4 order)', () => {
  it('accepts a good envelope with its hash, key and PoW', () => {
    const r = checkEnvelope(env(), rules())
    expect(r.status).toBe('new')
    if (r.status === 'new') {
      expect(r.hash).toHaveLength(32)
      expect(r.pow).toBeGreaterThan(0)
      expect(r.bloom()).toEqual(topicToBloom(topic))
    }
  })
  it.each([
    ['invalid-envelope', Uint8Array.of(1, 2, 3), rules()],
    ['ttl-zero', env({ ttl: 0 }), rules()],
    ['expired', env({ expiry: now - 5 }), rules()],
    ['expired-far', env({ expiry: now - 100 }), rules()],
    ['future', env({ expiry: now + 500 }), rules()],
    ['too-large', env({ data: new Uint8Array(2000) }), rules({ maxMessageSize: 1000 })],
    ['low-pow', env(), rules({ minPow: req(1e9) })],
    ['bloom-mismatch', env(), rules({ bloom: req<Uint8Array | undefined>(new Uint8Array(64)) })],
  ] as const)('drops %s', (reason, raw, r) => {
    expect(checkEnvelope(raw, r)).toEqual({ status: 'dropped', reason })
  })
  it('recognises duplicates before computing the PoW, so a seen envelope is never judged on PoW', () => {
    const r = checkEnvelope(env(), rules({ seen: () => true, minPow: req(1e9) }))
    expect(r.status).toBe('duplicate')
  })
  it('tolerates the previous PoW requirement for a while after a change', () => {
    const changed = { current: 1e9, previous: 0, changedMs: now * 1000 - 1000 }
    expect(checkEnvelope(env(), rules({ minPow: changed })).status).toBe('new')
    expect(checkEnvelope(env(), rules({ minPow: { ...changed, changedMs: now * 1000 - 20_000 } })).status).toBe('dropped')
  })
  it('does not hold our own posts to our own bloom (a light node posts to any topic)', () => {
    const bloom = req<Uint8Array | undefined>(new Uint8Array(64))
    expect(checkEnvelope(env(), rules({ bloom })).status).toBe('dropped')
    expect(checkEnvelope(env(), rules({ bloom, isOwn: true })).status).toBe('new')
  })
})
