import { describe, expect, it } from 'vitest'
import { fitAndPredict } from '../check.ts'
import { measuredPoint } from './fixtures.ts'

const point = measuredPoint

describe('fitAndPredict', () => {
  it('predicts constant bytes per delivery from the smallest N and reports the error', () => {
    const rows = fitAndPredict([point(200, { bytesPerDelivery: 2750 }), point(20, { bytesPerDelivery: 2500 }), point(50, { bytesPerDelivery: 2500 })], () => 2)
    expect(rows.map((r) => [r.nodes, r.predicted, r.measured])).toEqual([
      [50, 2500, 2500],
      [200, 2500, 2750],
    ])
    expect(rows[1].error).toBeCloseTo(-250 / 2750, 12)
    expect(rows.every((r) => r.fitNodes === 20 && r.metric === 'bytes per delivery')).toBe(true)
  })

  it('scales p50 latency by the hop counts of the two graphs', () => {
    const hops = (n: number) => (n === 20 ? 2 : 3)
    const [row] = fitAndPredict([point(20, { p50Ms: 8 }), point(200, { p50Ms: 12 })], hops)
    expect(row.metric).toBe('p50 ms')
    expect(row.predicted).toBe(12)
    expect(row.error).toBe(0)
  })

  it('fits each router and envelope size on its own, and predicts nothing from one point', () => {
    const rows = fitAndPredict(
      [point(20, { bytesPerDelivery: 1 }), { ...point(50, { bytesPerDelivery: 9 }), envelopeBytes: 300 }, { ...point(50, { bytesPerDelivery: 9 }), router: 'gossipsub-nosign' }],
      () => 2
    )
    expect(rows).toEqual([])
  })
})
