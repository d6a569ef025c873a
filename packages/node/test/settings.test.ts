import { MAX_ENVELOPE_SIZE_BYTES } from '@hush/envelope'
import { describe, expect, it } from 'vitest'
import { resolveSettings } from '../src/settings.ts'

describe('resolveSettings', () => {
  it('feeds the pool the node’s own rules: its future allowance, and sizes up to the hard cap', () => {
    const s = resolveSettings({ futureAllowanceSeconds: 30, maxMessageSize: 4096, pool: { maxCount: 10 } })
    expect(s.pool).toMatchObject({ futureAllowanceSeconds: 30, maxEnvelopeBytes: MAX_ENVELOPE_SIZE_BYTES, maxCount: 10 })
    // Pool bounds below the hard cap bound the largest envelope too.
    expect(resolveSettings({ pool: { maxBytes: 5000 } }).pool.maxEnvelopeBytes).toBe(5000)
  })
  it('ignores pool time and size rules passed in directly (the node owns them)', () => {
    const s = resolveSettings({ pool: { futureAllowanceSeconds: 999, maxEnvelopeBytes: 64 } as never })
    expect(s.pool.futureAllowanceSeconds).toBe(10)
    expect(s.pool.maxEnvelopeBytes).toBe(MAX_ENVELOPE_SIZE_BYTES)
  })
  it('has the documented budget and timing defaults', () => {
    const s = resolveSettings()
    expect([s.envelopesPerSecond, s.softDropsPerSecond, s.packetsPerSecond, s.bytesPerSecond]).toEqual([10_000, 500, 2000, 16 * 1024 * 1024])
    expect([s.drainTimeoutMs, s.maxWriteQueueBytes]).toEqual([30_000, 16 * 1024 * 1024])
  })
  it.each([
    [{ drainTimeoutMs: 0 }, /init\.drainTimeoutMs/],
    [{ rateLimits: { envelopesPerSecond: -1 } }, /init\.rateLimits\.envelopesPerSecond/],
    [{ rateLimits: { softDropsPerSecond: Number.NaN } }, /init\.rateLimits\.softDropsPerSecond/],
  ])('names the bad argument: %o', (init, message) => {
    expect(() => resolveSettings(init)).toThrow(RangeError)
    expect(() => resolveSettings(init)).toThrow(message)
  })
})
