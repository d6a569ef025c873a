import { describe, expect, it } from 'vitest'
import { MAX_P2P_DELIVERED_HASHES, P2P_DELIVERED_MEMORY_MS } from '../src/constants.ts'
import { RecentHashes } from '../src/recent-hashes.ts'

describe('RecentHashes (code-127 dedup memory)', () => {
  it('remembers a hash for its lifetime after it was added, whatever the envelope expiry', () => {
    const hashes = new RecentHashes(1000, 10)
    hashes.add('a', 5000)
    expect(hashes.has('a', 5999)).toBe(true)
    expect(hashes.has('a', 6000)).toBe(false)
    expect(hashes.has('b', 5000)).toBe(false)
    // Adding again while held keeps the first time (and place).
    hashes.add('a', 5500)
    expect(hashes.has('a', 6000)).toBe(false)
  })

  it('holds at most its capacity, forgetting the oldest first', () => {
    const hashes = new RecentHashes(1000, 3)
    for (const [i, k] of ['a', 'b', 'c', 'd'].entries()) hashes.add(k, i)
    expect(hashes.size).toBe(3)
    expect(hashes.has('a', 10)).toBe(false)
    expect(['b', 'c', 'd'].every((k) => hashes.has(k, 10))).toBe(true)
  })

  it('prune forgets only what lapsed', () => {
    const hashes = new RecentHashes(100, 10)
    hashes.add('a', 0)
    hashes.add('b', 50)
    expect(hashes.prune(120)).toBe(1)
    expect(hashes.size).toBe(1)
    expect(hashes.has('b', 120)).toBe(true)
    hashes.clear()
    expect(hashes.size).toBe(0)
  })

  it('defaults: one hour, 100k hashes; bad settings are refused', () => {
    expect(P2P_DELIVERED_MEMORY_MS).toBe(3_600_000)
    expect(MAX_P2P_DELIVERED_HASHES).toBe(100_000)
    expect(() => new RecentHashes(0, 1)).toThrow(RangeError)
    expect(() => new RecentHashes(1, 0.5)).toThrow(RangeError)
  })
})
