import { topicFromString } from '@hush/envelope'
import { describe, expect, it } from 'vitest'
import { rawEnvelope } from './fixtures/envelopes.ts'
import { startNodes, waitFor } from './fixtures/network.ts'
import { rawPeer } from './fixtures/raw-peer.ts'
import { stopAfterEach } from './fixtures/cleanup.ts'

/* The node's settings reach its pool: what the node accepts, the pool keeps. */
describe('node settings and the pool', () => {
  const started = stopAfterEach()

  it('an envelope within the node’s own future allowance is pooled, and its sender is not penalised', async () => {
    started.nodes = await startNodes(1, { whisper: { minPow: 0, futureAllowanceSeconds: 30 } })
    const [victim] = started.nodes
    const h = await rawPeer()
    started.peers = [h]
    await h.open(victim)
    h.sendEnvelopes([rawEnvelope({ sentOffsetSeconds: 20 })])
    await waitFor(() => victim.services.shh.info().envelopes === 1, 5_000, 'the envelope from 20 s ahead')
    expect(victim.services.shh.info().drops.future).toBe(0)
  })

  it('setMaxMessageSize above the old limit lets own posts of that size through', async () => {
    started.nodes = await startNodes(1, { whisper: { minPow: 0 } })
    const shh = started.nodes[0].services.shh
    shh.setMaxMessageSize(2 * 1024 * 1024)
    const hash = await shh.postEnvelope({ topic: topicFromString('big'), data: new Uint8Array(1_500_000), ttlSeconds: 50 })
    expect(hash).toHaveLength(32)
    expect(shh.info().envelopes).toBe(1)
  })
})
