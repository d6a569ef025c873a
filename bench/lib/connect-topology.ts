/**
 * Dials the edges of a bench topology (e.g. `randomRegularish` from
 * packages/node/test/fixtures/topology.ts) between libp2p nodes, a batch at a time.
 */
import type { Libp2p } from '@libp2p/interface'

/** What dialling needs of a node: any libp2p node qualifies. */
type Dialable = Pick<Libp2p, 'dial' | 'getMultiaddrs'>

/** Dials pending at once: more only queues inside libp2p. */
const BATCH = 25

/** Connects `nodes[a]` to `nodes[b]` for every edge `[a, b]`; each dial may take up to 60 s. */
export async function connectTopology(nodes: readonly Dialable[], edges: readonly (readonly [number, number])[]): Promise<void> {
  for (let i = 0; i < edges.length; i += BATCH) {
    await Promise.all(edges.slice(i, i + BATCH).map(([a, b]) => nodes[a].dial(nodes[b].getMultiaddrs()[0], { signal: AbortSignal.timeout(60_000) })))
  }
}

/** How many edges each of `n` nodes has. */
export function degrees(n: number, edges: readonly (readonly [number, number])[]): number[] {
  const out = new Array<number>(n).fill(0)
  for (const [a, b] of edges) {
    out[a]++
    out[b]++
  }
  return out
}
