import { describe, expect, it } from 'vitest'
import { randomRegularish } from '../../../packages/node/test/fixtures/topology.ts'
import { benchGraph, floodCheck } from '../check.ts'
import { naiveFloodCopiesPerDelivery, naiveFloodSends, simulateFlood } from '../flood.ts'
import { type Graph, graphFromEdges } from '../graph.ts'
import { readNetworkMeasurements } from '../measured.ts'

const ring = (n: number): Graph => graphFromEdges(n, Array.from({ length: n }, (_, i) => [i, (i + 1) % n] as [number, number]))
const complete = (n: number): Graph => {
  const edges: [number, number][] = []
  for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) edges.push([a, b])
  return graphFromEdges(n, edges)
}
const path = (n: number): Graph => graphFromEdges(n, Array.from({ length: n - 1 }, (_, i) => [i, i + 1] as [number, number]))

describe('the flood closed form against the simulation', () => {
  it('equals the simulated naive flood on small graphs, from every origin', () => {
    const graphs = [path(6), ring(5), ring(6), complete(5), benchGraph(20, 6, 42), graphFromEdges(30, randomRegularish(30, 4, 3))]
    for (const g of graphs) {
      for (let o = 0; o < g.nodes; o++) {
        const r = simulateFlood(g, o)
        expect(r.sends).toBe(naiveFloodSends(g.nodes, g.edges))
        expect(r.delivered).toBe(g.nodes - 1)
        expect(r.duplicates).toBe(r.sends - (g.nodes - 1))
      }
    }
  })

  it('bounds a flood with known-sets between E and 2E − N + 1 sends, whatever the delays', () => {
    const g = benchGraph(50, 6, 42)
    for (let seed = 1; seed <= 20; seed++) {
      const r = simulateFlood(g, seed % g.nodes, { rule: 'known-set', maxDelay: 1 + (seed % 7), seed })
      expect(r.delivered).toBe(49)
      expect(r.sends).toBeGreaterThanOrEqual(g.edges)
      expect(r.sends).toBeLessThanOrEqual(naiveFloodSends(50, 150))
    }
  })

  it('with known-sets and equal hops, sends one copy per edge plus one per edge inside a BFS level', () => {
    // Ring of 5 from 0: levels {1, 4} and {2, 3}; 2 and 3 send to each other at once: 5 + 1.
    expect(simulateFlood(ring(5), 0, { rule: 'known-set' }).sends).toBe(6)
    // Ring of 6: node 3 gets both copies at once and sends nothing back: exactly E.
    expect(simulateFlood(ring(6), 0, { rule: 'known-set' }).sends).toBe(6)
    expect(simulateFlood(ring(6), 0).sends).toBe(7)
    // On a path every edge carries one copy in both rules.
    expect(simulateFlood(path(6), 0, { rule: 'known-set' }).sends).toBe(5)
  })

  it('gives the copies the network bench counted for its naive flood at every N (network.json), and 482 duplicates at 120 nodes', () => {
    const { points } = readNetworkMeasurements(new URL('../network.json', import.meta.url).pathname)
    const naive = points.filter((p) => p.router === 'naive-flood')
    expect(naive.length).toBeGreaterThanOrEqual(5)
    for (const p of naive) {
      const g = benchGraph(p.nodes, p.degree, 42)
      expect(p.copiesPerDelivery).toBeCloseTo(naiveFloodSends(p.nodes, g.edges) / (p.nodes - 1), 6)
    }
    // The 120-node slow test's graph: the 482 duplicates per envelope it counted before notices went down to 128 B.
    const g = benchGraph(120, 6, 42)
    expect(g.edges).toBe(360)
    expect(naiveFloodSends(120, g.edges) - 119).toBe(482)
    expect(floodCheck(g, 5).simulatedNaive).toBeCloseTo(601 / 119, 10)
  })

  it('tends to degree − 1 copies per delivery', () => {
    expect(naiveFloodCopiesPerDelivery(1e9, 6)).toBeCloseTo(5, 6)
    expect(naiveFloodCopiesPerDelivery(50, 6)).toBeCloseTo(251 / 49, 10)
  })
})
