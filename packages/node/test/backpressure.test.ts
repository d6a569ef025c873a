import { topicFromString } from '@hush/envelope'
import type { Stream } from '@libp2p/interface'
import { describe, expect, it } from 'vitest'
import { type HushNode, PROTOCOL_ID } from '../src/index.ts'
import { connect, startNodes, waitFor } from './fixtures/network.ts'
import { type RawPeer, rawPeer } from './fixtures/raw-peer.ts'
import { stopAfterEach } from './fixtures/cleanup.ts'

const listed = (node: HushNode, peer: RawPeer): boolean => node.services.shh.getPeers().some((p) => p.equals(peer.node.peerId))

/** The stream `node` writes to `peer` on. */
const streamTo = (node: HushNode, peer: RawPeer): Stream | undefined =>
  node
    .getConnections(peer.node.peerId)
    .flatMap((c) => c.streams)
    .find((s) => s.protocol === PROTOCOL_ID && s.direction === 'outbound')

/** Posts `count` envelopes of `dataBytes` each with no PoW (the node's minimum must be 0). */
async function fill(node: HushNode, count: number, dataBytes: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const data = new Uint8Array(dataBytes)
    data[0] = i & 0xff
    data[1] = i >> 8
    await node.services.shh.postEnvelope({ topic: topicFromString('fill'), data, ttlSeconds: 120 })
  }
}

describe('what a peer can make a node buffer', () => {
  const started = stopAfterEach()

  /*
   * Topology: V (4 MB pool) ──► H, which announces a 4 GiB max size and never reads.
   */
  it('a peer that announces 4 GiB and never reads gets at most the write queue limit, then is dropped', async () => {
    const limit = 1024 * 1024
    started.nodes = await startNodes(1, { whisper: { minPow: 0, maxWriteQueueBytes: limit, drainTimeoutMs: 1_000 } })
    const [victim] = started.nodes
    await fill(victim, 40, 100_000)
    const h = await rawPeer('stall')
    started.peers = [h]
    await h.open(victim, { maxSizeBytes: 0xffffffff })
    await waitFor(() => listed(victim, h), 5_000, 'the stalled peer to be ready')
    let most = 0
    await waitFor(
      () => {
        most = Math.max(most, streamTo(victim, h)?.writeBufferLength ?? 0)
        return !listed(victim, h) && h.inbound.length > 0
      },
      10_000,
      'the stalled peer to be dropped'
    )
    expect(most).toBeGreaterThan(0)
    expect(most).toBeLessThanOrEqual(limit)
  })

  it('a direct p2p message above the peer’s announced max size is refused, not sent', async () => {
    started.nodes = await startNodes(1)
    const [victim] = started.nodes
    const h = await rawPeer()
    started.peers = [h]
    await h.open(victim, { maxSizeBytes: 1000 })
    await waitFor(() => listed(victim, h), 5_000, 'the peer to be ready')
    const shh = victim.services.shh
    const sym = shh.newSymKey()
    await expect(
      shh.post({ symKeyID: sym, topic: topicFromString('p2p'), payload: new Uint8Array(2000), targetPeer: h.node.peerId, powTarget: 0 })
    ).rejects.toMatchObject({ name: 'PostRejectedError', reason: 'too-large' })
    await new Promise((r) => setTimeout(r, 100))
    expect(h.frames.filter((f) => 'envelope' in f)).toEqual([])
  })

  /*
   * Topology: A (3000 envelopes, 3 MB, a 256 KiB write queue) ── B, connected after A filled up.
   */
  it('connect-time sync delivers the whole pool, however many times it exceeds the write queue', async () => {
    started.nodes = await startNodes(2, { whisper: { minPow: 0, maxWriteQueueBytes: 256 * 1024 } })
    const [a, b] = started.nodes
    await fill(a, 3000, 1000)
    expect(a.services.shh.info().envelopes).toBe(3000)
    await connect(a, b)
    await waitFor(() => b.services.shh.info().envelopes === 3000, 20_000, 'B to hold the whole pool')
    expect(a.services.shh.info().traffic.writeDrops).toBe(0)
  })
})
