/**
 * The network bench's output: one Markdown table per node count and envelope size with every
 * router side by side, the ratio lines against the targets of issue 16, and the JSON file of all
 * points (the shape bench/model reads).
 */
import { writeFileSync } from 'node:fs'
import type { TrafficResult } from './traffic-run.ts'

/** A router of the bench, as named in the JSON. */
export type RouterName = 'hush' | 'gossipsub-nosign' | 'gossipsub-sign' | 'naive-flood'

/**
 * One measured point, as written to the JSON file (the fields bench/model/measured.ts reads, plus
 * `rate` and `messages`). Figures that could not be measured (no delivery) are written as `null`.
 */
export interface MeasuredPoint {
  router: RouterName
  nodes: number
  /** Average degree of the seeded topology. */
  degree: number
  envelopeBytes: number
  /** Messages per second. */
  rate: number
  /** Measured messages (warm-up excluded). */
  messages: number
  deliveryRatio: number
  p50Ms: number
  p99Ms: number
  bytesPerDelivery: number
  cpuUsPerDelivery: number
  /** Memory after a forced GC minus the baseline before the nodes, per node. */
  memoryPerNodeBytes: number
  /** Copies received per delivery, duplicates included; `null` where the router does not count duplicates. */
  copiesPerDelivery: number | null
  /** Where the figures come from. */
  source: string
}

/** A point with the figures only the table shows. */
export interface ReportRow {
  point: MeasuredPoint
  result: TrafficResult
}

const LABELS: Record<RouterName, string> = {
  hush: 'hush',
  'gossipsub-nosign': 'gossipsub StrictNoSign',
  'gossipsub-sign': 'gossipsub defaults (StrictSign)',
  'naive-flood': 'naive flood',
}

const fmt = (n: number | undefined, digits = 1): string =>
  n === undefined || Number.isNaN(n) ? '–' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })

/** The table of one node count and size, routers side by side. */
export function markdownTable(rows: readonly ReportRow[]): string {
  const lines = [
    '| router | delivery | p50 ms | p99 ms | bytes sent per delivery | CPU µs per delivery | memory per node KiB | duplicates per delivery |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ]
  for (const { point: p, result: r } of rows) {
    lines.push(
      `| ${LABELS[p.router]} | ${fmt(p.deliveryRatio, 3)} | ${fmt(p.p50Ms)} | ${fmt(p.p99Ms)} | ${fmt(p.bytesPerDelivery, 0)} | ${fmt(p.cpuUsPerDelivery, 0)} | ${fmt(p.memoryPerNodeBytes / 1024, 0)} | ${fmt(r.duplicatesPerDelivery, 2)} |`
    )
  }
  return lines.join('\n')
}

/** The ratio lines of one table (those whose routers were measured), with the targets. */
export function ratioLines(rows: readonly ReportRow[]): string[] {
  const of = (router: RouterName): MeasuredPoint | undefined => rows.find((r) => r.point.router === router)?.point
  const hush = of('hush')
  const gossipsub = of('gossipsub-nosign')
  const naive = of('naive-flood')
  const lines: string[] = []
  if (hush === undefined) return lines
  if (gossipsub !== undefined) {
    lines.push(`hush / gossipsub StrictNoSign bytes per delivery: ${fmt(hush.bytesPerDelivery / gossipsub.bytesPerDelivery, 2)}× (target ≤ 0.6)`)
  }
  if (naive !== undefined) lines.push(`hush / naive flood p50: ${fmt(hush.p50Ms / naive.p50Ms, 2)}× (target ≤ 1.1)`)
  if (gossipsub !== undefined) lines.push(`hush / gossipsub StrictNoSign p50: ${fmt(hush.p50Ms / gossipsub.p50Ms, 2)}×`)
  const own = rows.find((r) => r.point.router === 'hush')?.result.ownBytesPerDelivery
  if (own !== undefined) lines.push(`hush bytes cross-check: ${fmt(hush.bytesPerDelivery, 0)} counted on /shh/ streams, ${fmt(own, 0)} by info().traffic.bytesOut`)
  return lines
}

/** Writes every point to `path` as `{ measuredAt, machine, points }`. */
export function writePoints(path: string, machine: string, points: readonly MeasuredPoint[]): void {
  writeFileSync(path, `${JSON.stringify({ measuredAt: new Date().toISOString(), machine, points }, null, 2)}\n`)
}
