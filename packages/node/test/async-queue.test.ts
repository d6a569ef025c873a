import fc from 'fast-check'
import { getEventListeners } from 'node:events'
import { describe, expect, it } from 'vitest'
import { AsyncQueue, readUntilAborted } from '../src/async-queue.ts'

/** Microtask turns until `done()` holds (at most 100). */
async function turnsUntil(done: () => boolean): Promise<number> {
  let turns = 0
  while (!done() && turns < 100) {
    await Promise.resolve()
    turns++
  }
  return turns
}

describe('AsyncQueue reading', () => {
  it('a waiting reader has a pushed item one microtask turn later', async () => {
    // A subscriber that lags turns behind lags behind every relay the process does meanwhile:
    // the nested async generators this replaced took 4 turns, which was 1.6 ms of the network
    // bench's 3 ms p50 at 20 nodes (bench/README.md).
    const q = new AsyncQueue<number>(4)
    const got: number[] = []
    void (async () => {
      for await (const n of readUntilAborted(q, undefined, () => {})) got.push(n)
    })()
    await turnsUntil(() => false) // the reader is waiting
    q.push(1)
    expect(await turnsUntil(() => got.length === 1)).toBeLessThanOrEqual(1)
    q.push(2)
    expect(await turnsUntil(() => got.length === 2)).toBeLessThanOrEqual(1)
    q.close()
  })

  it('hands over queued items in order, then ends when closed', async () => {
    const q = new AsyncQueue<number>(8)
    for (const n of [1, 2, 3]) q.push(n)
    q.close()
    q.push(4)
    const got: number[] = []
    for await (const n of q) got.push(n)
    expect(got).toEqual([1, 2, 3])
  })

  it('drops the oldest items when full, and counts them', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.array(fc.integer(), { maxLength: 60 }), (capacity, items) => {
        const q = new AsyncQueue<number>(capacity)
        for (const n of items) q.push(n)
        const kept = items.slice(Math.max(0, items.length - capacity))
        expect(q.size).toBe(kept.length)
        expect(q.dropped).toBe(items.length - kept.length)
        expect(q.drain()).toEqual(kept)
      })
    )
  })

  it('a queue closed from outside ends its reader and removes the subscription once, leaving no abort listener', async () => {
    const q = new AsyncQueue<number>(4)
    const ac = new AbortController()
    let removed = 0
    const got: number[] = []
    const reading = (async () => {
      for await (const n of readUntilAborted(q, ac.signal, () => removed++)) got.push(n)
    })()
    q.push(1)
    await turnsUntil(() => got.length === 1)
    q.close()
    await reading
    expect(got).toEqual([1])
    expect(removed).toBe(1)
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0)
    ac.abort()
    expect(removed).toBe(1)
  })

  it('an already aborted signal ends the reader at once with nothing read', async () => {
    const q = new AsyncQueue<number>(4)
    q.push(1)
    let removed = 0
    const got: number[] = []
    for await (const n of readUntilAborted(q, AbortSignal.abort(), () => removed++)) got.push(n)
    expect(got).toEqual([])
    expect(removed).toBe(1)
  })
})
