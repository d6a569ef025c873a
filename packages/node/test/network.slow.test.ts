import { topicFromString } from '@hush/envelope'
import { afterAll, describe, expect, it } from 'vitest'
import type { HushNode } from '../src/index.ts'
import { connect, startNodes, stopAll, waitFor } from './fixtures/network.ts'
import { randomRegularish } from './fixtures/topology.ts'

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

/*
 * Topology: 120 nodes on the in-memory transport, a ring plus seeded random chords for an average
 * degree of about 6 (seed 42). 30 envelopes from random senders. Reports delivery ratio, duplicates
 * and bytes per node. Run with `npm run test:slow`.
 */
describe('large simulated network (in-memory transport)', () => {
  const N = 120
  let nodes: HushNode[] = []
  afterAll(async () => stopAll(nodes))

  it('delivers every envelope to every node once', async () => {
    nodes = await startNodes(N, { whisper: { minPow: 0.01 } }, { memory: true })
    const edges = randomRegularish(N, 6, 42)
    for (let i = 0; i < edges.length; i += 20) {
      await Promise.all(edges.slice(i, i + 20).map(([a, b]) => connect(nodes[a], nodes[b], 60_000)))
    }
    const topic = topicFromString('slow')
    const key = nodes[0].services.shh.getSymKey(nodes[0].services.shh.newSymKey())
    const ids = nodes.map((n) => n.services.shh.addSymKey(key))
    const filters = nodes.map((n, i) => n.services.shh.newMessageFilter({ symKeyID: ids[i], topics: [topic] }))
    const received = nodes.map(() => new Set<string>())
    const poll = (): void =>
      nodes.forEach((n, i) => {
        for (const m of n.services.shh.getFilterMessages(filters[i])) {
          const text = new TextDecoder().decode(m.payload)
          expect(received[i].has(text)).toBe(false)
          received[i].add(text)
        }
      })
    const M = 30
    for (let m = 0; m < M; m++) {
      const s = (m * 37) % N
      await nodes[s].services.shh.post({ symKeyID: ids[s], topic, payload: utf8(`m${m}`), powTarget: 0.01 })
    }
    await waitFor(() => (poll(), received.every((r) => r.size === M)), 120_000, 'every envelope everywhere')
    const infos = nodes.map((n) => n.services.shh.info())
    const delivered = received.reduce((n, r) => n + r.size, 0)
    const duplicates = infos.reduce((n, i) => n + i.duplicates, 0)
    const bytesOut = infos.reduce((n, i) => n + i.traffic.bytesOut, 0)
    console.log(
      `nodes ${N}, edges ${edges.length}, envelopes ${M}: delivery ratio ${(delivered / (N * M)).toFixed(3)}, ` +
        `duplicates per envelope ${(duplicates / M).toFixed(1)}, bytes sent per node ${(bytesOut / N).toFixed(0)}`
    )
    expect(delivered).toBe(N * M)
  }, 600_000)
})
