import { describe, expect, it } from 'vitest'
import { holds, rawEnvelope } from './fixtures/envelopes.ts'
import { startNodes, waitFor } from './fixtures/network.ts'
import { rawPeer } from './fixtures/raw-peer.ts'
import { stopAfterEach } from './fixtures/cleanup.ts'

/*
 * Topology: H1 ──► V ◄── H2 (raw peers). H1 sends E; V queues E for H2's next batch (300 ms away);
 * H2 sends E too before the batch goes out. V must send E to neither.
 * (No peer gets E at once here, `eagerPeers: 0`: the test is about what waits in the batch.)
 */
describe('echo to the sender', () => {
  const started = stopAfterEach()

  it('an envelope queued for a peer that then sends it to us is not sent back', async () => {
    started.nodes = await startNodes(1, { whisper: { minPow: 0, batchIntervalMs: 300, eagerPeers: 0 } })
    const [victim] = started.nodes
    const h1 = await rawPeer()
    const h2 = await rawPeer()
    started.peers = [h1, h2]
    await h1.open(victim)
    await h2.open(victim)
    await waitFor(() => victim.services.shh.getPeers().length === 2, 5_000, 'both peers ready')
    const e = rawEnvelope()
    h1.sendEnvelopes([e])
    await waitFor(() => victim.services.shh.info().envelopes === 1, 5_000, 'E from H1')
    h2.sendEnvelopes([e])
    await waitFor(() => victim.services.shh.info().duplicates === 1, 5_000, 'E from H2')
    await new Promise((r) => setTimeout(r, 600))
    expect(holds(h2.envelopes(), e)).toBe(false)
    expect(holds(h1.envelopes(), e)).toBe(false)
  })
})
