import { topicFromString } from '@hush/envelope'
import { afterEach, describe, expect, it } from 'vitest'
import type { HushNode } from '../src/index.ts'
import { connect, startNodes, stopAll, waitFor } from './fixtures/network.ts'

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('light nodes', () => {
  let nodes: HushNode[] = []
  afterEach(async () => {
    await stopAll(nodes)
    nodes = []
  })

  /*
   * Topology: F (full) ── L (light, watches topic "mine").
   */
  it('get only the topics they watch, and announce a bloom that shrinks when subscriptions end', async () => {
    const [full] = await startNodes(1)
    const [light] = await startNodes(1, { whisper: { isLight: true, bloomAnnounceDelayMs: 10 } })
    nodes = [full, light]
    const mine = topicFromString('mine')
    const other = topicFromString('other')
    const ac = new AbortController()
    const envelopes: string[] = []
    const reading = (async () => {
      for await (const e of light.services.shh.subscribeEnvelopes([mine], { signal: ac.signal })) envelopes.push(String(e.expiry))
    })()
    expect(light.services.shh.info().bloom).toBeDefined()
    await connect(full, light)
    const sym = full.services.shh.newSymKey()
    for (let i = 0; i < 3; i++) {
      await full.services.shh.post({ symKeyID: sym, topic: mine, payload: utf8(`m${i}`) })
      await full.services.shh.post({ symKeyID: sym, topic: other, payload: utf8(`o${i}`) })
    }
    await waitFor(() => envelopes.length === 3, 10_000, 'the light node to get its three envelopes')
    await new Promise((r) => setTimeout(r, 150))
    expect(light.services.shh.info().envelopes).toBe(3)
    expect(full.services.shh.info().envelopes).toBe(6)
    const before = light.services.shh.info().bloom as Uint8Array
    expect(before.some((b) => b !== 0)).toBe(true)
    ac.abort()
    await reading
    await waitFor(() => (light.services.shh.info().bloom as Uint8Array).every((b) => b === 0), 5_000, 'the bloom to shrink')
    // Once the full node has the new (empty) bloom it stops sending: nothing arrives, nothing is dropped.
    await new Promise((r) => setTimeout(r, 100))
    await full.services.shh.post({ symKeyID: sym, topic: mine, payload: utf8('late') })
    await new Promise((r) => setTimeout(r, 150))
    expect(light.services.shh.info().envelopes).toBe(3)
    expect(light.services.shh.info().drops['bloom-mismatch']).toBe(0)
  })

  /*
   * Topology: F ── L ── G: the light node does not relay F's envelopes to G.
   */
  it('do not relay others’ envelopes', async () => {
    const [f, g] = await startNodes(2)
    const [light] = await startNodes(1, { whisper: { isLight: true } })
    nodes = [f, g, light]
    const topic = topicFromString('relay')
    const ac = new AbortController()
    const reading = (async () => {
      for await (const _ of light.services.shh.subscribeEnvelopes([topic], { signal: ac.signal })) ac.abort()
    })()
    await connect(f, light)
    await connect(light, g)
    const sym = f.services.shh.newSymKey()
    await f.services.shh.post({ symKeyID: sym, topic, payload: utf8('x') })
    await reading
    await new Promise((r) => setTimeout(r, 200))
    expect(light.services.shh.info().envelopes).toBe(1)
    expect(g.services.shh.info().envelopes).toBe(0)
  })

  /*
   * Topology: L (light, no filters) ── F (full). L posts to a topic it does not watch.
   */
  it('post to any topic, with no filters at all', async () => {
    const [full] = await startNodes(1)
    const [light] = await startNodes(1, { whisper: { isLight: true } })
    nodes = [full, light]
    await connect(full, light)
    const topic = topicFromString('someone-else')
    const sym = light.services.shh.newSymKey()
    const id = full.services.shh.addSymKey(light.services.shh.getSymKey(sym))
    const filter = full.services.shh.newMessageFilter({ symKeyID: id, topics: [topic] })
    await light.services.shh.post({ symKeyID: sym, topic, payload: utf8('from a light node') })
    await light.services.shh.postEnvelope({ topic: topicFromString('handshake'), data: new Uint8Array(32), ttlSeconds: 50 })
    await waitFor(() => full.services.shh.getFilterMessages(filter).length === 1, 10_000, 'the light node’s post')
    await waitFor(() => full.services.shh.info().envelopes === 2, 10_000, 'both posts at the full node')
  })

  it('two light nodes do not keep each other', async () => {
    nodes = await startNodes(2, { whisper: { isLight: true } })
    const [a, b] = nodes
    await a.dial(b.getMultiaddrs()[0], { signal: AbortSignal.timeout(10_000) })
    await waitFor(
      () => a.getConnections(b.peerId).length > 0 && a.services.shh.getPeers().length === 0 && b.services.shh.getPeers().length === 0,
      10_000,
      'the light pair to drop each other'
    )
    await new Promise((r) => setTimeout(r, 200))
    // Neither keeps the other as a Whisper peer (the libp2p connection is not ours to close).
    expect(a.services.shh.getPeers()).toHaveLength(0)
    expect(b.services.shh.getPeers()).toHaveLength(0)
  })
})
