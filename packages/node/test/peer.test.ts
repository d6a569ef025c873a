import { describe, expect, it } from 'vitest'
import type { HushNode } from '../src/index.ts'
import { holds, rawEnvelope } from './fixtures/envelopes.ts'
import { startNodes, waitFor } from './fixtures/network.ts'
import { type RawPeer, rawPeer } from './fixtures/raw-peer.ts'
import { stopAfterEach } from './fixtures/cleanup.ts'

const listed = (node: HushNode, peer: RawPeer): boolean => node.services.shh.getPeers().some((p) => p.equals(peer.node.peerId))

/*
 * Topology: raw peer H ── V (the node under test), over TCP on 127.0.0.1. H resets the streams V
 * opens to it, as a peer whose muxer or app failed would.
 */
describe('a peer whose stream from us closes', () => {
  const started = stopAfterEach()

  it('gets a new stream once, and envelopes reach it on the new stream', async () => {
    started.nodes = await startNodes(1, { whisper: { minPow: 0 } })
    const [victim] = started.nodes
    const h = await rawPeer()
    started.peers = [h]
    await h.open(victim)
    await waitFor(() => listed(victim, h) && h.inbound.length === 1, 5_000, 'the peer to be ready')
    // Let the connection settle (identify's updates re-notify the topology early on).
    await new Promise((r) => setTimeout(r, 500))
    // The stream the victim writes on is reset under it, as a peer's failing muxer would.
    h.inbound[0].abort(new Error('the raw peer resets the stream'))
    await waitFor(() => h.inbound.length === 2, 5_000, 'the stream to be reopened')
    await waitFor(() => listed(victim, h), 5_000, 'the peer to be ready again')
    await victim.services.shh.postEnvelope({ topic: new Uint8Array(4), data: new Uint8Array(8), ttlSeconds: 50 })
    await waitFor(() => h.envelopes().length === 1, 5_000, 'the envelope on the new stream')
  })

  it('is dropped when the new stream fails too: not listed, nothing queued for it, no third stream', async () => {
    started.nodes = await startNodes(1, { whisper: { minPow: 0 } })
    const [victim] = started.nodes
    const gone: string[] = []
    const ready: string[] = []
    victim.services.shh.addEventListener('peer:disconnect', (e) => gone.push(e.detail.toString()))
    victim.services.shh.addEventListener('peer:ready', (e) => ready.push(e.detail.toString()))
    const h = await rawPeer('reset-all')
    started.peers = [h]
    await h.open(victim)
    await waitFor(() => h.inbound.length === 2, 5_000, 'the one reopen')
    await waitFor(() => !listed(victim, h), 5_000, 'the peer to be dropped')
    for (let i = 0; i < 20; i++) await victim.services.shh.postEnvelope({ topic: new Uint8Array(4), data: new Uint8Array(8), ttlSeconds: 50 })
    await new Promise((r) => setTimeout(r, 300))
    // Still dropped, and never a third stream: a zombie would be listed and keep a queue.
    expect(listed(victim, h)).toBe(false)
    expect(h.inbound.length).toBe(2)
    // Apps hear of a peer going only if they heard of it being ready.
    expect(gone).toEqual(ready)
  })

  it('is dropped when its own stream to us closes and no new one comes', async () => {
    started.nodes = await startNodes(1, { whisper: { minPow: 0, handshakeTimeoutMs: 500 } })
    const [victim] = started.nodes
    const h = await rawPeer()
    started.peers = [h]
    const stream = await h.open(victim)
    await waitFor(() => listed(victim, h), 5_000, 'the peer to be ready')
    stream.abort(new Error('the raw peer drops its stream'))
    await waitFor(() => !listed(victim, h), 5_000, 'the peer to be dropped')
    // A peer that comes back with a new stream is welcome again.
    await h.open(victim)
    await waitFor(() => listed(victim, h), 5_000, 'the peer to be ready again')
    const envelope = rawEnvelope()
    h.sendEnvelopes([envelope])
    await waitFor(() => victim.services.shh.info().envelopes === 1, 5_000, 'its envelope')
    expect(holds(h.envelopes(), envelope)).toBe(false)
  })
})
