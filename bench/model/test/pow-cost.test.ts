import { describe, expect, it } from 'vitest'
import { sealCost } from '../pow-cost.ts'

describe('sealCost', () => {
  it('needs ceil(log2(PoW × size × TTL)) bits and 2^bits nonces at the given rate', () => {
    // 1000 B of data: size() = 1020; 0.2 × 1020 × 50 = 10,200, log2 = 13.3: 14 bits.
    const c = sealCost(1000, 50, 0.2, 1_000_000)
    expect(c.bits).toBe(14)
    const permutations = (c.expectedMs * 1_000_000) / 1000 / 2 ** 14
    expect([1, 2]).toContain(Math.round(permutations))
    expect(c.medianMs).toBeCloseTo(c.expectedMs * Math.LN2, 9)
  })

  it('doubles with each extra bit and halves with twice the nonce rate', () => {
    const base = sealCost(300, 50, 0.2, 1e6)
    expect(sealCost(300, 50, 0.4, 1e6).bits).toBe(base.bits + 1)
    expect(sealCost(300, 50, 0.4, 1e6).expectedMs).toBeCloseTo(2 * base.expectedMs, 9)
    expect(sealCost(300, 50, 0.2, 2e6).expectedMs).toBeCloseTo(base.expectedMs / 2, 9)
  })
})
