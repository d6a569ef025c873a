import { topicFromString } from '@hush/envelope'
import { afterEach, describe, expect, it } from 'vitest'
import type { HushNode } from '../src/index.ts'
import { connect, startNodes, stopAll, waitFor } from './fixtures/network.ts'
import { randomRegularish } from './fixtures/topology.ts'

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

/** Installs one symmetric filter per node on `topic`, sharing one key; returns a poller. */
function shareKey(nodes: HushNode[], topic: Uint8Array) {
  const key = nodes[0].services.shh.getSymKey(nodes[0].services.shh.newSymKey())
  const ids = nodes.map((n) => n.services.shh.addSymKey(key))
  const filters = nodes.map((n, i) => n.services.shh.newMessageFilter({ symKeyID: ids[i], topics: [topic] }))
  const received = nodes.map(() => [] as string[])
  const poll = (): void => {
    nodes.forEach((n, i) => {
      for (const m of n.services.shh.getFilterMessages(filters[i])) received[i].push(new TextDecoder().decode(m.payload))
    })
  }
  return { ids, received, poll }
}

describe('multi-hop delivery over TCP', () => {
  let nodes: HushNode[] = []
  afterEach(async () => {
    await stopAll(nodes)
    nodes = []
  })

  /*
   * Topology: 0 ── 1 ── 2 ── 3 ── 4 (a line).
   */
  it('a line of 5 nodes delivers end to end, both ways', async () => {
    nodes = await startNodes(5)
    for (let i = 0; i < 4; i++) await connect(nodes[i], nodes[i + 1])
    const topic = topicFromString('line')
    const { ids, received, poll } = shareKey(nodes, topic)
    await nodes[0].services.shh.post({ symKeyID: ids[0], topic, payload: utf8('from 0') })
    await nodes[4].services.shh.post({ symKeyID: ids[4], topic, payload: utf8('from 4') })
    await waitFor(() => (poll(), received.every((r) => r.length === 2)), 15_000, 'both messages at every node')
    for (const r of received) expect(r.sort()).toEqual(['from 0', 'from 4'])
  })

  /*
   * Topology: 20 nodes on a ring plus random chords (seed 7) for an average degree of 4.
   */
  it('a random 20-node mesh delivers every envelope to every node exactly once', async () => {
    nodes = await startNodes(20)
    const edges = randomRegularish(20, 4, 7)
    await Promise.all(edges.map(([a, b]) => connect(nodes[a], nodes[b], 20_000)))
    const topic = topicFromString('mesh')
    const { ids, received, poll } = shareKey(nodes, topic)
    const senders = [0, 5, 11, 19, 3]
    for (const s of senders) await nodes[s].services.shh.post({ symKeyID: ids[s], topic, payload: utf8(`from ${s}`) })
    await waitFor(() => (poll(), received.every((r) => r.length >= senders.length)), 20_000, 'every message at every node')
    await new Promise((r) => setTimeout(r, 200))
    poll()
    const expected = senders.map((s) => `from ${s}`).sort()
    for (const r of received) expect(r.sort()).toEqual(expected)
    const added = nodes.reduce((n, node) => n + node.services.shh.info().added, 0)
    expect(added).toBe(20 * senders.length)
    // On the wire: an envelope crosses each edge at most once each way, and never back over the
    // edge it first arrived by (N − 1 such edges per envelope): at most (2E − (N − 1)) copies
    // received per envelope, N − 1 of them first deliveries.
    const copies = nodes.reduce((n, node) => {
      const t = node.services.shh.info().traffic
      return n + t.envelopesIn + t.duplicatesIn
    }, 0)
    expect(copies).toBeLessThanOrEqual((2 * edges.length - (20 - 1)) * senders.length)
  })
})
