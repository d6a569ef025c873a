import { topicFromString } from '@hush/envelope'
import type { SingleKadDHT } from '@libp2p/kad-dht'
import { describe, expect, it } from 'vitest'
import { DHT_PROTOCOL, type HushNode, type HushNodeInit } from '../src/index.ts'
import { stopAfterEach } from './fixtures/cleanup.ts'
import { collect, startNodes, waitFor } from './fixtures/network.ts'

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)
const text = (b: Uint8Array): string => new TextDecoder().decode(b)

const address = (node: HushNode): string => node.getMultiaddrs()[0].toString()
const hasPeer = (a: HushNode, b: HushNode): boolean => a.services.shh.getPeers().some((p) => p.equals(b.peerId))
const linked = (a: HushNode, b: HushNode): boolean => hasPeer(a, b) && hasPeer(b, a)
const tableSize = (node: HushNode): number => (node.services.dht as unknown as SingleKadDHT).routingTable.size

/** Posts `payload` on `from` with a key both hold, and resolves with what `to` received. */
async function relay(from: HushNode, to: HushNode, payload: string): Promise<string> {
  const topic = topicFromString('discovery')
  const key = from.services.shh.newSymKey()
  const filter = to.services.shh.newMessageFilter({ symKeyID: to.services.shh.addSymKey(from.services.shh.getSymKey(key)), topics: [topic] })
  await from.services.shh.post({ symKeyID: key, topic, payload: utf8(payload), ttl: 30 })
  const [got] = await collect(to, filter, 1, 10_000)
  return text(got.payload)
}

/*
 * Topology, over TCP on 127.0.0.1 (Kademlia on each node, nothing else):
 *
 *        A            B and C are given only A (bootstrap); the DHT tells C of B (and B of C)
 *       / \           through A, and they connect:   B ── C
 *      B   C          then A stops, and B ── C carries the envelopes.
 */
describe('discovery over TCP: Kademlia', () => {
  const started = stopAfterEach()
  const dht: HushNodeInit = { discover: { dht: true } }

  it('the DHT runs on the Hush protocol, not IPFS', async () => {
    started.nodes = await startNodes(1, dht)
    const [a] = started.nodes
    expect(a.getProtocols()).toContain(DHT_PROTOCOL)
    expect(a.getProtocols()).not.toContain('/ipfs/kad/1.0.0')
    expect(a.services.dht?.getMode()).toBe('server')
  })

  it('two nodes that share only one bootstrap peer find each other, and stay linked and deliver when it stops', async () => {
    started.nodes = await startNodes(1, dht)
    const [a] = started.nodes
    const [b] = await startNodes(1, { ...dht, bootstrap: [address(a)] })
    started.nodes.push(b)
    // A knows B as a DHT server before C asks it for the peers near C.
    await waitFor(() => linked(a, b) && tableSize(a) >= 1, 10_000, 'A to know B')
    const [c] = await startNodes(1, { ...dht, bootstrap: [address(a)] })
    started.nodes.push(c)
    await waitFor(() => linked(b, c), 15_000, 'B and C to connect')
    expect(await relay(c, b, 'from C, A still up')).toBe('from C, A still up')

    // The only bootstrap peer goes: what B and C learned keeps them together.
    await a.stop()
    await waitFor(() => !hasPeer(b, a) && !hasPeer(c, a), 10_000, 'B and C to lose A')
    expect(linked(b, c)).toBe(true)
    expect(await relay(b, c, 'from B, A gone')).toBe('from B, A gone')
    expect(await relay(c, b, 'from C, A gone')).toBe('from C, A gone')
    expect(linked(b, c)).toBe(true)
  })

  it('nodes started together find each other at the next self-query (querySelfInterval from the settings)', async () => {
    const quick: HushNodeInit = { discover: { dht: { querySelfInterval: 500 } } }
    started.nodes = await startNodes(1, quick)
    const [a] = started.nodes
    const rest = await Promise.all([0, 1, 2].map(() => startNodes(1, { ...quick, bootstrap: [address(a)] })))
    const [b, c, d] = rest.flat()
    started.nodes.push(b, c, d)
    await waitFor(() => linked(b, c) && linked(b, d) && linked(c, d), 15_000, 'B, C and D to connect to each other')
    await a.stop()
    expect(await relay(d, b, 'from D')).toBe('from D')
  })
})
