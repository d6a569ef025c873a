import { describe, expect, it } from 'vitest'
import { type MeasuredInputs, type MeasuredPoint, readMeasuredInputs } from '../measured.ts'
import { bytesPerDelivery, perHopMs } from '../per-delivery.ts'
import { measuredPoint } from './fixtures.ts'

const base = readMeasuredInputs(new URL('../measured.json', import.meta.url).pathname)

const point = (nodes: number, envelopeBytes: number, fields: Partial<MeasuredPoint>): MeasuredPoint => measuredPoint(nodes, { envelopeBytes, ...fields })

const withPoints = (points: MeasuredPoint[]): MeasuredInputs => ({ ...base, points })

describe('perHopMs', () => {
  // Hops: 2 at 20 nodes, 4 at 1000 (the bench graphs' medians).
  const hops = (n: number) => (n === 20 ? 2 : 4)
  const inputs = withPoints([point(1000, 300, { p50Ms: 320 }), point(20, 300, { p50Ms: 4 }), point(20, 1000, { p50Ms: 5 })])

  it('takes the p50 of the run with the fewest nodes (the larger envelope there) over its hops', () => {
    const hop = perHopMs(inputs, 'hush', hops)
    expect(hop.value).toBe(2.5)
    expect(hop.source).toContain('N=20, 1000 B (run of 20)')
  })

  it('takes the run with the most nodes when asked (the upper bound)', () => {
    expect(perHopMs(inputs, 'hush', hops, 'most nodes').value).toBe(80)
  })

  it('throws when the router has no measured p50', () => {
    expect(() => perHopMs(inputs, 'gossipsub-nosign', hops)).toThrow(/no measured p50 for gossipsub-nosign/)
  })
})

describe('bytesPerDelivery', () => {
  it('uses the measured point with the most nodes at that size', () => {
    const inputs = withPoints([point(20, 300, { bytesPerDelivery: 808 }), point(1000, 300, { bytesPerDelivery: 704 }), point(200, 1000, { bytesPerDelivery: 1930 })])
    expect(bytesPerDelivery(inputs, 'hush', 300, 6)).toEqual({ value: 704, source: 'measured, N=1000, 300 B (run of 1000)' })
  })

  it('prices Hush below the notice threshold as a flood without notices: d − 1 copies of the wire bytes', () => {
    const inputs = withPoints([point(200, 1000, { bytesPerDelivery: 1930 })])
    const wire = 100 + base.costs.envelopeOverheadBytes.value
    expect(base.costs.noticeMinBytes.value).toBe(128)
    expect(bytesPerDelivery(inputs, 'hush', 100, 6).value).toBeCloseTo(5 * wire, 3)
  })
})
