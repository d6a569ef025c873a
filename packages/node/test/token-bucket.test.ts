import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { chargeTokens, createTokenBucket, takeTokens } from '../src/token-bucket.ts'

describe('token bucket', () => {
  it('allows the burst, then the refill rate', () => {
    const b = createTokenBucket(10, 5, 0)
    for (let i = 0; i < 5; i++) expect(takeTokens(b, 1, 0)).toBe(true)
    expect(takeTokens(b, 1, 0)).toBe(false)
    expect(takeTokens(b, 1, 100)).toBe(true) // 100 ms at 10/s refills one token
    expect(takeTokens(b, 1, 100)).toBe(false)
  })
  it('never grants more than burst + rate × time', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 3 })), { maxLength: 200 }),
        (steps) => {
          const b = createTokenBucket(50, 20, 0)
          let now = 0
          let granted = 0
          for (const [dt, cost] of steps) {
            now += dt
            if (takeTokens(b, cost, now)) granted += cost
          }
          expect(granted).toBeLessThanOrEqual(20 + (50 * now) / 1000 + 3)
        }
      )
    )
  })
  it('lets one cost above the burst through from a full bucket', () => {
    const b = createTokenBucket(1000, 100, 0)
    expect(takeTokens(b, 500, 0)).toBe(true)
    expect(takeTokens(b, 1, 0)).toBe(false)
    expect(takeTokens(b, 1, 401)).toBe(true)
  })
  it('rejects bad settings', () => {
    expect(() => createTokenBucket(0, 1, 0)).toThrow(/ratePerSecond/)
    expect(() => createTokenBucket(1, -1, 0)).toThrow(/burst/)
  })
  it('chargeTokens goes into debt and says how long until it is paid', () => {
    const b = createTokenBucket(100, 100, 0)
    expect(chargeTokens(b, 60, 0)).toBe(0)
    expect(chargeTokens(b, 90, 0)).toBe(500) // 50 tokens short at 100/s
    expect(chargeTokens(b, 0, 500)).toBe(0)
    expect(b.tokens).toBe(0)
  })
})
