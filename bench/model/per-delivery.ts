/**
 * The per-delivery costs the model feeds on, picked from the measured points: for each router and
 * envelope size, the measured point with the most nodes (the closest to the modelled sizes); the
 * per-hop latency from the point with the fewest (see {@link perHopMs}). Where no point exists the
 * cost is derived, and the derivation is named in `source`.
 */
import { naiveFloodCopiesPerDelivery } from './flood.ts'
import type { MeasuredInputs, MeasuredPoint, RouterName } from './measured.ts'

/** A cost with where it came from. */
export interface Derived {
  /** The number. */
  value: number
  /** Measured point, closed form or scaling it came from. */
  source: string
}

/** Wire bytes of an envelope with `dataBytes` of data. */
export function wireBytes(inputs: MeasuredInputs, dataBytes: number): number {
  return dataBytes + inputs.costs.envelopeOverheadBytes.value
}

/** The point with the most nodes for a router and size that has `field` measured. */
function largestPoint(
  points: readonly MeasuredPoint[],
  router: RouterName,
  field: 'bytesPerDelivery' | 'cpuUsPerDelivery',
  envelopeBytes?: number
): MeasuredPoint | undefined {
  return points
    .filter((p) => p.router === router && p[field] !== null && (envelopeBytes === undefined || p.envelopeBytes === envelopeBytes))
    .sort((a, b) => b.nodes - a.nodes || b.envelopeBytes - a.envelopeBytes)[0]
}

const cite = (p: MeasuredPoint): string => `measured, N=${p.nodes}, ${p.envelopeBytes} B (${p.source.split(':')[0]})`

/**
 * Protocol bytes per delivery for a router at a data size. Measured if a point has it. Otherwise:
 * Hush below the notice threshold floods without notices, so the closed form's `d − 1` copies of
 * the wire bytes; anything else scales the nearest measured size by the wire-size ratio.
 * @throws {Error} when the router has no measured bytes at any size
 */
export function bytesPerDelivery(inputs: MeasuredInputs, router: RouterName, dataBytes: number, degree: number): Derived {
  const exact = largestPoint(inputs.points, router, 'bytesPerDelivery', dataBytes)
  if (exact?.bytesPerDelivery != null) return { value: exact.bytesPerDelivery, source: cite(exact) }
  const wire = wireBytes(inputs, dataBytes)
  if (router === 'naive-flood' || (router === 'hush' && dataBytes < inputs.costs.noticeMinBytes.value)) {
    const copies = naiveFloodCopiesPerDelivery(1e9, degree)
    return { value: copies * wire, source: `closed form: ${copies.toFixed(2)} copies × ${wire} B (no notices below ${inputs.costs.noticeMinBytes.value} B)` }
  }
  const candidates = inputs.points.filter((p) => p.router === router && p.bytesPerDelivery !== null && p.envelopeBytes >= inputs.costs.noticeMinBytes.value)
  const near = candidates.sort((a, b) => Math.abs(a.envelopeBytes - dataBytes) - Math.abs(b.envelopeBytes - dataBytes) || b.nodes - a.nodes)[0]
  if (near?.bytesPerDelivery == null) throw new Error(`no measured bytes per delivery for ${router}`)
  const ratio = wire / wireBytes(inputs, near.envelopeBytes)
  return { value: near.bytesPerDelivery * ratio, source: `scaled by wire size (${ratio.toFixed(2)}×) from ${cite(near)}` }
}

/**
 * CPU per delivery for a Hush node: the measured ingest of one new envelope (Noise, forwarding
 * included) plus the measured cost of each duplicate copy, `copies − 1` of them. The network
 * bench's own CPU per delivery divides the whole process's CPU, fixed timers of every node
 * included, by the few deliveries of a 5 msg/s run, so it is not a marginal cost.
 */
export function hushCpuPerDelivery(inputs: MeasuredInputs, copies: number): Derived {
  const { ingestCpuUsPerEnvelope: ingest, duplicateCpuUsPerCopy: dup } = inputs.costs
  const value = ingest.value + Math.max(0, copies - 1) * dup.value
  return { value, source: `ingest ${ingest.value} µs + ${Math.max(0, copies - 1).toFixed(2)} duplicates × ${dup.value} µs (ingest.bench.ts)` }
}

/**
 * CPU per delivery for another router: Hush's, times the two routers' measured ratio in the run
 * that measured both at the most nodes (the same process, graph and traffic).
 */
export function scaledCpuPerDelivery(inputs: MeasuredInputs, router: RouterName, hushCpu: Derived): Derived {
  const theirs = largestPoint(inputs.points, router, 'cpuUsPerDelivery')
  const ours = theirs && inputs.points.find((p) => p.router === 'hush' && p.nodes === theirs.nodes && p.envelopeBytes === theirs.envelopeBytes && p.cpuUsPerDelivery !== null)
  if (theirs?.cpuUsPerDelivery == null || ours?.cpuUsPerDelivery == null) return { value: hushCpu.value, source: `${hushCpu.source}; no measured ratio for ${router}` }
  const ratio = theirs.cpuUsPerDelivery / ours.cpuUsPerDelivery
  return { value: hushCpu.value * ratio, source: `Hush's × ${ratio.toFixed(2)} (${router} ÷ hush CPU, ${cite(theirs)})` }
}

/**
 * Per-hop processing latency of a router: its measured p50 divided by the median hop count of that
 * run's graph, at the point with the fewest nodes (the default) or the most. The network bench runs
 * every node in one process, so the larger its N, the more of each hop is waiting for the other
 * nodes' work on the same event loop (its CPU per delivery grows with N too): the smallest run is
 * the closest to one node's own processing, the largest an upper bound.
 * @throws {Error} when the router has no measured p50
 */
export function perHopMs(inputs: MeasuredInputs, router: RouterName, p50HopsAt: (nodes: number) => number, basis: 'fewest nodes' | 'most nodes' = 'fewest nodes'): Derived {
  const having = inputs.points.filter((p) => p.router === router && p.p50Ms !== null)
  const p = having.sort((a, b) => (basis === 'fewest nodes' ? a.nodes - b.nodes : b.nodes - a.nodes) || b.envelopeBytes - a.envelopeBytes)[0]
  if (p?.p50Ms == null) throw new Error(`no measured p50 for ${router}`)
  const hops = p50HopsAt(p.nodes)
  return { value: p.p50Ms / hops, source: `${p.p50Ms.toFixed(1)} ms ÷ ${hops} hops (p50 on the bench graph), ${cite(p)}` }
}
