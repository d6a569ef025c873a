import { FULL_BLOOM, topicFromString, topicToBloom } from '@hush/envelope'
import { afterEach, describe, expect, it } from 'vitest'
import type { HushNode } from '../src/index.ts'
import type { Peer } from '../src/peer.ts'
import type { Router } from '../src/router.ts'
import { getEventListeners } from 'node:events'
import { collect, connect, startNodes, stopAll, waitFor } from './fixtures/network.ts'
import { rawPeer } from './fixtures/raw-peer.ts'
import { stopAfterEach } from './fixtures/cleanup.ts'

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)
const isNamed = (name: string) => expect.objectContaining({ name })

/** How `node` sees `other` (the router's internal peer state). */
const peerOf = (node: HushNode, other: HushNode): Peer | undefined =>
  (node.services.shh as unknown as { router: Router }).router.readyPeer(other.peerId.toString())

describe('shh API of the service', () => {
  let nodes: HushNode[] = []
  afterEach(async () => {
    await stopAll(nodes)
    nodes = []
  })

  it('direct p2p messages reach allowP2P filters only from trusted peers, and are not pooled', async () => {
    nodes = await startNodes(2)
    const [a, b] = nodes
    await connect(a, b)
    const topic = topicFromString('p2p')
    const symA = a.services.shh.newSymKey()
    const symB = b.services.shh.addSymKey(a.services.shh.getSymKey(symA))
    const p2p = b.services.shh.newMessageFilter({ symKeyID: symB, topics: [topic], allowP2P: true })
    const normal = b.services.shh.newMessageFilter({ symKeyID: symB, topics: [topic] })
    // Untrusted: ignored and counted.
    await a.services.shh.post({ symKeyID: symA, topic, payload: utf8('untrusted'), targetPeer: b.peerId })
    await waitFor(() => b.services.shh.info().drops['untrusted-p2p'] === 1, 5_000, 'the untrusted drop')
    expect(b.services.shh.getFilterMessages(p2p)).toEqual([])
    // Trusted: delivered to allowP2P filters, not pooled, not forwarded.
    b.services.shh.markTrustedPeer(a.peerId)
    await a.services.shh.post({ symKeyID: symA, topic, payload: utf8('trusted'), targetPeer: b.peerId })
    const got = await collect(b, p2p, 1, 5_000)
    expect(new TextDecoder().decode(got[0].payload)).toBe('trusted')
    expect(got[0].isP2P).toBe(true)
    expect(b.services.shh.getFilterMessages(normal)).toEqual([])
    expect(b.services.shh.info().envelopes).toBe(0)
    expect(() => b.services.shh.markTrustedPeer('12D3KooWNotConnected')).toThrow(isNamed('PeerNotFoundError'))
  })

  it('setMinPoW is announced: the peer stops sending what falls below it', async () => {
    nodes = await startNodes(2)
    const [a, b] = nodes
    await connect(a, b)
    b.services.shh.setMinPoW(1000)
    expect(b.services.shh.info().minPow).toBe(1000)
    await waitFor(() => peerOf(a, b)?.minPow?.current === 1000, 5_000, 'A to learn B’s requirement')
    const topic = topicFromString('pow')
    const sym = a.services.shh.newSymKey()
    await a.services.shh.post({ symKeyID: sym, topic, payload: utf8('weak'), powTarget: 0.2 })
    await new Promise((r) => setTimeout(r, 150))
    expect(a.services.shh.info().envelopes).toBe(1)
    expect(b.services.shh.info().envelopes).toBe(0)
    expect(b.services.shh.info().drops['low-pow']).toBe(0)
    expect(() => b.services.shh.setMinPoW(-1)).toThrow(RangeError)
    expect(() => b.services.shh.setMinPoW(Number.NaN)).toThrow(RangeError)
  })

  it('setBloomFilter narrows what peers send; setMaxMessageSize refuses larger posts', async () => {
    nodes = await startNodes(2)
    const [a, b] = nodes
    await connect(a, b)
    const wanted = topicFromString('wanted')
    const unwanted = topicFromString('unwanted')
    b.services.shh.setBloomFilter(topicToBloom(wanted))
    expect(b.services.shh.info().bloom).toEqual(topicToBloom(wanted))
    await waitFor(() => peerOf(a, b)?.bloom?.current !== undefined, 5_000, 'A to learn B’s bloom')
    const sym = a.services.shh.newSymKey()
    await a.services.shh.post({ symKeyID: sym, topic: unwanted, payload: utf8('no') })
    await a.services.shh.post({ symKeyID: sym, topic: wanted, payload: utf8('yes') })
    await waitFor(() => b.services.shh.info().envelopes === 1, 5_000, 'the wanted envelope')
    await new Promise((r) => setTimeout(r, 100))
    expect(b.services.shh.info().envelopes).toBe(1)
    b.services.shh.setBloomFilter(FULL_BLOOM)
    expect(() => b.services.shh.setBloomFilter(new Uint8Array(3))).toThrow(RangeError)

    a.services.shh.setMaxMessageSize(300)
    await expect(a.services.shh.post({ symKeyID: sym, topic: wanted, payload: new Uint8Array(1000) })).rejects.toThrow(isNamed('PostRejectedError'))
    expect(() => a.services.shh.setMaxMessageSize(11 * 1024 * 1024)).toThrow(RangeError)
  })

  it('keys: every shh key method, with named errors for unknown ids', async () => {
    nodes = await startNodes(1)
    const shh = nodes[0].services.shh
    const kp = shh.newKeyPair()
    expect(shh.hasKeyPair(kp)).toBe(true)
    const copy = shh.addPrivateKey(shh.getPrivateKey(kp))
    expect(shh.getPublicKey(copy)).toEqual(shh.getPublicKey(kp))
    expect(shh.deleteKeyPair(kp)).toBe(true)
    expect(shh.hasKeyPair(kp)).toBe(false)
    expect(() => shh.getPublicKey(kp)).toThrow(isNamed('KeyNotFoundError'))
    const pw = shh.generateSymKeyFromPassword('correct horse')
    const pw2 = shh.generateSymKeyFromPassword('correct horse')
    expect(shh.getSymKey(pw)).toEqual(shh.getSymKey(pw2))
    expect(pw).not.toBe(pw2)
    expect(shh.deleteSymKey(pw)).toBe(true)
    expect(shh.hasSymKey(pw)).toBe(false)
    expect(() => shh.newMessageFilter({ symKeyID: pw })).toThrow(isNamed('KeyNotFoundError'))
    expect(() => shh.newMessageFilter({} as never)).toThrow(TypeError)
    expect(() => shh.getFilterMessages('nope')).toThrow(isNamed('FilterNotFoundError'))
    expect(() => shh.deleteMessageFilter('nope')).toThrow(isNamed('FilterNotFoundError'))
    await expect(shh.post({ symKeyID: 'nope', topic: topicFromString('x'), payload: utf8('x') })).rejects.toThrow(isNamed('KeyNotFoundError'))
    await expect(shh.post({ payload: utf8('x') } as never)).rejects.toThrow(TypeError)
  })

  it('post is abortable while sealing', async () => {
    nodes = await startNodes(1)
    const shh = nodes[0].services.shh
    const sym = shh.newSymKey()
    const ac = new AbortController()
    const progress: number[] = []
    const posting = shh.post(
      { symKeyID: sym, topic: topicFromString('slow'), payload: new Uint8Array(4000), powTarget: 1e9 },
      { signal: ac.signal, onProgress: (p) => progress.push(p.attempts) }
    )
    setTimeout(() => ac.abort(), 300)
    await expect(posting).rejects.toThrow(isNamed('AbortError'))
    expect(shh.info().envelopes).toBe(0)
  })
})

describe('metrics', () => {
  it('counts drops, envelopes and state through the libp2p metrics interface', async () => {
    const groups = new Map<string, Record<string, number>>()
    const calculated = new Map<string, () => Record<string, number>>()
    const counterGroup = (name: string) => ({
      increment(values: Record<string, number | true>) {
        const g = groups.get(name) ?? {}
        for (const [k, v] of Object.entries(values)) g[k] = (g[k] ?? 0) + (v === true ? 1 : v)
        groups.set(name, g)
      },
      reset() {},
    })
    const noop: any = new Proxy(function () {}, { get: (_t, p) => (p === 'then' ? undefined : noop), apply: () => noop })
    const metrics = new Proxy(
      {
        registerCounterGroup: (name: string) => counterGroup(name),
        registerMetricGroup: (name: string, options: { calculate?: () => Record<string, number> }) => {
          if (options?.calculate !== undefined) calculated.set(name, options.calculate)
          return noop
        },
        trackProtocolStream() {},
        trackMultiaddrConnection() {},
        traceFunction: (_n: string, fn: unknown) => fn,
      },
      { get: (t: any, p) => (p in t ? t[p] : p === 'then' ? undefined : () => noop) }
    )
    const [node] = await startNodes(1, { libp2p: { metrics: () => metrics } })
    try {
      const shh = node.services.shh
      const sym = shh.newSymKey()
      const filter = shh.newMessageFilter({ symKeyID: sym, topics: [topicFromString('m')] })
      await shh.post({ symKeyID: sym, topic: topicFromString('m'), payload: utf8('x') })
      expect(shh.getFilterMessages(filter)).toHaveLength(1)
      expect(groups.get('hush_whisper_envelopes_total')).toEqual({ added: 1, delivered: 1 })
      expect(calculated.get('hush_whisper_state')?.()).toEqual({ pool_envelopes: 1, pool_bytes: shh.info().memory, peers: 0, filters: 1 })
      const h = await rawPeer()
      try {
        await h.open(node)
        h.sendEnvelopes([Uint8Array.of(0xc3, 1, 2, 3)])
        await waitFor(() => shh.info().drops['invalid-envelope'] === 1, 5_000, 'the invalid envelope')
      } finally {
        await h.stop()
      }
      expect(groups.get('hush_whisper_drops_total')).toEqual({ 'invalid-envelope': 1 })
    } finally {
      await node.stop()
    }
  })
})

describe('the service as apps embed it', () => {
  const started = stopAfterEach()

  it('a throwing event listener is logged, never an uncaught exception, and the node carries on', async () => {
    started.nodes = await startNodes(1, { whisper: { minPow: 0 } })
    const shh = started.nodes[0].services.shh
    const uncaught: unknown[] = []
    const onUncaught = (err: unknown): void => {
      uncaught.push(err)
    }
    process.prependListener('uncaughtException', onUncaught)
    try {
      const boom = (): void => {
        throw new Error('app bug')
      }
      shh.addEventListener('envelope', boom)
      await shh.postEnvelope({ topic: topicFromString('t'), data: new Uint8Array(4), ttlSeconds: 50 })
      await new Promise((r) => setTimeout(r, 50))
      shh.removeEventListener('envelope', boom)
      await shh.postEnvelope({ topic: topicFromString('t'), data: new Uint8Array(5), ttlSeconds: 50 })
      await new Promise((r) => setTimeout(r, 50))
    } finally {
      process.removeListener('uncaughtException', onUncaught)
    }
    expect(uncaught).toEqual([])
    expect(shh.info().envelopes).toBe(2)
  })

  it('stop wipes every key', async () => {
    started.nodes = await startNodes(1)
    const shh = started.nodes[0].services.shh
    const sym = shh.newSymKey()
    const pair = shh.newKeyPair()
    await started.nodes[0].stop()
    expect(shh.hasSymKey(sym)).toBe(false)
    expect(shh.hasKeyPair(pair)).toBe(false)
  })

  it('subscriptions leave no listener on the caller’s signal once they end', async () => {
    started.nodes = await startNodes(1, { whisper: { minPow: 0 } })
    const shh = started.nodes[0].services.shh
    const topic = topicFromString('leak')
    const sym = shh.newSymKey()
    const ac = new AbortController()
    for (let i = 0; i < 3; i++) {
      const reading = (async () => {
        for await (const _ of shh.subscribeEnvelopes([topic], { signal: ac.signal })) break
      })()
      const messages = (async () => {
        for await (const _ of shh.subscribe({ symKeyID: sym, topics: [topic] }, { signal: ac.signal })) break
      })()
      await shh.post({ symKeyID: sym, topic, payload: utf8(`m${i}`) })
      await Promise.all([reading, messages])
    }
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0)
    expect(shh.info().filters).toBe(0)
  })

  it('a symmetric post needs a topic that is not all zeros (geth)', async () => {
    started.nodes = await startNodes(1)
    const shh = started.nodes[0].services.shh
    const sym = shh.newSymKey()
    await expect(shh.post({ symKeyID: sym, topic: new Uint8Array(4), payload: utf8('x') })).rejects.toThrow(/params\.topic/)
    await expect(shh.post({ symKeyID: sym, topic: new Uint8Array(4), payload: utf8('x') })).rejects.toBeInstanceOf(TypeError)
  })

  it('subscribeEnvelopes tells own posts from received ones', async () => {
    started.nodes = await startNodes(2, { whisper: { minPow: 0 } })
    const [a, b] = started.nodes
    await connect(a, b)
    const topic = topicFromString('own')
    const ac = new AbortController()
    const seen: boolean[] = []
    const reading = (async () => {
      for await (const e of a.services.shh.subscribeEnvelopes([topic], { signal: ac.signal })) {
        seen.push(e.isOwn)
        if (seen.length === 2) ac.abort()
      }
    })()
    await a.services.shh.postEnvelope({ topic, data: new Uint8Array(4), ttlSeconds: 50 })
    await b.services.shh.postEnvelope({ topic, data: new Uint8Array(5), ttlSeconds: 50 })
    await reading
    expect(seen).toEqual([true, false])
  })

  it('subscribeEnvelopes with includePooled yields the live pooled envelopes first, and nothing twice', async () => {
    let clock = 1_800_000_000_000
    started.nodes = await startNodes(2, { whisper: { minPow: 0, now: () => clock } })
    const [a, b] = started.nodes
    await connect(a, b)
    const topic = topicFromString('pool')
    const other = topicFromString('else')
    await a.services.shh.postEnvelope({ topic, data: Uint8Array.of(1), ttlSeconds: 10 })
    await a.services.shh.postEnvelope({ topic, data: Uint8Array.of(2), ttlSeconds: 100 })
    await a.services.shh.postEnvelope({ topic: other, data: Uint8Array.of(3), ttlSeconds: 100 })
    await waitFor(() => b.services.shh.info().envelopes === 3, 5_000, 'B to pool all three')
    clock += 20_000 // the first envelope has expired; the sweep has not removed it yet

    const without = new AbortController()
    const plain = b.services.shh.subscribeEnvelopes([topic], { signal: without.signal })[Symbol.asyncIterator]()
    const ac = new AbortController()
    const seen: number[] = []
    const reading = (async () => {
      for await (const e of b.services.shh.subscribeEnvelopes([topic], { signal: ac.signal, includePooled: true })) {
        seen.push(e.data[0] ?? -1)
        expect(e.isOwn).toBe(false)
        if (seen.length === 2) ac.abort()
      }
    })()
    const plainFirst = plain.next()
    await a.services.shh.postEnvelope({ topic, data: Uint8Array.of(4), ttlSeconds: 100 })
    await reading
    expect(seen).toEqual([2, 4])
    // Without the option only what arrives after subscribing.
    expect((await plainFirst).value?.data[0]).toBe(4)
    without.abort()
    // The posting node's own pooled copy is marked as its own.
    const own = new AbortController()
    for await (const e of a.services.shh.subscribeEnvelopes([other], { signal: own.signal, includePooled: true })) {
      expect([e.data[0], e.isOwn]).toEqual([3, true])
      own.abort()
    }
  })

  it('keeps the ingest path off the public surface', () => {
    // @ts-expect-error ingest is private: not part of the service's API
    const probe = (shh: HushNode['services']['shh']): unknown => shh.ingest
    expect(typeof probe).toBe('function')
  })
})
