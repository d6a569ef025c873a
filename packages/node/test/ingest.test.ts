import { encodeEnvelope, topicFromString } from '@hush/envelope'
import { createPool } from '@hush/pool'
import { describe, expect, it } from 'vitest'
import type { IngestRules } from '../src/check-envelope.ts'
import { WhisperCounters } from '../src/counters.ts'
import { ingestEnvelope } from '../src/ingest.ts'
import { requirement, testRules } from './fixtures/rules.ts'

const now = 1_800_000_000
const req = requirement

function setup(poolInit = {}) {
  const pool = createPool({ futureAllowanceSeconds: 10, ...poolInit })
  const counters = new WhisperCounters()
  const rules: IngestRules = testRules(now, { seen: (key, t) => pool.hasSeen(key, t) })
  return { pool, counters, rules }
}
const env = (nonce: bigint, over = {}): Uint8Array =>
  encodeEnvelope({ expiry: now + 50, ttl: 50, topic: topicFromString('i'), data: new Uint8Array(64), nonce, ...over })

describe('ingestEnvelope', () => {
  it('adds a new envelope, then calls the same bytes a duplicate, counting both', () => {
    const { pool, counters, rules } = setup()
    const first = ingestEnvelope(env(1n), rules, pool, counters, 'peer-a')
    expect(first.status).toBe('added')
    if (first.status === 'added') {
      expect(first.expiry).toBe(now + 50)
      expect(first.sizeBytes).toBe(20 + 64)
      expect(pool.get(first.key)?.peer).toBe('peer-a')
    }
    const again = ingestEnvelope(env(1n), rules, pool, counters, 'peer-b')
    expect(again).toMatchObject({ status: 'duplicate', expiry: now + 50 })
    expect([counters.added, counters.duplicates]).toEqual([1, 1])
  })
  it('turns a pool refusal into a drop reason and counts it', () => {
    const { pool, counters, rules } = setup({ maxCount: 1, peerShare: 1 })
    rules.minPow = req(0)
    expect(ingestEnvelope(env(1n, { ttl: 10, expiry: now + 10 }), rules, pool, counters, 'p').status).toBe('added')
    // A larger TTL ranks lower at the same PoW: no room for it.
    const refused = ingestEnvelope(env(2n, { ttl: 5000, expiry: now + 5000 }), rules, pool, counters, 'p')
    expect(refused).toEqual({ status: 'dropped', reason: 'pool-full' })
    expect(counters.drops['pool-full']).toBe(1)
  })
  it('drops what the checks refuse, with the reason', () => {
    const { pool, counters, rules } = setup()
    expect(ingestEnvelope(Uint8Array.of(0xc0), rules, pool, counters, undefined)).toEqual({ status: 'dropped', reason: 'invalid-envelope' })
    expect(counters.drops['invalid-envelope']).toBe(1)
    expect(pool.size).toBe(0)
  })
})
