/*
 * Three real @hush/node instances over TCP on 127.0.0.1, the parties on the two ends:
 *
 *   alice ── node0 ── node1 ── node2 ── bob
 *
 * node1 only relays: every session envelope crosses two hops.
 */
import { generateKeyPair } from '@hush/envelope'
import { createHushNode, type HushNode } from '@hush/node'
import { afterEach, describe, expect, it } from 'vitest'
import { createSessionPeer, type SessionPeer } from '../src/peer.ts'
import type { Session } from '../src/session-api.ts'
import { record, utf8, waitFor } from './fixtures.ts'

async function startNode(): Promise<HushNode> {
  return createHushNode({
    whisper: { minPow: 0.001, sealWorkers: 0 },
    libp2p: { connectionManager: { inboundConnectionThreshold: 10_000, maxIncomingPendingConnections: 100 } },
  })
}

async function link(a: HushNode, b: HushNode): Promise<void> {
  await a.dial(b.getMultiaddrs()[0], { signal: AbortSignal.timeout(10_000) })
  const sees = (x: HushNode, y: HushNode): boolean => x.services.shh.getPeers().some((p) => p.equals(y.peerId))
  await waitFor(() => sees(a, b) && sees(b, a), 'whisper peers', 10_000)
}

describe('sessions over three real nodes', () => {
  let nodes: HushNode[] = []
  let peers: SessionPeer[] = []
  afterEach(async () => {
    for (const p of peers) p.stop()
    await Promise.all(nodes.map((n) => n.stop()))
    nodes = []
    peers = []
  })

  it('handshake, 100 messages both ways, close', async () => {
    nodes = [await startNode(), await startNode(), await startNode()]
    await link(nodes[0], nodes[1])
    await link(nodes[1], nodes[2])
    const aliceKeys = generateKeyPair()
    const bobKeys = generateKeyPair()
    const settings = { powTarget: 0.001, ttlSeconds: 30, ackDelayMs: 20, resendIntervalMs: 1_000, connectTimeoutMs: 15_000 }
    const alice = createSessionPeer({ privateKey: aliceKeys.privateKey, ...settings }, { transport: nodes[0].services.shh })
    const bob = createSessionPeer({ privateKey: bobKeys.privateKey, contacts: [aliceKeys.publicKey], ...settings }, { transport: nodes[2].services.shh })
    peers = [alice, bob]
    alice.start()
    bob.start()
    const bobSession = new Promise<Session>((resolve) => bob.addEventListener('session', ({ detail }) => resolve(detail), { once: true }))
    const a = await alice.connect(bobKeys.publicKey)
    const b = await bobSession
    const ra = record(a)
    const rb = record(b)
    const count = 100
    const sends: Promise<number>[] = []
    for (let i = 1; i <= count; i++) sends.push(a.send(utf8(`a${i}`)), b.send(utf8(`b${i}`)))
    await Promise.all(sends)
    await waitFor(() => ra.messages.length === count && rb.messages.length === count, 'all messages', 30_000)
    await waitFor(() => ra.receipts.length === count && rb.receipts.length === count, 'all receipts', 30_000)
    const expected = (p: string): string[] => Array.from({ length: count }, (_, i) => `${p}${i + 1}`)
    expect(rb.messages.map((m) => m.text)).toEqual(expected('a'))
    expect(ra.messages.map((m) => m.text)).toEqual(expected('b'))
    expect([...ra.gaps, ...rb.gaps]).toEqual([])
    expect([...ra.undelivered, ...rb.undelivered]).toEqual([])
    // Everything crossed the relay in the middle: at least handshake, reply and the 200 data records.
    expect(nodes[1].services.shh.info().added).toBeGreaterThanOrEqual(2 + 2 * count)
    await a.close({ signal: AbortSignal.timeout(20_000) })
    await waitFor(() => b.state === 'closed', 'remote close', 20_000)
    expect(ra.closes).toEqual(['local'])
    expect(rb.closes).toEqual(['remote'])
  })
})
