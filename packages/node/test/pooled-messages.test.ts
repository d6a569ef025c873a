/*
 * pooledMessages: what the pool holds now, opened for criteria, without a filter having been
 * installed beforehand; and, over TCP, a node that joins late gets its peer's pool and can read
 * it this way (an app's "resync" without a mail server).
 */
import { generateKeyPair, topicFromString } from '@hush/envelope'
import { afterEach, describe, expect, it } from 'vitest'
import type { HushNode } from '../src/index.ts'
import { connect, startNodes, stopAll, waitFor } from './fixtures/network.ts'

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)
const text = (b: Uint8Array): string => new TextDecoder().decode(b)

describe('pooledMessages', () => {
  let nodes: HushNode[] = []
  afterEach(async () => {
    await stopAll(nodes)
    nodes = []
  })

  it('opens what the pool holds for the criteria, in sent-time order, honouring key, topic, PoW and signer', async () => {
    nodes = await startNodes(1, { whisper: { minPow: 0.001 } })
    const shh = (nodes[0] as HushNode).services.shh
    const topic = topicFromString('board')
    const sym = shh.newSymKey()
    const other = shh.newSymKey()
    const signer = shh.newKeyPair()
    for (const body of ['one', 'two']) await shh.post({ symKeyID: sym, topic, payload: utf8(body), powTarget: 0.001, powTime: 5 })
    await shh.post({ symKeyID: sym, topic, payload: utf8('signed'), sig: signer, powTarget: 0.001, powTime: 5 })
    await shh.post({ symKeyID: sym, topic: topicFromString('elsewhere'), payload: utf8('other topic'), powTarget: 0.001, powTime: 5 })
    const listed = shh.pooledMessages({ symKeyID: sym, topics: [topic] })
    expect(new Set(listed.map((m) => text(m.payload)))).toEqual(new Set(['one', 'two', 'signed']))
    // Sent-time order, ties by hash: the same on every node.
    const order = (m: { timestamp: number; hash: Uint8Array }): string => `${m.timestamp}:${Buffer.from(m.hash).toString('hex')}`
    expect(listed.map(order)).toEqual(listed.map(order).sort())
    expect(new Set(shh.pooledMessages({ symKeyID: sym }).map((m) => text(m.payload)))).toEqual(new Set(['one', 'two', 'signed', 'other topic']))
    expect(shh.pooledMessages({ symKeyID: other, topics: [topic] })).toEqual([])
    expect(shh.pooledMessages({ symKeyID: sym, topics: [topic], minPow: 1e9 })).toEqual([])
    expect(shh.pooledMessages({ symKeyID: sym, topics: [topic], sig: shh.getPublicKey(signer) }).map((m) => text(m.payload))).toEqual(['signed'])
    expect(shh.pooledMessages({ symKeyID: sym, topics: [topic], sig: generateKeyPair().publicKey })).toEqual([])
    // Nothing is left installed: no filter, no bloom change.
    expect(shh.info().filters).toBe(0)
    expect(() => shh.pooledMessages({ symKeyID: 'nope', topics: [topic] })).toThrow(expect.objectContaining({ name: 'KeyNotFoundError' }))
    expect(() => shh.pooledMessages({ topics: [topic] } as never)).toThrow(TypeError)
  })

  it('a node that connects late reads, from its own pool, what its peer held', async () => {
    nodes = await startNodes(2, { whisper: { minPow: 0.001 } })
    const [a, b] = nodes as [HushNode, HushNode]
    const topic = topicFromString('board')
    const symA = a.services.shh.newSymKey()
    for (const body of ['before', 'you', 'came']) await a.services.shh.post({ symKeyID: symA, topic, payload: utf8(body), powTarget: 0.001, powTime: 5 })
    const symB = b.services.shh.addSymKey(a.services.shh.getSymKey(symA))
    expect(b.services.shh.pooledMessages({ symKeyID: symB, topics: [topic] })).toEqual([])
    await connect(a, b)
    await waitFor(() => b.services.shh.pooledMessages({ symKeyID: symB, topics: [topic] }).length === 3, 10_000, 'the peer pool to arrive')
    expect(new Set(b.services.shh.pooledMessages({ symKeyID: symB, topics: [topic] }).map((m) => text(m.payload)))).toEqual(new Set(['before', 'you', 'came']))
  })
})
