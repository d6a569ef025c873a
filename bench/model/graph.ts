/**
 * Undirected graphs in compressed sparse rows (typed arrays), so a million nodes of degree 6 fit in
 * about 30 MB: `neighbours[offsets[v] .. offsets[v + 1])` are the neighbours of `v`.
 */
import { seededRandom } from '../../packages/node/test/fixtures/topology.ts'

/** A graph in compressed sparse rows. Each undirected edge appears in both endpoints' rows. */
export interface Graph {
  /** Node count. */
  nodes: number
  /** Undirected edge count. */
  edges: number
  /** Row starts, length `nodes + 1`. */
  offsets: Int32Array
  /** Neighbour ids, length `2 × edges`. */
  neighbours: Int32Array
}

/**
 * Builds the rows from two endpoint arrays (edge `i` joins `from[i]` and `to[i]`).
 * @throws {RangeError} when an endpoint is outside `[0, nodes)` or an edge is a self-loop
 */
function fromEndpoints(nodes: number, from: Int32Array, to: Int32Array): Graph {
  const offsets = new Int32Array(nodes + 1)
  for (let i = 0; i < from.length; i++) {
    const a = from[i]
    const b = to[i]
    if (a < 0 || b < 0 || a >= nodes || b >= nodes) throw new RangeError(`edge ${i} (${a}, ${b}) is outside [0, ${nodes})`)
    if (a === b) throw new RangeError(`edge ${i} is a self-loop on ${a}`)
    offsets[a + 1]++
    offsets[b + 1]++
  }
  for (let v = 0; v < nodes; v++) offsets[v + 1] += offsets[v]
  const fill = offsets.slice(0, nodes)
  const neighbours = new Int32Array(2 * from.length)
  for (let i = 0; i < from.length; i++) {
    neighbours[fill[from[i]]++] = to[i]
    neighbours[fill[to[i]]++] = from[i]
  }
  return { nodes, edges: from.length, offsets, neighbours }
}

/**
 * A graph from an edge list, such as the network bench's `randomRegularish(n, degree, seed)`.
 * @throws {RangeError} when an endpoint is outside `[0, nodes)` or an edge is a self-loop
 */
export function graphFromEdges(nodes: number, edges: readonly (readonly [number, number])[]): Graph {
  return fromEndpoints(nodes, Int32Array.from(edges, (e) => e[0]), Int32Array.from(edges, (e) => e[1]))
}

/**
 * The network bench's topology family at any size: a ring (so the graph is connected) plus seeded
 * random chords up to `nodes × degree / 2` edges. Unlike the test fixture it does not remove
 * repeated chords (about `2 × degree²` of millions at 1M nodes; a repeat changes no hop count), so
 * it needs no string set and runs at 1M nodes in a second.
 * @throws {RangeError} when `nodes` < 3 or `degree` < 2
 */
export function ringWithChords(nodes: number, degree: number, seed: number): Graph {
  if (!Number.isInteger(nodes) || nodes < 3) throw new RangeError(`nodes must be an integer ≥ 3, got ${nodes}`)
  if (!(degree >= 2)) throw new RangeError(`degree must be ≥ 2, got ${degree}`)
  const random = seededRandom(seed)
  const edges = Math.max(nodes, Math.round((nodes * degree) / 2))
  const from = new Int32Array(edges)
  const to = new Int32Array(edges)
  for (let i = 0; i < nodes; i++) {
    from[i] = i
    to[i] = (i + 1) % nodes
  }
  for (let i = nodes; i < edges; ) {
    const a = Math.floor(random() * nodes)
    const b = Math.floor(random() * nodes)
    if (a === b) continue
    from[i] = a
    to[i] = b
    i++
  }
  return fromEndpoints(nodes, from, to)
}
