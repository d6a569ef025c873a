/** A measured point for the model's tests: Hush at degree 6, everything unmeasured but `fields`. */
import type { MeasuredPoint } from '../measured.ts'

/** A Hush point of `nodes` nodes (1000 B unless `fields` say otherwise), its source `run of <nodes>: details`. */
export const measuredPoint = (nodes: number, fields: Partial<MeasuredPoint> = {}): MeasuredPoint => ({
  router: 'hush',
  nodes,
  degree: 6,
  envelopeBytes: 1000,
  deliveryRatio: 1,
  p50Ms: null,
  p99Ms: null,
  bytesPerDelivery: null,
  copiesPerDelivery: null,
  cpuUsPerDelivery: null,
  memoryPerNodeBytes: null,
  source: `run of ${nodes}: details`,
  ...fields,
})
