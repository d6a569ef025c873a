/*
 * Degree management over TCP on 127.0.0.1: a node below its minimum dials the peers it knows
 * (here put in its peer store as the DHT would), a node above its maximum drops its worst-scored
 * peers, and a banned peer is never dialled. The other nodes run without degree management, so
 * every dial and hang-up seen is the node under test's.
 */
import type { PeerId } from '@libp2p/interface'
import { afterEach, describe, expect, it } from 'vitest'
import { type DegreeInit, type HushNode, createHushNode } from '../src/index.ts'
import { rawEnvelopes } from './fixtures/envelopes.ts'
import { connect, startNodes, stopAll, waitFor } from './fixtures/network.ts'
import { type RawPeer, rawPeer } from './fixtures/raw-peer.ts'

let nodes: HushNode[] = []
let raws: RawPeer[] = []
afterEach(async () => {
  await stopAll(nodes)
  await Promise.all(raws.map((r) => r.stop()))
  nodes = []
  raws = []
})

/** The node under test, with `degree`, and `count` peers without degree management. */
async function network(degree: DegreeInit, count: number): Promise<[HushNode, ...HushNode[]]> {
  const [node] = await startNodes(1, { degree })
  const peers = await startNodes(count, { degree: false })
  nodes.push(node as HushNode, ...peers)
  return [node as HushNode, ...peers]
}

const ready = (node: HushNode): string[] => node.services.shh.getPeers().map((p) => p.toString())

/** Puts `peer`'s addresses in `node`'s peer store, as the DHT or mDNS would on finding it. */
async function learn(node: HushNode, peer: HushNode): Promise<void> {
  await node.peerStore.merge(peer.peerId, { multiaddrs: peer.getMultiaddrs() })
}

/** Records the peers `node` dials (by peer id or by addresses ending in `/p2p/<id>`). */
function recordDials(node: HushNode): string[] {
  const dialled: string[] = []
  const dial = node.dial.bind(node)
  node.dial = (async (target: Parameters<typeof dial>[0], options?: Parameters<typeof dial>[1]) => {
    const id = (target as PeerId).toMultihash === undefined ? /\/p2p\/([^/]+)$/.exec(target.toString())?.[1] : target.toString()
    if (id !== undefined) dialled.push(id)
    return dial(target, options)
  }) as typeof node.dial
  return dialled
}

describe('degree management', () => {
  it('settings out of range are refused before the node is built', async () => {
    await expect(createHushNode({ degree: { min: 5, max: 2 }, start: false })).rejects.toThrow(RangeError)
    await expect(createHushNode({ degree: { min: -1 }, start: false })).rejects.toThrow(RangeError)
    await expect(createHushNode({ degree: { intervalMs: 0 }, start: false })).rejects.toThrow(RangeError)
  })

  it('a node whose peers all stop dials the peers it knows until it is back at its minimum', async () => {
    const [a, b, c, d, e] = await network({ min: 2 }, 4)
    if (a === undefined || b === undefined || c === undefined || d === undefined || e === undefined) throw new Error('unreachable')
    await connect(a, b)
    await connect(a, c)
    await learn(a, d)
    await learn(a, e)
    // At its minimum, the node dials nobody.
    await new Promise((r) => setTimeout(r, 500))
    expect(ready(a).sort()).toEqual([b.peerId.toString(), c.peerId.toString()].sort())
    await Promise.all([b.stop(), c.stop()])
    // Checked on each peer gone: no need to wait for the 10 s timer.
    await waitFor(() => ready(a).length >= 2, 5_000, 'the node to reach two known peers')
    expect(ready(a).sort()).toEqual([d.peerId.toString(), e.peerId.toString()].sort())
  }, 30_000)

  it('a node above its maximum disconnects its worst-scored peers', async () => {
    const [a, b, c] = await network({ min: 0, max: 2 }, 2)
    if (a === undefined || b === undefined || c === undefined) throw new Error('unreachable')
    await connect(a, b)
    // A peer that sends envelopes with no proof of work: each costs it score points.
    const bad = await rawPeer()
    raws.push(bad)
    await bad.open(a)
    await waitFor(() => ready(a).includes(bad.node.peerId.toString()), 5_000, 'the raw peer to be ready')
    bad.sendEnvelopes(rawEnvelopes(2))
    await waitFor(() => a.services.shh.info().drops['low-pow'] >= 2, 5_000, 'the low-PoW drops')
    // The service's own score of that peer, which the keeper ranks by.
    expect(a.services.shh.peerScore(bad.node.peerId)).toBeLessThan(0)
    expect(a.services.shh.peerScore(b.peerId) ?? 0).toBeGreaterThanOrEqual(0)
    // Three ready peers, one over the maximum: neither the oldest (b) nor the newest (c) goes.
    await connect(a, c)
    await waitFor(() => !ready(a).includes(bad.node.peerId.toString()), 5_000, 'the worst-scored peer to be dropped')
    await new Promise((r) => setTimeout(r, 300))
    expect(ready(a).sort()).toEqual([b.peerId.toString(), c.peerId.toString()].sort())
    expect(a.getConnections(bad.node.peerId)).toHaveLength(0)
  }, 30_000)

  it('a peer dropped for the maximum stays dropped though the DHT tagged it keep-alive (libp2p would re-dial it at once)', async () => {
    const [a, b, c] = await network({ min: 0, max: 1 }, 2)
    if (a === undefined || b === undefined || c === undefined) throw new Error('unreachable')
    await connect(a, b)
    await waitFor(() => ready(a).length === 1, 5_000, 'b ready')
    // As Kademlia tags its closest peers: libp2p's reconnect queue re-dials a keep-alive peer it loses.
    await a.peerStore.merge(b.peerId, { tags: { 'keep-alive-kad-dht': { value: 1 } } })
    await a.peerStore.merge(c.peerId, { tags: { 'keep-alive-kad-dht': { value: 1 } } })
    await connect(a, c)
    await waitFor(() => ready(a).length === 1, 5_000, 'one peer dropped')
    const [kept] = ready(a)
    const dropped = kept === b.peerId.toString() ? c : b
    // Two seconds later it has not come back (libp2p re-dialled it within milliseconds before).
    const seen: number[] = []
    const timer = setInterval(() => seen.push(ready(a).length + a.getConnections(dropped.peerId).length), 20)
    await new Promise((r) => setTimeout(r, 2000))
    clearInterval(timer)
    expect(a.getConnections(dropped.peerId)).toHaveLength(0)
    expect(Math.max(...seen)).toBe(1)
    expect([...(await a.peerStore.get(dropped.peerId)).tags.keys()].filter((t) => t.startsWith('keep-alive'))).toEqual([])
  }, 30_000)

  it('a banned peer is never dialled again, while other known peers are', async () => {
    const [a, b, m, c] = await network({ min: 3, intervalMs: 100, redialMs: 100 }, 3)
    if (a === undefined || b === undefined || m === undefined || c === undefined) throw new Error('unreachable')
    await connect(a, b)
    await connect(a, m)
    const dialled = recordDials(a)
    // Ban m: six bad requests at -20 each take it below -100.
    for (let i = 0; i < 6; i++) a.services.shh.penalize(m.peerId, 'bad-request')
    expect(a.services.shh.isBanned(m.peerId)).toBe(true)
    await waitFor(() => !ready(a).includes(m.peerId.toString()), 5_000, 'the banned peer to be gone')
    // A ban ends the /shh/ streams; the connection goes too, as when the peer drops it.
    await a.hangUp(m.peerId)
    // Below its minimum, with m and c known: c is dialled, m never, however many checks run.
    await learn(a, c)
    await waitFor(() => ready(a).includes(c.peerId.toString()), 5_000, 'the node to dial the known peer')
    await new Promise((r) => setTimeout(r, 1_500))
    expect(dialled).toContain(c.peerId.toString())
    expect(dialled).not.toContain(m.peerId.toString())
    expect(ready(a)).not.toContain(m.peerId.toString())
  }, 30_000)
})
