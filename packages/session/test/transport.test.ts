import { topicFromString } from '@hush/envelope'
import { describe, expect, it } from 'vitest'
import { createMemoryTransport, seededRandom } from '../src/memory-transport.ts'
import { discoveryTopic } from '../src/topics.ts'
import { generateKeyPair } from '@hush/envelope'
import { sleep, waitFor } from './fixtures.ts'

const topic = topicFromString('t')

async function collect(it: AsyncIterable<{ data: Uint8Array }>, into: number[]): Promise<void> {
  for await (const e of it) into.push(e.data[0])
}

describe('memory transport', () => {
  it('delivers to every subscriber of the topic, own posts included, and ends on abort', async () => {
    const t = createMemoryTransport()
    const ac = new AbortController()
    const got: number[] = []
    const other: number[] = []
    const done = collect(t.subscribeEnvelopes([topic], { signal: ac.signal }), got)
    void collect(t.subscribeEnvelopes([topicFromString('other')], { signal: ac.signal }), other)
    const hash = await t.postEnvelope({ topic, data: Uint8Array.of(1), ttlSeconds: 5 })
    expect(hash.length).toBe(32)
    await t.postEnvelope({ topic, data: Uint8Array.of(2), ttlSeconds: 5 })
    await waitFor(() => got.length === 2, 'two envelopes')
    expect(got).toEqual([1, 2])
    expect(other).toEqual([])
    expect(t.posted.map((e) => e.ttl)).toEqual([5, 5])
    ac.abort()
    await done
    expect(t.subscriptionCount).toBe(0)
  })

  it('injects loss, duplication and reordering reproducibly from the seed', async () => {
    const run = async (): Promise<number[]> => {
      const t = createMemoryTransport({ seed: 42, loss: 0.3, duplicate: 0.3, maxDelayMs: 20 })
      const ac = new AbortController()
      const got: number[] = []
      void collect(t.subscribeEnvelopes([topic], { signal: ac.signal }), got)
      for (let i = 0; i < 100; i++) await t.postEnvelope({ topic, data: Uint8Array.of(i), ttlSeconds: 5 })
      await sleep(60)
      ac.abort()
      return got
    }
    const got = await run()
    const distinct = new Set(got)
    expect(distinct.size).toBeLessThan(100) // some lost
    expect(got.length).toBeGreaterThan(distinct.size) // some twice
    expect(got.some((v, i) => i > 0 && v < got[i - 1])).toBe(true) // some reordered
    expect(new Set(await run())).toEqual(distinct) // the same losses with the same seed
  })

  it('rejects bad arguments', async () => {
    expect(() => createMemoryTransport({ loss: 2 })).toThrow(RangeError)
    expect(() => createMemoryTransport({ maxDelayMs: -1 })).toThrow(RangeError)
    const t = createMemoryTransport()
    await expect(t.postEnvelope({ topic: new Uint8Array(3), data: new Uint8Array(0), ttlSeconds: 1 })).rejects.toThrow(TypeError)
    await expect(t.postEnvelope({ topic, data: new Uint8Array(0), ttlSeconds: 0 })).rejects.toThrow(RangeError)
    expect(() => t.subscribeEnvelopes([])).toThrow(TypeError)
    const rnd = seededRandom(1)
    expect(rnd()).toBe(seededRandom(1)())
  })
})

describe('discovery topics', () => {
  it('partition keys into at most `partitions` topics, the same for the same key', () => {
    const keys = Array.from({ length: 64 }, () => generateKeyPair().publicKey)
    const topics = new Set(keys.map((k) => Buffer.from(discoveryTopic(k, 4)).toString('hex')))
    expect(topics.size).toBeLessThanOrEqual(4)
    expect(topics.size).toBeGreaterThan(1)
    expect(discoveryTopic(keys[0], 4)).toEqual(discoveryTopic(keys[0], 4))
    expect(new Set(keys.map((k) => Buffer.from(discoveryTopic(k, 1)).toString('hex'))).size).toBe(1)
    expect(() => discoveryTopic(new Uint8Array(65), 4)).toThrow(RangeError)
    expect(() => discoveryTopic(keys[0], 0)).toThrow(RangeError)
  })
})
