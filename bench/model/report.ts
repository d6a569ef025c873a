/**
 * Markdown tables for the scale model's run (issue 16): formatting only; the numbers come from the
 * closed form (`load.ts`, `budget.ts`) and the hop simulation (`hops.ts`).
 */
import { PHONE, PHONE_CORE_FACTOR, type PhoneBudget, type UserRate, WAN_LINK_MS } from './assumptions.ts'
import { type BreakEven, breakEven, budgetUse, fits } from './budget.ts'
import type { CheckRow, FloodCheck } from './check.ts'
import type { HopStats } from './hops.ts'
import { nodeLoad } from './load.ts'
import type { SealCost } from './pow-cost.ts'
import type { Variant } from './variants.ts'

/** A number with thousands separators and `digits` decimals. */
export function fmt(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return n > 0 ? '∞' : '–'
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
}

/** Bytes in B, kB, MB or GB (decimal units). */
export function bytes(n: number): string {
  if (n >= 1e9) return `${fmt(n / 1e9, 1)} GB`
  if (n >= 1e6) return `${fmt(n / 1e6, 1)} MB`
  if (n >= 1e3) return `${fmt(n / 1e3, 1)} kB`
  return `${fmt(n)} B`
}

/** A Markdown table from a header and rows. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], right: readonly boolean[] = header.map((_, i) => i > 0)): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`
  return [line(header), line(right.map((r) => (r ? '---:' : '---'))), ...rows.map(line)].join('\n')
}

/** Per-hop latency of a router: measured processing plus the stated WAN link. */
export type PerHop = Record<Variant['router'], number>

/** Hop statistics for an overlay size (memoised by the caller). */
type HopsAt = (nodes: number) => HopStats

/** What the detailed table needs for one variant. */
export interface DetailInput {
  /** The variant, built for one rate. */
  variantAt: (rate: UserRate) => Variant
  /** Modelled network sizes. */
  nodes: readonly number[]
  /** Per-user rates. */
  rates: readonly UserRate[]
  /** Seal cost on the phone, or undefined for a router without PoW. */
  seal: SealCost | undefined
  /** Hop statistics by overlay size. */
  hopsAt: HopsAt
  /** Per-hop latency by router (ms, processing + WAN). */
  perHop: PerHop
}

/** Rows per N × rate: bytes per second, month, pool, CPU, PoW, hops and latency, and whether a phone copes. */
export function detailTable({ variantAt, nodes, rates, seal, hopsAt, perHop }: DetailInput): string {
  const rows: string[][] = []
  for (const n of nodes) {
    for (const rate of rates) {
      const v = variantAt(rate)
      const load = nodeLoad(v.model, n, rate.perSecond)
      const hops = hopsAt(v.overlayNodes(n))
      const p50 = hops.p50 + v.extraHops
      const p99 = hops.p99 + v.extraHops
      const use = budgetUse(load, PHONE, PHONE_CORE_FACTOR)
      const over = Object.entries(use).filter(([, u]) => u > 1).map(([k]) => k)
      rows.push([
        fmt(n),
        rate.label,
        fmt(load.globalRate, 1),
        `${bytes(load.downBytesPerSecond)}/s (${fmt((load.downBytesPerSecond * 8) / 1e6, 2)} Mbit/s)`,
        fmt(load.monthlyBytes / 1e9, 1),
        bytes(load.poolBytes),
        `${fmt((100 * load.cpuCores) / PHONE_CORE_FACTOR, 1)}%`,
        seal === undefined ? '–' : `${fmt(seal.expectedMs, 0)} ms`,
        `${p50} / ${p99}`,
        `${fmt(p50 * perHop[v.router])} / ${fmt(p99 * perHop[v.router])}`,
        over.length === 0 ? 'yes' : `no: ${over.join(', ')}`,
      ])
    }
  }
  return table(
    ['nodes', 'rate per user', 'network msg/s', 'per node, down', 'GB/month (down + up)', 'pool memory', 'CPU, % of a phone core', 'PoW per message (phone)', 'hops p50 / p99', 'latency p50 / p99 ms', 'fits a phone'],
    rows,
    [true, false, true, true, true, true, true, true, true, true, false]
  )
}

/** Variants side by side per N × rate: download rate and monthly data, ✓ when everything fits. */
export function comparisonTable(variantsAt: (rate: UserRate) => Variant[], nodes: readonly number[], rates: readonly UserRate[]): string {
  const names = variantsAt(rates[0]).map((v) => v.name)
  const rows: string[][] = []
  for (const n of nodes) {
    for (const rate of rates) {
      const cells = variantsAt(rate).map((v) => {
        const load = nodeLoad(v.model, n, rate.perSecond)
        const ok = fits(load, PHONE, PHONE_CORE_FACTOR) ? '✓' : '✗'
        return `${bytes(load.downBytesPerSecond)}/s, ${fmt(load.monthlyBytes / 1e9, 1)} GB/mo ${ok}`
      })
      rows.push([fmt(n), rate.label, ...cells])
    }
  }
  return table(['nodes', 'rate per user', ...names], rows, [true, false, ...names.map(() => true)])
}

/** The largest N each variant fits a phone at, per rate, with the limit that binds. */
export function breakEvenTable(variantsAt: (rate: UserRate) => Variant[], rates: readonly UserRate[], budget: PhoneBudget): string {
  const names = variantsAt(rates[0]).map((v) => v.name)
  const rows = names.map((name, i) => [
    name,
    ...rates.map((rate) => {
      const v = variantsAt(rate)[i]
      const b: BreakEven = breakEven(v.model, rate.perSecond, budget, PHONE_CORE_FACTOR)
      return `${fmt(b.maxNodes)} (${b.limit})`
    }),
  ])
  return table(['kind of node', ...rates.map((r) => `largest N at ${r.label}`)], rows, [false, ...rates.map(() => true)])
}

/** Predicted against measured, per router and size. */
export function checkTable(rows: readonly CheckRow[]): string {
  if (rows.length === 0) return 'No router has two measured sizes yet: nothing to predict.'
  return table(
    ['router, size', 'metric', 'fitted at N', 'predicted N', 'predicted', 'measured', 'error'],
    rows.map((r) => [r.group, r.metric, fmt(r.fitNodes), fmt(r.nodes), fmt(r.predicted, 1), fmt(r.measured, 1), `${r.error >= 0 ? '+' : ''}${fmt(100 * r.error, 0)}%`]),
    [false, false, true, true, true, true, true]
  )
}

/** The flood's copies per delivery: closed form, simulations, and what was measured on that graph. */
export function floodCheckTable(rows: readonly (FloodCheck & { measured: string })[]): string {
  return table(
    ['nodes', 'edges', 'closed form (2E − N + 1)/(N − 1)', 'simulated, naive rule', 'simulated, known-sets + random delays', 'measured'],
    rows.map((r) => [fmt(r.nodes), fmt(r.edges), fmt(r.closedForm, 3), fmt(r.simulatedNaive, 3), fmt(r.simulatedKnownSet, 3), r.measured])
  )
}

/** The WAN latency the per-hop figures include, for the header. */
export const WAN_NOTE = `per-hop latency = measured processing per hop + ${WAN_LINK_MS} ms of WAN link (stated)`
