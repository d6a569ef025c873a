/**
 * Hop counts by breadth-first search: how many relays an envelope crosses to reach each node when
 * every hop forwards at once (a flood's first copy travels the shortest path).
 */
import type { Graph } from './graph.ts'
import { seededRandom } from '../../packages/node/test/fixtures/topology.ts'

/**
 * Hop distance from `source` to every node (-1 for a node not reached), written into `out`.
 * @throws {RangeError} when `source` is not a node or `out` is shorter than the node count
 */
export function bfsHops(graph: Graph, source: number, out: Int32Array = new Int32Array(graph.nodes)): Int32Array {
  if (!Number.isInteger(source) || source < 0 || source >= graph.nodes) throw new RangeError(`source ${source} is not a node`)
  if (out.length < graph.nodes) throw new RangeError('out is shorter than the node count')
  out.fill(-1, 0, graph.nodes)
  const queue = new Int32Array(graph.nodes)
  let head = 0
  let tail = 0
  out[source] = 0
  queue[tail++] = source
  const { offsets, neighbours } = graph
  while (head < tail) {
    const v = queue[head++]
    const next = out[v] + 1
    for (let i = offsets[v]; i < offsets[v + 1]; i++) {
      const w = neighbours[i]
      if (out[w] === -1) {
        out[w] = next
        queue[tail++] = w
      }
    }
  }
  return out
}

/** Hop statistics over (source, other node) pairs. */
export interface HopStats {
  /** Median hops to a node. */
  p50: number
  /** 99th-percentile hops. */
  p99: number
  /** Mean hops. */
  mean: number
  /** The most hops seen (the sampled eccentricity). */
  max: number
  /** Pairs whose target was not reached (0 on a connected graph). */
  unreached: number
  /** Pairs counted. */
  pairs: number
}

/**
 * Hop statistics from `sources` seeded random sources (all nodes when the graph has fewer): a
 * histogram of the distance to every other node, read at the 50th and 99th percentile.
 * @throws {RangeError} when `sources` < 1
 */
export function hopStats(graph: Graph, sources: number, seed: number): HopStats {
  if (!(sources >= 1)) throw new RangeError(`sources must be ≥ 1, got ${sources}`)
  const random = seededRandom(seed)
  const all = sources >= graph.nodes
  const count = all ? graph.nodes : sources
  const histogram: number[] = []
  const dist = new Int32Array(graph.nodes)
  let unreached = 0
  for (let s = 0; s < count; s++) {
    const source = all ? s : Math.floor(random() * graph.nodes)
    bfsHops(graph, source, dist)
    for (let v = 0; v < graph.nodes; v++) {
      if (v === source) continue
      const d = dist[v]
      if (d < 0) unreached++
      else histogram[d] = (histogram[d] ?? 0) + 1
    }
  }
  const pairs = histogram.reduce((a, b) => a + (b ?? 0), 0)
  const at = (q: number): number => {
    let seen = 0
    for (let d = 0; d < histogram.length; d++) {
      seen += histogram[d] ?? 0
      if (seen >= q * pairs) return d
    }
    return histogram.length - 1
  }
  const mean = histogram.reduce((a, n, d) => a + d * (n ?? 0), 0) / pairs
  return { p50: at(0.5), p99: at(0.99), mean, max: histogram.length - 1, unreached, pairs }
}
