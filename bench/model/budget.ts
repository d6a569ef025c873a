/**
 * Whether a node's load fits a phone, and the largest network that still fits. Every load in the
 * closed form is affine in N (a fixed part plus a part per node), so the break-even is a division.
 */
import type { PhoneBudget } from './assumptions.ts'
import { type NodeCostModel, type NodeLoad, nodeLoad } from './load.ts'

/** The phone resource that runs out first. */
export type Limit = 'link' | 'data plan' | 'pool RAM' | 'CPU'

/** Load as a share of each budget (1 = exactly full). */
export function budgetUse(load: NodeLoad, budget: PhoneBudget, phoneCoreFactor: number): Record<Limit, number> {
  return {
    link: Math.max(load.downBytesPerSecond, load.upBytesPerSecond) / budget.linkBytesPerSecond,
    'data plan': load.monthlyBytes / budget.monthlyBytes,
    'pool RAM': load.poolBytes / budget.poolBytes,
    CPU: load.cpuCores / phoneCoreFactor / budget.cpuCoreShare,
  }
}

/** True when every budget holds. */
export function fits(load: NodeLoad, budget: PhoneBudget, phoneCoreFactor: number): boolean {
  return Object.values(budgetUse(load, budget, phoneCoreFactor)).every((u) => u <= 1)
}

/** The largest fitting network and the limit that stops it. */
export interface BreakEven {
  /** Largest N that fits (`Infinity` when the load does not grow with N; 0 when even one node does not fit). */
  maxNodes: number
  /** The budget that runs out first. */
  limit: Limit
}

/**
 * The largest N whose load fits, from the load's fixed part (N = 0) and its growth per node.
 */
export function breakEven(model: NodeCostModel, perUserRate: number, budget: PhoneBudget, phoneCoreFactor: number): BreakEven {
  const PROBE = 1e6
  const at0 = budgetUse(nodeLoad(model, 0, perUserRate), budget, phoneCoreFactor)
  const atProbe = budgetUse(nodeLoad(model, PROBE, perUserRate), budget, phoneCoreFactor)
  let best: BreakEven = { maxNodes: Infinity, limit: 'link' }
  for (const limit of Object.keys(at0) as Limit[]) {
    const slope = (atProbe[limit] - at0[limit]) / PROBE
    let n = at0[limit] > 1 ? 0 : slope > 0 ? Math.floor((1 - at0[limit]) / slope) : Infinity
    if (Number.isFinite(n)) {
      // The division can land one off an exact boundary in floating point: settle on the exact loads.
      const use = (nodes: number): number => budgetUse(nodeLoad(model, nodes, perUserRate), budget, phoneCoreFactor)[limit]
      while (n > 0 && use(n) > 1) n--
      while (use(n + 1) <= 1) n++
    }
    if (n < best.maxNodes) best = { maxNodes: n, limit }
  }
  return best
}
