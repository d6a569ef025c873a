import { FULL_BLOOM, topicToBloom, topicsToBloom } from '@hush/envelope'
import { describe, expect, it } from 'vitest'
import { peerWants } from '../src/forwarding.ts'

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
