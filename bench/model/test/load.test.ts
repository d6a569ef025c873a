import { describe, expect, it } from 'vitest'
import { PHONE, PHONE_UNMETERED, SECONDS_PER_MONTH } from '../assumptions.ts'
import { breakEven, budgetUse, fits } from '../budget.ts'
import { carryAll, carryBloom, carryParts, type NodeCostModel, nodeLoad } from '../load.ts'

const flood: NodeCostModel = {
  carriedRate: carryAll,
  bytesPerDelivery: 2500,
  uploadBytesPerDelivery: 2500,
  cpuUsPerDelivery: 50,
  holdSeconds: 50,
  wireBytes: 1021,
  memoryPerRawByte: 1.2,
}

describe('nodeLoad', () => {
  it('charges a flood node the whole network rate times the bytes per delivery', () => {
    const l = nodeLoad(flood, 10_000, 1 / 60)
    expect(l.globalRate).toBeCloseTo(10_000 / 60, 9)
    expect(l.downBytesPerSecond).toBeCloseTo((10_000 / 60) * 2500, 6)
    expect(l.monthlyBytes).toBeCloseTo(2 * l.downBytesPerSecond * SECONDS_PER_MONTH, 0)
    expect(l.poolBytes).toBeCloseTo((10_000 / 60) * 50 * 1021 * 1.2, 3)
    expect(l.cpuCores).toBeCloseTo(((10_000 / 60) * 50) / 1e6, 12)
  })

  it('grows linearly in N, and a node in 1 of S parts pays 1/S of it', () => {
    const a = nodeLoad(flood, 1000, 0.01)
    const b = nodeLoad(flood, 2000, 0.01)
    expect(b.downBytesPerSecond).toBeCloseTo(2 * a.downBytesPerSecond, 9)
    const sharded = nodeLoad({ ...flood, carriedRate: carryParts(1, 16) }, 2000, 0.01)
    expect(sharded.downBytesPerSecond).toBeCloseTo(b.downBytesPerSecond / 16, 9)
    expect(() => carryParts(0, 16)).toThrow(RangeError)
    expect(() => carryParts(17, 16)).toThrow(RangeError)
  })

  it('charges a light node its own traffic plus the false positives of everyone else', () => {
    const carried = carryBloom(0.5, 0.01)
    expect(carried(0.5)).toBeCloseTo(0.5, 12)
    expect(carried(100.5)).toBeCloseTo(0.5 + 1, 12)
  })

  it('rejects negative sizes and rates', () => {
    expect(() => nodeLoad(flood, -1, 1)).toThrow(RangeError)
    expect(() => nodeLoad(flood, 1, -1)).toThrow(RangeError)
  })
})

describe('breakEven', () => {
  it('finds the largest N that fits: one more node does not', () => {
    for (const rate of [1 / 3600, 1 / 600, 1 / 60]) {
      for (const budget of [PHONE, PHONE_UNMETERED]) {
        const { maxNodes, limit } = breakEven(flood, rate, budget, 0.25)
        expect(Number.isFinite(maxNodes)).toBe(true)
        expect(fits(nodeLoad(flood, maxNodes, rate), budget, 0.25)).toBe(true)
        expect(fits(nodeLoad(flood, maxNodes + 1, rate), budget, 0.25)).toBe(false)
        expect(budgetUse(nodeLoad(flood, maxNodes + 1, rate), budget, 0.25)[limit]).toBeGreaterThan(1)
      }
    }
  })

  it('names the data plan for a flood node at 1 KiB, and the link once the plan is unmetered', () => {
    expect(breakEven(flood, 1 / 3600, PHONE, 0.25).limit).toBe('data plan')
    expect(breakEven(flood, 1 / 3600, PHONE_UNMETERED, 0.25).limit).toBe('link')
  })

  it('is 0 when the fixed part alone is over budget and ∞ when nothing grows with N', () => {
    const heavy = { ...flood, carriedRate: carryBloom(1000, 0) }
    expect(breakEven(heavy, 1, PHONE, 0.25).maxNodes).toBe(0)
    const fixed = { ...flood, carriedRate: carryBloom(0.001, 0) }
    expect(breakEven(fixed, 1, PHONE, 0.25).maxNodes).toBe(Number.POSITIVE_INFINITY)
  })
})
