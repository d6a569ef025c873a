import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkTime } from '../src/validator.ts'

const allow = { futureSeconds: 10, pastSeconds: 20 }
const now = 1_000_000

describe('checkTime (spec §2.6)', () => {
  it('accepts a current envelope with its own TTL for PoW', () => {
    expect(checkTime({ expiry: now + 50, ttl: 50 }, now, 0, allow)).toEqual({ ok: true, powTtl: 50 })
  })
  it('refuses TTL 0', () => {
    expect(checkTime({ expiry: now, ttl: 0 }, now, 0, allow)).toEqual({ ok: false, reason: 'ttl-zero' })
  })
  it('accepts the near future with the TTL enlarged as geth does', () => {
    // sent 5 s ahead: PoW over ttl + 5 + 1
    expect(checkTime({ expiry: now + 55, ttl: 50 }, now, 0, allow)).toEqual({ ok: true, powTtl: 56 })
  })
  it('drops the far future, softly when the peer clock explains it', () => {
    expect(checkTime({ expiry: now + 100, ttl: 50 }, now, 0, allow)).toEqual({ ok: false, reason: 'future' })
    expect(checkTime({ expiry: now + 100, ttl: 50 }, now, 45, allow)).toEqual({ ok: false, reason: 'future-skew' })
  })
  it('drops the recently expired softly and the long expired with cost', () => {
    expect(checkTime({ expiry: now - 5, ttl: 50 }, now, 0, allow)).toEqual({ ok: false, reason: 'expired' })
    expect(checkTime({ expiry: now - 21, ttl: 50 }, now, 0, allow)).toEqual({ ok: false, reason: 'expired-far' })
    expect(checkTime({ expiry: now - 21, ttl: 50 }, now, -5, allow)).toEqual({ ok: false, reason: 'expired' })
  })
  it('accepts exactly at expiry (geth drops only when expiry < now)', () => {
    expect(checkTime({ expiry: now, ttl: 50 }, now, 0, allow)).toEqual({ ok: true, powTtl: 50 })
  })
  it('an accepted envelope is never expired and never beyond the future allowance', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 * now }), fc.integer({ min: 1, max: 1000 }), fc.integer({ min: -100, max: 100 }), (expiry, ttl, offset) => {
        const v = checkTime({ expiry, ttl }, now, offset, allow)
        if (v.ok) {
          expect(expiry).toBeGreaterThanOrEqual(now)
          expect(expiry - ttl).toBeLessThanOrEqual(now + 10)
          expect(v.powTtl).toBeGreaterThanOrEqual(ttl)
        }
      })
    )
  })
})
