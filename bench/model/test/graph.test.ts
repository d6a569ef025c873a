import { describe, expect, it } from 'vitest'
import { graphFromEdges, ringWithChords } from '../graph.ts'
import { bfsHops, hopStats } from '../hops.ts'

/*
 * Known graphs:
 *   path   0 - 1 - 2 - 3 - 4
 *   star   0 at the centre of 1..5
 *   ring   0 - 1 - ... - 8 - 0 (nine nodes)
 */
const path = graphFromEdges(5, [[0, 1], [1, 2], [2, 3], [3, 4]])
const star = graphFromEdges(6, [[0, 1], [0, 2], [0, 3], [0, 4], [0, 5]])
const ring9 = graphFromEdges(9, Array.from({ length: 9 }, (_, i) => [i, (i + 1) % 9] as [number, number]))

describe('graphFromEdges', () => {
  it('lists each edge in both rows', () => {
    expect(path.edges).toBe(4)
    expect([...path.neighbours.subarray(path.offsets[1], path.offsets[2])].sort()).toEqual([0, 2])
    expect(star.offsets[1] - star.offsets[0]).toBe(5)
  })

  it('rejects self-loops and endpoints outside the graph', () => {
    expect(() => graphFromEdges(3, [[1, 1]])).toThrow(RangeError)
    expect(() => graphFromEdges(3, [[0, 3]])).toThrow(RangeError)
  })
})

describe('bfsHops', () => {
  it('gives the hop distance on a path, a star and a ring', () => {
    expect([...bfsHops(path, 0)]).toEqual([0, 1, 2, 3, 4])
    expect([...bfsHops(path, 2)]).toEqual([2, 1, 0, 1, 2])
    expect([...bfsHops(star, 3)]).toEqual([1, 2, 2, 0, 2, 2])
    expect([...bfsHops(ring9, 0)]).toEqual([0, 1, 2, 3, 4, 4, 3, 2, 1])
  })

  it('marks nodes it cannot reach with -1', () => {
    const split = graphFromEdges(4, [[0, 1], [2, 3]])
    expect([...bfsHops(split, 0)]).toEqual([0, 1, -1, -1])
    expect(hopStats(split, 4, 1).unreached).toBe(8)
  })
})

describe('hopStats', () => {
  it('reads the percentiles of every pair on a ring of nine', () => {
    // From any node: two nodes at each distance 1, 2, 3 and 4.
    const s = hopStats(ring9, 9, 1)
    expect(s).toEqual({ p50: 2, p99: 4, mean: 2.5, max: 4, unreached: 0, pairs: 72 })
  })
})

describe('ringWithChords', () => {
  it('has N × degree / 2 edges, every node at degree ≥ 2, and is connected', () => {
    const g = ringWithChords(2000, 6, 42)
    expect(g.edges).toBe(6000)
    for (let v = 0; v < g.nodes; v++) expect(g.offsets[v + 1] - g.offsets[v]).toBeGreaterThanOrEqual(2)
    expect(bfsHops(g, 0).every((d) => d >= 0)).toBe(true)
  })

  it('is the same graph for the same seed and another for another seed', () => {
    expect(ringWithChords(500, 6, 7).neighbours).toEqual(ringWithChords(500, 6, 7).neighbours)
    expect(ringWithChords(500, 6, 7).neighbours).not.toEqual(ringWithChords(500, 6, 8).neighbours)
  })

  it('has hop counts near log(N) / log(degree − 1), as a random graph of that degree should', () => {
    // A random graph of average degree d has a typical distance of about ln N / ln(d − 1).
    const s = hopStats(ringWithChords(20_000, 6, 42), 4, 42)
    const typical = Math.log(20_000) / Math.log(5)
    expect(Math.abs(s.mean - typical)).toBeLessThan(1)
  })
})
