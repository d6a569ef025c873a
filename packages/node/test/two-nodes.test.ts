import { generateKeyPair, topicFromString } from '@hush/envelope'
import { afterEach, describe, expect, it } from 'vitest'
import type { HushNode } from '../src/index.ts'
import { collect, connect, startNodes, stopAll } from './fixtures/network.ts'

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)
const text = (b: Uint8Array): string => new TextDecoder().decode(b)

/*
 * Topology: A ── B, over TCP on 127.0.0.1.
 */
describe('two nodes over TCP', () => {
  let nodes: HushNode[] = []
  afterEach(async () => {
    await stopAll(nodes)
    nodes = []
  })

  it('exchange symmetric and asymmetric messages', async () => {
    nodes = await startNodes(2)
    const [a, b] = nodes
    await connect(a, b)
    const topic = topicFromString('two-nodes')

    // symmetric: both hold the same key
    const symA = a.services.shh.newSymKey()
    const symB = b.services.shh.addSymKey(a.services.shh.getSymKey(symA))
    const filter = b.services.shh.newMessageFilter({ symKeyID: symB, topics: [topic] })
    const signer = a.services.shh.newKeyPair()
    const hash = await a.services.shh.post({ symKeyID: symA, topic, payload: utf8('hello B'), sig: signer, ttl: 30 })
    expect(hash.length).toBe(32)
    const got = await collect(b, filter, 1, 10_000)
    expect(text(got[0].payload)).toBe('hello B')
    expect(got[0].senderPublicKey).toEqual(a.services.shh.getPublicKey(signer))
    expect(got[0].hash).toEqual(hash)
    expect(got[0].pow).toBeGreaterThanOrEqual(0.2)

    // asymmetric: A posts to B's public key
    const keyB = b.services.shh.newKeyPair()
    const dm = b.services.shh.newMessageFilter({ privateKeyID: keyB, topics: [topic] })
    await a.services.shh.post({ pubKey: b.services.shh.getPublicKey(keyB), topic, payload: utf8('direct') })
    const dms = await collect(b, dm, 1, 10_000)
    expect(text(dms[0].payload)).toBe('direct')
    expect(dms[0].recipientPublicKey).toEqual(b.services.shh.getPublicKey(keyB))
    expect(dms[0].senderPublicKey).toBeUndefined()

    // a stranger's key opens nothing, and nothing arrives twice
    const stranger = b.services.shh.addPrivateKey(generateKeyPair().privateKey)
    const none = b.services.shh.newMessageFilter({ privateKeyID: stranger, topics: [topic] })
    await new Promise((r) => setTimeout(r, 100))
    expect(b.services.shh.getFilterMessages(none)).toEqual([])
    expect(b.services.shh.getFilterMessages(dm)).toEqual([])
    expect(a.services.shh.info().envelopes).toBe(2)
    expect(b.services.shh.info().envelopes).toBe(2)
  })

  it('subscribe() yields messages until its signal aborts', async () => {
    nodes = await startNodes(2)
    const [a, b] = nodes
    await connect(a, b)
    const topic = topicFromString('subscribe')
    const symA = a.services.shh.newSymKey()
    const symB = b.services.shh.addSymKey(a.services.shh.getSymKey(symA))
    const ac = new AbortController()
    const received: string[] = []
    const reading = (async () => {
      for await (const m of b.services.shh.subscribe({ symKeyID: symB, topics: [topic] }, { signal: ac.signal })) {
        received.push(text(m.payload))
        if (received.length === 3) ac.abort()
      }
    })()
    for (const s of ['one', 'two', 'three']) await a.services.shh.post({ symKeyID: symA, topic, payload: utf8(s) })
    await reading
    expect(received.sort()).toEqual(['one', 'three', 'two'])
    expect(b.services.shh.info().filters).toBe(0)
  })

  it('a node that connects later gets the live pool on connect', async () => {
    nodes = await startNodes(2)
    const [a, b] = nodes
    const topic = topicFromString('sync')
    const symA = a.services.shh.newSymKey()
    await a.services.shh.post({ symKeyID: symA, topic, payload: utf8('stored') })
    const symB = b.services.shh.addSymKey(a.services.shh.getSymKey(symA))
    const filter = b.services.shh.newMessageFilter({ symKeyID: symB, topics: [topic] })
    await connect(a, b)
    const got = await collect(b, filter, 1, 10_000)
    expect(text(got[0].payload)).toBe('stored')
  })
})
