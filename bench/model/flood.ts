/**
 * How many copies of an envelope a flood sends, in closed form and by simulation on a graph.
 *
 * Closed form: in a flood where every node forwards a new envelope to every peer but the one it
 * first got it from (the network bench's naive flood; Hush before it sent known-hashes notices), the origin sends `deg(o)`
 * copies and every other node `deg(v) − 1`, so one envelope crosses the network `2E − (N − 1)`
 * times, and each of the `N − 1` deliveries costs `(2E − N + 1) / (N − 1)` copies: `d − 1` at
 * average degree `d`, whatever N is. A flood with known-sets (skip peers that already sent the
 * envelope) sends between `E` (no edge crossed twice) and that bound.
 */
import type { Graph } from './graph.ts'
import { seededRandom } from '../../packages/node/test/fixtures/topology.ts'

/**
 * Copies sent per envelope by a flood that forwards to every peer but its first sender: `2E − (N − 1)`.
 * @throws {RangeError} when the graph has fewer than 2 nodes
 */
export function naiveFloodSends(nodes: number, edges: number): number {
  if (!(nodes >= 2)) throw new RangeError(`nodes must be ≥ 2, got ${nodes}`)
  return 2 * edges - (nodes - 1)
}

/**
 * Copies received per delivery by that flood on a graph of average degree `degree`:
 * `(N × degree − N + 1) / (N − 1)`, which tends to `degree − 1`.
 */
export function naiveFloodCopiesPerDelivery(nodes: number, degree: number): number {
  return naiveFloodSends(nodes, (nodes * degree) / 2) / (nodes - 1)
}

/** How a simulated node decides where to forward. */
type FloodRule = 'naive' | 'known-set'

/** Options for {@link simulateFlood}. */
export interface SimulateFloodOptions {
  /**
   * `naive`: forward to every peer but the first sender. `known-set`: also skip every peer whose copy
   * arrived at or before the forwarding instant (Hush's per-peer known-sets).
   * @default 'naive'
   */
  rule?: FloodRule
  /**
   * Each transmission takes a seeded random whole number of ticks in `[1, maxDelay]`; 1 makes every
   * hop equal (all copies of one BFS level arrive together).
   * @default 1
   */
  maxDelay?: number
  /** @default 1 */
  seed?: number
}

/** What one simulated flood did. */
export interface FloodResult {
  /** Copies sent over all edges. */
  sends: number
  /** Nodes that received the envelope (the origin excluded). */
  delivered: number
  /** Copies that arrived at a node that already had the envelope. */
  duplicates: number
}

/**
 * Floods one envelope from `origin` tick by tick. All copies arriving at one tick are taken in
 * before any node forwards (a node's batch), then every node that got its first copy forwards at
 * once; later copies are only counted.
 * @throws {RangeError} when `origin` is not a node or `maxDelay` < 1
 */
export function simulateFlood(graph: Graph, origin: number, options: SimulateFloodOptions = {}): FloodResult {
  const { rule = 'naive', maxDelay = 1, seed = 1 } = options
  if (!Number.isInteger(origin) || origin < 0 || origin >= graph.nodes) throw new RangeError(`origin ${origin} is not a node`)
  if (!Number.isInteger(maxDelay) || maxDelay < 1) throw new RangeError(`maxDelay must be an integer ≥ 1, got ${maxDelay}`)
  const random = seededRandom(seed)
  const { offsets, neighbours } = graph
  // known[i] marks the directed slot i (row of v, neighbour w): w sent to v, or v sent to w.
  const known = new Uint8Array(neighbours.length)
  const has = new Uint8Array(graph.nodes)
  /** Arrivals per tick: pairs of (receiver, sender). */
  const arrivals = new Map<number, number[]>()
  let sends = 0
  let delivered = 0
  let duplicates = 0
  const slot = (v: number, w: number): number => {
    for (let i = offsets[v]; i < offsets[v + 1]; i++) if (neighbours[i] === w) return i
    return -1
  }
  const forward = (v: number, tick: number, firstSender: number): void => {
    for (let i = offsets[v]; i < offsets[v + 1]; i++) {
      const w = neighbours[i]
      if (w === firstSender || (rule === 'known-set' && known[i] === 1)) continue
      known[i] = 1
      sends++
      const at = tick + (maxDelay === 1 ? 1 : 1 + Math.floor(random() * maxDelay))
      const list = arrivals.get(at) ?? []
      list.push(w, v)
      arrivals.set(at, list)
    }
  }
  has[origin] = 1
  forward(origin, 0, -1)
  for (let tick = 1; arrivals.size > 0; tick++) {
    const list = arrivals.get(tick)
    if (list === undefined) continue
    arrivals.delete(tick)
    const fresh: number[] = []
    for (let i = 0; i < list.length; i += 2) {
      const v = list[i]
      const from = list[i + 1]
      const s = slot(v, from)
      if (s >= 0) known[s] = 1
      if (has[v] === 1) {
        duplicates++
        continue
      }
      has[v] = 1
      delivered++
      fresh.push(v, from)
    }
    for (let i = 0; i < fresh.length; i += 2) forward(fresh[i], tick, fresh[i + 1])
  }
  return { sends, delivered, duplicates }
}
