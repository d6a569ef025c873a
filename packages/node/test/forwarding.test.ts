import { FULL_BLOOM, topicToBloom, topicsToBloom } from '@hush/envelope'
import { describe, expect, it } from 'vitest'
import { peerWants, syncKeysFor } from '../src/forwarding.ts'

const t1 = Uint8Array.of(1, 2, 3, 4)
const t2 = Uint8Array.of(9, 9, 9, 9)
const cand = (pow: number, topic = t1, size = 100) => ({ pow, bloom: () => topicToBloom(topic), sizeBytes: size })
const req = <T>(current: T, previous: T = current, changedMs = 0) => ({ current, previous, changedMs })

describe('peerWants', () => {
  it('checks PoW, bloom and size', () => {
    const peer = { minPow: req(0.5), bloom: req<Uint8Array | undefined>(topicsToBloom([t1])), maxSizeBytes: 1000 }
    expect(peerWants(peer, cand(1))).toBe(true)
    expect(peerWants(peer, cand(0.1))).toBe(false)
    expect(peerWants(peer, cand(1, t2))).toBe(false)
    expect(peerWants(peer, cand(1, t1, 1001))).toBe(false)
  })
  it('full nodes (no bloom or all ones) want every topic', () => {
    expect(peerWants({ minPow: undefined, bloom: undefined, maxSizeBytes: 1000 }, cand(0, t2))).toBe(true)
    expect(peerWants({ minPow: undefined, bloom: req<Uint8Array | undefined>(FULL_BLOOM), maxSizeBytes: 1000 }, cand(0, t2))).toBe(true)
  })
})

describe('syncKeysFor', () => {
  const entries = [
    { key: 'own', bytes: 100, peer: undefined },
    { key: 'relayed', bytes: 100, peer: 'p' },
    { key: 'big', bytes: 5000, peer: undefined },
  ]
  const seen: unknown[] = []
  const pool = {
    select(options: unknown) {
      seen.push(options)
      return entries
    },
  }
  const peer = { minPow: req(0.5), bloom: req<Uint8Array | undefined>(undefined), maxSizeBytes: 1000 }
  it('asks the pool with the peer’s bloom, PoW and the time, and leaves out what is over its max size', () => {
    expect(syncKeysFor(peer, pool, false, 77)).toEqual(['own', 'relayed'])
    expect(seen.at(-1)).toEqual({ bloom: undefined, minPow: 0.5, now: 77 })
  })
  it('a light node syncs only its own envelopes', () => {
    expect(syncKeysFor(peer, pool, true, 77)).toEqual(['own'])
  })
})
