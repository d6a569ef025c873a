import { describe, expect, it, vi } from 'vitest'
import { SealEstimator } from '../src/seal-estimate.ts'

vi.mock('@hush/pow', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@hush/pow')>()
  return { ...actual, measureHashRate: vi.fn(actual.measureHashRate) }
})

describe('SealEstimator', () => {
  it('measures the nonce rate once, reuses it for ten minutes, then measures again', async () => {
    const { measureHashRate } = await import('@hush/pow')
    const estimator = new SealEstimator(2)
    const low = estimator.estimate({ sizeBytes: 512, ttl: 60, powTarget: 0.2 }, 0)
    const high = estimator.estimate({ sizeBytes: 512, ttl: 60, powTarget: 50 }, 60_000)
    expect(low.hashRate).toBeGreaterThan(0)
    expect(high.hashRate).toBe(low.hashRate)
    expect(low.workers).toBe(2)
    expect(high.expectedMs).toBeGreaterThan(low.expectedMs * 100)
    expect(low.medianMs).toBeLessThan(low.expectedMs)
    expect(measureHashRate).toHaveBeenCalledTimes(1)
    estimator.estimate({ sizeBytes: 512, ttl: 60, powTarget: 0.2 }, 10 * 60_000 + 1)
    expect(measureHashRate).toHaveBeenCalledTimes(2)
  })

  it('counts one core for sealWorkers 0 (the main thread) and a bigger envelope or longer TTL as more work per the PoW formula', () => {
    const estimator = new SealEstimator(0)
    const small = estimator.estimate({ sizeBytes: 256, ttl: 10, powTarget: 5 }, 0)
    expect(small.workers).toBe(1)
    // PoW = 2^bits / (size × ttl): 16× size × ttl needs 4 more bits for the same PoW.
    const big = estimator.estimate({ sizeBytes: 1024, ttl: 40, powTarget: 5 }, 0)
    expect(big.expectedMs).toBeGreaterThan(small.expectedMs * 8)
  })
})
