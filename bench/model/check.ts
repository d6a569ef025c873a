/**
 * The model checked against the measured points (issue 16): fit each router's per-delivery cost
 * and per-hop latency at its smallest measured N, predict every larger N, and report the error;
 * and the flood's closed-form copy count against a simulation on the same graph and the measured
 * duplicate count.
 */
import { naiveFloodSends, simulateFlood } from './flood.ts'
import { type Graph, graphFromEdges } from './graph.ts'
import type { MeasuredPoint } from './measured.ts'
import { randomRegularish } from '../../packages/node/test/fixtures/topology.ts'

/** The seeded graph a network bench run used: `randomRegularish(nodes, degree, seed)`. */
export function benchGraph(nodes: number, degree: number, seed: number): Graph {
  return graphFromEdges(nodes, randomRegularish(nodes, degree, seed))
}

/** One prediction set beside its measurement. */
export interface CheckRow {
  /** Router and envelope size. */
  group: string
  /** What is compared. */
  metric: 'bytes per delivery' | 'CPU µs per delivery' | 'p50 ms'
  /** Nodes of the point the model was fitted on. */
  fitNodes: number
  /** Nodes of the predicted point. */
  nodes: number
  /** The model's prediction. */
  predicted: number
  /** The measurement. */
  measured: number
  /** (predicted − measured) ÷ measured. */
  error: number
}

/**
 * Fits at the smallest N of each router and envelope size and predicts the larger ones. Bytes and
 * CPU per delivery are constant in N at a fixed degree (the closed form); p50 latency is the
 * fitted per-hop time × the median hop count of the larger run's graph.
 */
export function fitAndPredict(points: readonly MeasuredPoint[], p50HopsAt: (nodes: number, degree: number) => number): CheckRow[] {
  const groups = new Map<string, MeasuredPoint[]>()
  for (const p of points) {
    const key = `${p.router}, ${p.envelopeBytes} B`
    groups.set(key, [...(groups.get(key) ?? []), p])
  }
  const rows: CheckRow[] = []
  for (const [group, list] of groups) {
    const metrics = [
      { metric: 'bytes per delivery', get: (p: MeasuredPoint) => p.bytesPerDelivery, scale: () => 1 },
      { metric: 'CPU µs per delivery', get: (p: MeasuredPoint) => p.cpuUsPerDelivery, scale: () => 1 },
      { metric: 'p50 ms', get: (p: MeasuredPoint) => p.p50Ms, scale: (fit: MeasuredPoint, p: MeasuredPoint) => p50HopsAt(p.nodes, p.degree) / p50HopsAt(fit.nodes, fit.degree) },
    ] as const
    for (const { metric, get, scale } of metrics) {
      const having = list.filter((p) => get(p) !== null).sort((a, b) => a.nodes - b.nodes)
      const fit = having[0]
      for (const p of having.slice(1)) {
        if (p.nodes === fit.nodes) continue
        const predicted = (get(fit) as number) * scale(fit, p)
        const measured = get(p) as number
        rows.push({ group, metric, fitNodes: fit.nodes, nodes: p.nodes, predicted, measured, error: (predicted - measured) / measured })
      }
    }
  }
  return rows
}

/** The flood's copies per delivery three ways on one graph. */
export interface FloodCheck {
  /** Nodes of the graph. */
  nodes: number
  /** Edges of the graph. */
  edges: number
  /** `(2E − N + 1) / (N − 1)`. */
  closedForm: number
  /** {@link simulateFlood} with the naive rule, averaged over origins. */
  simulatedNaive: number
  /** {@link simulateFlood} with known-sets and random delays (1–10 ticks), averaged over origins. */
  simulatedKnownSet: number
}

/** The closed form against simulated floods from `origins` origins on a bench graph. */
export function floodCheck(graph: Graph, origins: number): FloodCheck {
  let naive = 0
  let knownSet = 0
  const count = Math.min(origins, graph.nodes)
  for (let o = 0; o < count; o++) {
    naive += simulateFlood(graph, o).sends
    knownSet += simulateFlood(graph, o, { rule: 'known-set', maxDelay: 10, seed: o + 1 }).sends
  }
  const deliveries = count * (graph.nodes - 1)
  return {
    nodes: graph.nodes,
    edges: graph.edges,
    closedForm: naiveFloodSends(graph.nodes, graph.edges) / (graph.nodes - 1),
    simulatedNaive: naive / deliveries,
    simulatedKnownSet: knownSet / deliveries,
  }
}
