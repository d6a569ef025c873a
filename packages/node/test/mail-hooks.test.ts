/**
 * The mail-server hooks of the service (README "Mail-server hooks"; docs/WIRE.md §6): p2p
 * requests (126) to a registered handler, penalties, direct sends of 125/126/127 with drain and
 * abort, the p2p events, and the once-only delivery of code-127 history. Real libp2p over TCP on
 * 127.0.0.1.
 */
import { type Topic, decodeEnvelope, encodeEnvelope, encodeRlp, keccak256, topicFromString } from '@hush/envelope'
import { describe, expect, it } from 'vitest'
import { CODE_P2P_REQUEST } from '../src/constants.ts'
import type { HushNode, P2PRequest, ReceivedEnvelope, WhisperEvents } from '../src/index.ts'
import type { Peer } from '../src/peer.ts'
import type { Router } from '../src/router.ts'
import { type Status, encodeP2PFrame } from '../src/wire.ts'
import { stopAfterEach } from './fixtures/cleanup.ts'
import { rawEnvelope, rawEnvelopes } from './fixtures/envelopes.ts'
import { connect, startNodes, waitFor } from './fixtures/network.ts'
import { type InboundMode, type RawPeer, rawPeer } from './fixtures/raw-peer.ts'

const started = stopAfterEach()
const isNamed = (name: string) => expect.objectContaining({ name })
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

async function nodes(count: number, whisper: HushNodeWhisper = {}): Promise<HushNode[]> {
  const list = await startNodes(count, { whisper })
  started.nodes.push(...list)
  return list
}
type HushNodeWhisper = NonNullable<Parameters<typeof startNodes>[1]>['whisper']

/** What `promise` rejects with (`'resolved'` if it resolves), handled at once. */
const settled = (promise: Promise<void>): Promise<unknown> => promise.then(() => 'resolved', (err: unknown) => err)

/** A raw peer with its stream open to `node`, once `node` counts it as ready. */
async function readyRawPeer(node: HushNode, mode: InboundMode = 'read', status: Partial<Omit<Status, 'version'>> = {}): Promise<RawPeer> {
  const peer = await rawPeer(mode)
  started.peers.push(peer)
  await peer.open(node, status)
  await waitFor(() => node.services.shh.getPeers().some((p) => p.equals(peer.node.peerId)), 5_000, 'the raw peer to be ready')
  return peer
}

/** Every detail of `type` the node dispatches from now on. */
function record<K extends keyof WhisperEvents>(node: HushNode, type: K): WhisperEvents[K]['detail'][] {
  const got: WhisperEvents[K]['detail'][] = []
  node.services.shh.addEventListener(type, (evt) => got.push(evt.detail))
  return got
}

/** Every raw envelope on `topics`, read in the background. */
function readEnvelopes(node: HushNode, topics: Topic[]): ReceivedEnvelope[] {
  const got: ReceivedEnvelope[] = []
  void (async () => {
    for await (const e of node.services.shh.subscribeEnvelopes(topics)) got.push(e)
  })()
  return got
}

/** How `node` sees the peer `key` (the router's internal state). */
const peerOf = (node: HushNode, key: string): Peer | undefined =>
  (node.services.shh as unknown as { router: Router }).router.readyPeer(key)

/** A sealed, encrypted envelope made by `maker` (not connected), read from its `envelope` event. */
async function sealed(maker: HushNode, symKeyID: string, topic: Topic, text: string): Promise<{ raw: Uint8Array; hash: Uint8Array }> {
  const detail = new Promise<WhisperEvents['envelope']['detail']>((resolve) =>
    maker.services.shh.addEventListener('envelope', (evt) => resolve(evt.detail), { once: true })
  )
  const hash = await maker.services.shh.post({ symKeyID, topic, payload: utf8(text), ttl: 60 })
  const { raw } = await detail
  expect(hex(keccak256(raw))).toBe(hex(hash))
  return { raw, hash }
}

describe('p2p requests (code 126) and setRequestHandler', () => {
  it('reach the handler from an untrusted peer, as a copy with its hash and sender; ignored without one', async () => {
    const [node] = await nodes(1)
    const peer = await readyRawPeer(node)
    const requests: P2PRequest[] = []
    const [ignored, first] = [rawEnvelope({ ttl: 10 }), rawEnvelope({ sentOffsetSeconds: -9_999, ttl: 1 })]
    peer.send(encodeP2PFrame(CODE_P2P_REQUEST, ignored))
    await sleep(100)
    node.services.shh.setRequestHandler((r) => requests.push(r))
    // Expired and without PoW: the node checks nothing, the handler decides.
    peer.send(encodeP2PFrame(CODE_P2P_REQUEST, first))
    await waitFor(() => requests.length === 1, 5_000, 'the request')
    const [r] = requests
    expect(hex(r.raw)).toBe(hex(first))
    expect(r.raw.byteOffset === 0 && r.raw.buffer.byteLength === first.length).toBe(true)
    expect(hex(r.hash)).toBe(hex(keccak256(first)))
    expect(r.from.equals(peer.node.peerId)).toBe(true)
    expect(r.envelope).toEqual(decodeEnvelope(first))
    expect(node.services.shh.info().drops['invalid-envelope']).toBe(0)
    expect(node.services.shh.info().envelopes).toBe(0)
    expect(() => node.services.shh.setRequestHandler('x' as unknown as undefined)).toThrow(TypeError)
  })

  it('drop what does not decode as invalid-envelope; a handler that throws or rejects breaks nothing', async () => {
    const [node] = await nodes(1)
    const peer = await readyRawPeer(node)
    const drops = record(node, 'envelope:drop')
    const requests: P2PRequest[] = []
    node.services.shh.setRequestHandler((r) => requests.push(r))
    peer.send(encodeP2PFrame(CODE_P2P_REQUEST, encodeRlp([Uint8Array.of(1)])))
    await waitFor(() => node.services.shh.info().drops['invalid-envelope'] === 1, 5_000, 'the drop')
    expect(drops).toEqual([{ reason: 'invalid-envelope', from: expect.anything() }])
    expect(drops[0].from?.equals(peer.node.peerId)).toBe(true)
    expect(requests).toEqual([])
    let calls = 0
    node.services.shh.setRequestHandler(() => {
      calls++
      throw new Error('boom')
    })
    peer.send(encodeP2PFrame(CODE_P2P_REQUEST, rawEnvelope()))
    await waitFor(() => calls === 1, 5_000, 'the throwing handler')
    node.services.shh.setRequestHandler((async () => {
      calls++
      throw new Error('async boom')
    }) as () => void)
    peer.send(encodeP2PFrame(CODE_P2P_REQUEST, rawEnvelope()))
    await waitFor(() => calls === 2, 5_000, 'the rejecting handler')
    node.services.shh.setRequestHandler((r) => requests.push(r))
    peer.send(encodeP2PFrame(CODE_P2P_REQUEST, rawEnvelope()))
    await waitFor(() => requests.length === 1, 5_000, 'the request after them')
    expect(node.services.shh.getPeers().some((p) => p.equals(peer.node.peerId))).toBe(true)
    node.services.shh.setRequestHandler(undefined)
    peer.send(encodeP2PFrame(CODE_P2P_REQUEST, rawEnvelope()))
    await sleep(100)
    expect(requests.length).toBe(1)
  })

  it('sendP2PRequest writes one to a ready peer; refuses unknown peers, bad bytes, too large and a full write queue', async () => {
    const [a, b] = await nodes(2, { maxWriteQueueBytes: 64 * 1024 })
    await connect(a, b)
    const requests: P2PRequest[] = []
    b.services.shh.setRequestHandler((r) => requests.push(r))
    const env = rawEnvelope()
    a.services.shh.sendP2PRequest(b.peerId, env)
    a.services.shh.sendP2PRequest(b.peerId.toString(), env)
    await waitFor(() => requests.length === 2, 5_000, 'two requests')
    expect(requests.every((r) => hex(r.raw) === hex(env) && r.from.equals(a.peerId))).toBe(true)
    expect(() => a.services.shh.sendP2PRequest('12D3KooWNotConnected', env)).toThrow(isNamed('PeerNotFoundError'))
    expect(() => a.services.shh.sendP2PRequest(b.peerId, 'x' as unknown as Uint8Array)).toThrow(TypeError)
    expect(() => a.services.shh.sendP2PRequest(b.peerId, Uint8Array.of(0xc0))).toThrow(RangeError)
    expect(() => a.services.shh.sendP2PRequest(42 as unknown as string, env)).toThrow(TypeError)
    const small = await readyRawPeer(a, 'read', { maxSizeBytes: 100 })
    expect(() => a.services.shh.sendP2PRequest(small.node.peerId, rawEnvelope({ dataBytes: 200 }))).toThrow(
      expect.objectContaining({ name: 'PostRejectedError', reason: 'too-large' })
    )
    const stalled = await readyRawPeer(a, 'stall')
    const big = rawEnvelope({ dataBytes: 8 * 1024 })
    let error: unknown
    for (let i = 0; i < 500 && error === undefined; i++) {
      try {
        a.services.shh.sendP2PRequest(stalled.node.peerId, big)
      } catch (err) {
        error = err
      }
    }
    expect(error).toEqual(expect.objectContaining({ name: 'PostRejectedError', reason: 'write-queue-full' }))
  })
})

describe('penalize', () => {
  it('a bad request costs what an invalid envelope does; repeated ones ban the peer; unknown peers are ignored', async () => {
    const [node] = await nodes(1)
    const peer = await readyRawPeer(node)
    const bans = record(node, 'peer:ban')
    const key = peer.node.peerId.toString()
    node.services.shh.penalize(peer.node.peerId, 'bad-request')
    expect(peerOf(node, key)?.score.value).toBeCloseTo(-20, 1)
    let calls = 1
    while (!node.services.shh.isBanned(key) && calls < 10) {
      node.services.shh.penalize(key, 'bad-request')
      calls++
    }
    // Threshold −100 at −20 a request: the sixth bans it (a little decay aside).
    expect(calls).toBe(6)
    expect(bans.map((id) => id.toString())).toEqual([key])
    expect(node.services.shh.getPeers()).toEqual([])
    expect(() => node.services.shh.penalize('12D3KooWNotConnected', 'bad-request')).not.toThrow()
    expect(() => node.services.shh.penalize(key, 'other' as 'bad-request')).toThrow(TypeError)
    expect(() => node.services.shh.penalize(7 as unknown as string, 'bad-request')).toThrow(TypeError)
  })
})

describe('sendP2PMessages and sendP2PComplete', () => {
  it('stream thousands of envelopes to a peer, in order, none dropped, within the write queue limit (waits for drain)', async () => {
    const limit = 32 * 1024
    const [a, b] = await nodes(2, { maxWriteQueueBytes: limit })
    await connect(a, b)
    b.services.shh.markTrustedPeer(a.peerId)
    const got = record(b, 'p2p:message')
    const raws = rawEnvelopes(2000, { dataBytes: 1000 })
    const toB = peerOf(a, b.peerId.toString()) as Peer
    let peak = 0
    const sampler = setInterval(() => (peak = Math.max(peak, toB.bufferedBytes)), 1)
    try {
      await a.services.shh.sendP2PMessages(b.peerId, raws)
    } finally {
      clearInterval(sampler)
    }
    await waitFor(() => got.length === raws.length, 20_000, 'every envelope')
    expect(got.map((d) => hex(d.hash))).toEqual(raws.map((r) => hex(keccak256(r))))
    expect(got.every((d) => d.delivered && d.from.equals(a.peerId))).toBe(true)
    expect(a.services.shh.info().traffic.writeDrops).toBe(0)
    // ~2 MB went through a 32 KiB write queue.
    expect(peak).toBeLessThanOrEqual(limit)
  })

  it('check every size first, end with the signal’s reason on abort, and fail when the peer goes', async () => {
    const [node] = await nodes(1, { maxWriteQueueBytes: 16 * 1024 })
    const small = await readyRawPeer(node, 'read', { maxSizeBytes: 500 })
    await expect(node.services.shh.sendP2PMessages(small.node.peerId, [rawEnvelope(), rawEnvelope(), rawEnvelope({ dataBytes: 600 })])).rejects.toEqual(
      expect.objectContaining({ name: 'PostRejectedError', reason: 'too-large' })
    )
    await sleep(100)
    expect(small.frames.filter((f) => f.code === 127)).toEqual([])
    await expect(node.services.shh.sendP2PMessages(small.node.peerId, [rawEnvelope(), Uint8Array.of(1)])).rejects.toThrow(RangeError)
    await expect(node.services.shh.sendP2PMessages(small.node.peerId, 'x' as unknown as Uint8Array[])).rejects.toThrow(TypeError)
    await expect(node.services.shh.sendP2PMessages('12D3KooWNotConnected', [rawEnvelope()])).rejects.toEqual(isNamed('PeerNotFoundError'))
    const reason = new Error('enough')
    await expect(node.services.shh.sendP2PMessages(small.node.peerId, [rawEnvelope()], { signal: AbortSignal.abort(reason) })).rejects.toBe(reason)

    const stalled = await readyRawPeer(node, 'stall')
    const controller = new AbortController()
    const sending = node.services.shh.sendP2PMessages(stalled.node.peerId, rawEnvelopes(2000, { dataBytes: 1000 }), { signal: controller.signal })
    const after = settled(node.services.shh.sendP2PComplete(stalled.node.peerId, encodeRlp([Uint8Array.of(1)])))
    await sleep(200)
    controller.abort(reason)
    await expect(sending).rejects.toBe(reason)
    // The complete queued behind it still waits for the stalled peer; when the peer goes, it fails.
    await stalled.stop()
    expect(await after).toEqual(isNamed('PeerNotFoundError'))

    const leaving = await readyRawPeer(node, 'stall')
    const cut = settled(node.services.shh.sendP2PMessages(leaving.node.peerId, rawEnvelopes(2000, { dataBytes: 1000 })))
    await sleep(200)
    await leaving.stop()
    expect(await cut).toEqual(isNamed('PeerNotFoundError'))
  })

  it('a complete sent after messages arrives after them; only trusted peers’ completes are heard', async () => {
    const [a, b, c] = await nodes(3, { maxWriteQueueBytes: 32 * 1024 })
    await connect(a, b)
    await connect(c, b)
    b.services.shh.markTrustedPeer(a.peerId)
    const order: string[] = []
    const completes = record(b, 'p2p:complete')
    b.services.shh.addEventListener('p2p:message', () => order.push('m'))
    b.services.shh.addEventListener('p2p:complete', () => order.push('c'))
    const body = encodeRlp([new Uint8Array(32).fill(9), new Uint8Array(32).fill(8)])
    const messages = a.services.shh.sendP2PMessages(b.peerId, rawEnvelopes(500, { dataBytes: 1000 }))
    const complete = a.services.shh.sendP2PComplete(b.peerId, body)
    await Promise.all([messages, complete])
    await waitFor(() => order.length === 501, 20_000, 'messages and the complete')
    expect(order.indexOf('c')).toBe(500)
    expect(hex(completes[0].body)).toBe(hex(body))
    expect(completes[0].from.equals(a.peerId)).toBe(true)
    // From an untrusted peer: ignored and counted.
    await c.services.shh.sendP2PComplete(b.peerId, body)
    await waitFor(() => b.services.shh.info().drops['untrusted-p2p'] === 1, 5_000, 'the untrusted drop')
    expect(completes.length).toBe(1)
    await expect(a.services.shh.sendP2PComplete(b.peerId, Uint8Array.of(1, 2))).rejects.toThrow(RangeError)
    await expect(a.services.shh.sendP2PComplete(b.peerId, encodeRlp([new Uint8Array(4094)]))).rejects.toThrow(RangeError)
    await expect(a.services.shh.sendP2PComplete(b.peerId, 'c0' as unknown as Uint8Array)).rejects.toThrow(TypeError)
  })
})

describe('code-127 history reaches filters and subscriptions once', () => {
  it('a repeated p2p message, fresh or long expired, is delivered once (delivered: false after)', async () => {
    const [a, b, maker] = await nodes(3)
    await connect(a, b)
    b.services.shh.markTrustedPeer(a.peerId)
    const chat = topicFromString('chat')
    const history = topicFromString('history')
    const key = maker.services.shh.newSymKey()
    const filter = b.services.shh.newMessageFilter({ symKeyID: b.services.shh.addSymKey(maker.services.shh.getSymKey(key)), topics: [chat], allowP2P: true })
    const subscribed = readEnvelopes(b, [chat, history])
    const events = record(b, 'p2p:message')
    const fresh = await sealed(maker, key, chat, 'hello')
    const expired = rawEnvelope({ topic: 'history', sentOffsetSeconds: -7200, ttl: 50 })
    await a.services.shh.sendP2PMessages(b.peerId, [fresh.raw, expired, fresh.raw, expired])
    await a.services.shh.sendP2PMessages(b.peerId, [expired, fresh.raw])
    await waitFor(() => events.length === 6, 5_000, 'six p2p messages')
    expect(events.map((e) => e.delivered)).toEqual([true, true, false, false, false, false])
    expect(events.every((e) => e.from.equals(a.peerId))).toBe(true)
    expect(hex(events[1].raw)).toBe(hex(expired))
    const messages = b.services.shh.getFilterMessages(filter)
    expect(messages.map((m) => new TextDecoder().decode(m.payload))).toEqual(['hello'])
    expect(messages[0].isP2P).toBe(true)
    expect(subscribed.map((e) => hex(e.topic))).toEqual([hex(chat), hex(history)])
    expect(subscribed.every((e) => !e.isOwn)).toBe(true)
    // Not pooled, as before.
    expect(b.services.shh.info().envelopes).toBe(0)
  })

  it('history then flood: the flooded copy is pooled and forwarded, not delivered again; flood then history: not delivered', async () => {
    const [a, b, maker] = await nodes(3)
    await connect(a, b)
    b.services.shh.markTrustedPeer(a.peerId)
    const flooder = await readyRawPeer(b)
    const chat = topicFromString('chat')
    const key = maker.services.shh.newSymKey()
    const filter = b.services.shh.newMessageFilter({ symKeyID: b.services.shh.addSymKey(maker.services.shh.getSymKey(key)), topics: [chat], allowP2P: true })
    const subscribed = readEnvelopes(b, [chat])
    const pooled = record(b, 'envelope')
    const p2p = record(b, 'p2p:message')
    const first = await sealed(maker, key, chat, 'history first')
    await a.services.shh.sendP2PMessages(b.peerId, [first.raw])
    await waitFor(() => p2p.length === 1, 5_000, 'the p2p message')
    flooder.sendEnvelopes([first.raw])
    await waitFor(() => pooled.length === 1, 5_000, 'the flooded copy to be pooled')
    expect(hex(pooled[0].raw)).toBe(hex(first.raw))
    // Forwarded as usual: A gets it by flood.
    await waitFor(() => a.services.shh.info().envelopes === 1, 5_000, 'the flood to reach A')
    const second = await sealed(maker, key, chat, 'flood first')
    flooder.sendEnvelopes([second.raw])
    await waitFor(() => pooled.length === 2, 5_000, 'the second flooded envelope')
    await a.services.shh.sendP2PMessages(b.peerId, [second.raw])
    await waitFor(() => p2p.length === 2, 5_000, 'the second p2p message')
    expect(p2p.map((e) => e.delivered)).toEqual([true, false])
    await sleep(50)
    expect(b.services.shh.getFilterMessages(filter).map((m) => new TextDecoder().decode(m.payload))).toEqual(['history first', 'flood first'])
    expect(subscribed.map((e) => hex(keccak256(encodeEnvelopeOf(e))))).toEqual([hex(first.hash), hex(second.hash)])
  })
})

describe("the 'envelope' event", () => {
  it('carries a copy of the canonical bytes, for own and received envelopes', async () => {
    const [a, b] = await nodes(2)
    await connect(a, b)
    const own = record(a, 'envelope')
    const received = record(b, 'envelope')
    const key = a.services.shh.newSymKey()
    const hash = await a.services.shh.post({ symKeyID: key, topic: topicFromString('raw'), payload: utf8('x') })
    await waitFor(() => own.length === 1 && received.length === 1, 5_000, 'both events')
    for (const d of [own[0], received[0]]) {
      expect(hex(keccak256(d.raw))).toBe(hex(hash))
      expect(decodeEnvelope(d.raw)).toEqual(d.envelope)
      expect(d.raw.byteOffset === 0 && d.raw.buffer.byteLength === d.raw.length).toBe(true)
    }
    expect(received[0].from?.equals(a.peerId)).toBe(true)
  })
})

function encodeEnvelopeOf(e: ReceivedEnvelope): Uint8Array {
  const { isOwn: _, ...envelope } = e
  return encodeEnvelope(envelope)
}
