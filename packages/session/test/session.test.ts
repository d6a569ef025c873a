import { describe, expect, it } from 'vitest'
import { equalBytes } from '@noble/ciphers/utils.js'
import type { MemoryTransport } from '../src/memory-transport.ts'
import type { Envelope } from '@hush/envelope'
import type { Session } from '../src/session-api.ts'
import { discoveryTopic } from '../src/topics.ts'
import type { TopicSchedule } from '../src/topic-schedule.ts'
import type { SessionTransport } from '../src/transport.ts'
import { readHandshake } from './attacker.ts'
import { connectedPair, type Pair, sleep, stopPair, utf8, waitFor } from './fixtures.ts'

const texts = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`)

async function exchange(p: Pair, count: number): Promise<void> {
  const sends: Promise<number>[] = []
  for (let i = 1; i <= count; i++) {
    sends.push(p.a.send(utf8(`a${i}`)))
    sends.push(p.b.send(utf8(`b${i}`)))
  }
  await Promise.all(sends)
  await waitFor(() => p.rb.messages.length >= count && p.ra.messages.length >= count, 'all messages')
  await waitFor(() => p.ra.receipts.length === count && p.rb.receipts.length === count, 'all receipts')
}

function expectExactlyOnceInOrder(p: Pair, count: number): void {
  expect(p.rb.messages.map((m) => m.text)).toEqual(texts('a', count))
  expect(p.ra.messages.map((m) => m.text)).toEqual(texts('b', count))
  expect(p.rb.messages.map((m) => m.number)).toEqual(texts('', count).map(Number))
  expect(p.ra.receipts.sort((x, y) => x - y)).toEqual(texts('', count).map(Number))
  expect(p.rb.receipts.sort((x, y) => x - y)).toEqual(texts('', count).map(Number))
  expect(p.ra.gaps).toEqual([])
  expect(p.rb.gaps).toEqual([])
  expect(p.ra.undelivered).toEqual([])
  expect(p.rb.undelivered).toEqual([])
}

describe('session over a clean in-memory bus', () => {
  it('handshake, messages both ways in order, receipts, close from one side', async () => {
    const p = await connectedPair()
    expect(p.a.role).toBe('initiator')
    expect(p.b.role).toBe('responder')
    expect(equalBytes(p.a.id, p.b.id)).toBe(true)
    expect(equalBytes(p.b.peerPublicKey, p.aliceKeys.publicKey)).toBe(true)
    expect(equalBytes(p.a.peerPublicKey, p.bobKeys.publicKey)).toBe(true)
    await exchange(p, 20)
    expectExactlyOnceInOrder(p, 20)
    expect(p.transport.subscriptionCount).toBe(6) // two discovery topics; epochs 0 and 1 of each direction
    await p.a.close()
    await waitFor(() => p.b.state === 'closed', 'remote close')
    expect(p.a.state).toBe('closed')
    expect(p.ra.closes).toEqual(['local'])
    expect(p.rb.closes).toEqual(['remote'])
    await waitFor(() => p.transport.subscriptionCount === 2, 'session subscriptions to end (after the linger)')
    expect(p.alice.sessions()).toEqual([])
    expect(p.bob.sessions()).toEqual([])
    await expect(p.a.send(utf8('late'))).rejects.toMatchObject({ name: 'SessionClosedError' })
    await expect(p.b.send(utf8('late'))).rejects.toMatchObject({ name: 'SessionClosedError' })
    await p.a.close() // idempotent
    stopPair(p)
    expect(p.transport.subscriptionCount).toBe(0)
  })

  it('every envelope on the wire has one of three record sizes', async () => {
    // Bob's first reply is lost, so Alice re-posts her handshake: handshakes are told apart by
    // their topic, not by their place in the record (a re-post can come anywhere).
    let dropped = 0
    const wrapBob = (t: MemoryTransport): SessionTransport => ({
      subscribeEnvelopes: (topics, options) => t.subscribeEnvelopes(topics, options),
      postEnvelope: async (post, options) => (dropped++ === 0 ? new Uint8Array(32) : t.postEnvelope(post, options)),
    })
    const p = await connectedPair({ wrapBob })
    await p.a.send(utf8('x'))
    await p.a.send(new Uint8Array(1000))
    await p.b.send(new Uint8Array(4000))
    await waitFor(() => p.rb.messages.length === 2 && p.ra.messages.length === 1, 'messages')
    await p.b.close()
    const discovery = discoveryTopic(p.bobKeys.publicKey, 16)
    const isHandshake = (e: Envelope): boolean => equalBytes(e.topic, discovery)
    expect(p.transport.posted.filter(isHandshake).length).toBeGreaterThanOrEqual(2)
    const sessionSizes = new Set(p.transport.posted.filter((e) => !isHandshake(e)).map((e) => e.data.length))
    expect([...sessionSizes].every((n) => [316, 1084, 4156].includes(n))).toBe(true)
    stopPair(p)
  })

  it('acks stop resends', async () => {
    const p = await connectedPair()
    for (let i = 1; i <= 10; i++) await p.a.send(utf8(`a${i}`))
    await waitFor(() => p.ra.receipts.length === 10, 'receipts')
    const posted = p.transport.posted.length
    const resent = p.a.stats.resent
    await sleep(400) // ten resend intervals
    expect(p.a.stats.resent).toBe(resent)
    expect(p.transport.posted.length).toBe(posted)
    stopPair(p)
  })

  it('rejects misuse with named errors', async () => {
    const p = await connectedPair()
    await expect(p.a.send(new Uint8Array(4081))).rejects.toThrow(RangeError)
    await expect(p.a.send('x' as unknown as Uint8Array)).rejects.toThrow(TypeError)
    await expect(p.a.send(utf8('x'), { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' })
    await expect(p.alice.connect(p.aliceKeys.publicKey)).rejects.toThrow(RangeError)
    await expect(p.alice.connect(new Uint8Array(65))).rejects.toThrow(RangeError)
    const { createSessionPeer } = await import('../src/peer.ts')
    const transport = p.transport
    expect(() => createSessionPeer({ privateKey: new Uint8Array(32) }, { transport })).toThrow(RangeError)
    expect(() => createSessionPeer({ privateKey: p.aliceKeys.privateKey, ttlSeconds: 0 }, { transport })).toThrow(RangeError)
    expect(() => createSessionPeer({ privateKey: p.aliceKeys.privateKey, maxGap: 1.5 }, { transport })).toThrow(TypeError)
    expect(() => createSessionPeer({ privateKey: p.aliceKeys.privateKey, contacts: [new Uint8Array(65)] }, { transport })).toThrow(RangeError)
    expect(() => createSessionPeer({ privateKey: p.aliceKeys.privateKey }, {} as never)).toThrow(TypeError)
    p.alice.stop()
    await expect(p.alice.connect(p.bobKeys.publicKey)).rejects.toMatchObject({ name: 'SessionClosedError' })
    expect(p.a.state).toBe('closed')
    expect(p.ra.closes).toEqual(['stopped'])
    stopPair(p)
  })

  it('connect times out when nobody answers', async () => {
    const p = await connectedPair({ settings: { connectTimeoutMs: 200 } })
    p.bob.stop()
    await expect(p.alice.connect(p.bobKeys.publicKey)).rejects.toMatchObject({ name: 'HandshakeTimeoutError' })
    const ac = new AbortController()
    const pending = p.alice.connect(p.bobKeys.publicKey, { signal: ac.signal })
    ac.abort()
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' })
    stopPair(p)
  })
})

describe('partial-topic rotation', () => {
  it('moves both directions through fresh topics on the shared schedule, delivering throughout', async () => {
    const periodMs = 60
    const p = await connectedPair({ settings: { topicRotationMs: periodMs } })
    const count = 30
    for (let i = 1; i <= count; i++) {
      await p.a.send(utf8(`a${i}`))
      await p.b.send(utf8(`b${i}`))
      await sleep(periodMs / 3)
      expect(p.transport.subscriptionCount).toBeLessThanOrEqual(2 + 2 * 3)
    }
    await waitFor(() => p.ra.receipts.length === count && p.rb.receipts.length === count, 'receipts')
    expectExactlyOnceInOrder(p, count)
    const hex = (t: Uint8Array): string => Buffer.from(t).toString('hex')
    const { handshake } = readHandshake(p.transport.posted, p.bobKeys.privateKey, p.bobKeys.publicKey)
    const discovery = hex(discoveryTopic(p.bobKeys.publicKey, 16))
    const sessionTopics = new Set(p.transport.posted.map((e) => hex(e.topic)).filter((topic) => topic !== discovery))
    expect(sessionTopics.size).toBeGreaterThanOrEqual(6) // several epochs, two directions each
    const last = p.transport.posted.at(-1)?.topic as Uint8Array
    expect([hex(handshake.topicAB), hex(handshake.topicBA)]).not.toContain(hex(last))
    await p.a.close()
    await waitFor(() => p.b.state === 'closed', 'remote close')
    await waitFor(() => p.transport.subscriptionCount === 2, 'session subscriptions to end')
    stopPair(p)
  })
})

describe('rotation period negotiation', () => {
  it("both sides use the initiator's proposed period when it is within the responder's", async () => {
    const p = await connectedPair() // both peers: the default period, 600 s
    const { createSessionPeer } = await import('../src/peer.ts')
    const carol = createSessionPeer({ privateKey: p.aliceKeys.privateKey, topicRotationMs: 1_000, ackDelayMs: 5, resendIntervalMs: 40 }, { transport: p.transport })
    carol.start()
    const bobSide = new Promise<Session>((resolve) => p.bob.addEventListener('session', ({ detail }) => resolve(detail), { once: true }))
    const carolSide = await carol.connect(p.bobKeys.publicKey)
    const periodOf = (s: Session): number => (s as unknown as { init: { schedule: TopicSchedule } }).init.schedule.periodMs
    expect(periodOf(carolSide)).toBe(1_000)
    expect(periodOf(await bobSide)).toBe(1_000)
    carol.stop()
    stopPair(p)
  })
})

describe('resends across a topic rotation', () => {
  it('re-posts a record only on the topic it was first sent on, so rotated topics are not linked', async () => {
    let offset = 0
    const now = (): number => Date.now() + offset
    const periodMs = 1_000
    const p = await connectedPair({ now, settings: { topicRotationMs: periodMs, deliveryTimeoutMs: 60_000 } })
    p.transport.faults.loss = 1 // nothing arrives: Alice resends
    const first = p.transport.posted.length
    void p.a.send(utf8('linked?'))
    const record = p.transport.posted[first].data
    for (let epoch = 1; epoch <= 4; epoch++) {
      const resent = p.a.stats.resent
      offset += periodMs // the next epoch
      await waitFor(() => p.a.stats.resent > resent, `a resend in epoch ${epoch}`)
    }
    const copies = p.transport.posted.filter((e) => equalBytes(e.data, record))
    expect(copies.length).toBeGreaterThanOrEqual(5)
    expect(new Set(copies.map((e) => Buffer.from(e.topic).toString('hex'))).size).toBe(1)
    stopPair(p)
  })
})

describe('session under loss, duplication, reordering and delay', () => {
  it.each([1, 2, 3])('delivers every message exactly once and in order (seed %i)', async (seed) => {
    const p = await connectedPair({ transport: { seed, loss: 0.3, duplicate: 0.2, maxDelayMs: 30 } })
    await exchange(p, 40)
    expectExactlyOnceInOrder(p, 40)
    expect(p.a.stats.resent + p.b.stats.resent).toBeGreaterThan(0)
    expect(p.a.stats.duplicates + p.b.stats.duplicates).toBeGreaterThan(0)
    await p.a.close()
    await waitFor(() => p.b.state === 'closed', 'remote close')
    stopPair(p)
  })

  it('keeps at most 33 records in flight (what one ack covers); the rest wait and go out in order', async () => {
    const p = await connectedPair()
    p.transport.faults.loss = 1 // nothing is acknowledged
    const first = p.transport.posted.length
    const sends = Array.from({ length: 100 }, (_, i) => p.a.send(utf8(`m${i + 1}`)))
    await Promise.all(sends.slice(0, 33))
    const distinct = (): number => new Set(p.transport.posted.slice(first).map((e) => Buffer.from(e.data).toString('hex'))).size
    await sleep(100) // a few resend intervals: resends repeat bytes, no new record may appear
    expect(distinct()).toBe(33)
    p.transport.faults.loss = 0
    await Promise.all(sends)
    await waitFor(() => p.rb.messages.length === 100, 'all messages')
    expect(p.rb.messages.map((m) => m.text)).toEqual(texts('m', 100))
    stopPair(p)
  })

  it('reports a gap on the receiver and undelivered on the sender when one message never arrives', async () => {
    let blocked: Uint8Array | undefined
    let sessionPosts = 0
    const wrapAlice = (t: MemoryTransport): SessionTransport => ({
      subscribeEnvelopes: (topics, options) => t.subscribeEnvelopes(topics, options),
      postEnvelope: async (post, options) => {
        if (post.data.length === 316 && ++sessionPosts === 3) blocked = post.data.slice() // a2 (after the handshake posts)
        if (blocked !== undefined && equalBytes(blocked, post.data)) return new Uint8Array(32) // dropped, resends too
        return t.postEnvelope(post, options)
      },
    })
    const p = await connectedPair({ wrapAlice, settings: { deliveryTimeoutMs: 300, gapTimeoutMs: 600 } })
    sessionPosts = 1 // the handshake went out through the wrapper before the session existed
    await p.a.send(utf8('a1'))
    await p.a.send(utf8('a2'))
    await p.a.send(utf8('a3'))
    await waitFor(() => p.rb.messages.length === 2, 'a1 and a3')
    expect(p.rb.messages.map((m) => m.text)).toEqual(['a1', 'a3'])
    expect(p.rb.gaps).toEqual([{ from: 2, to: 2 }])
    await waitFor(() => p.ra.undelivered.length === 1, 'undelivered')
    expect(p.ra.undelivered).toEqual([2])
    expect(p.ra.receipts.sort()).toEqual([1, 3])
    stopPair(p)
  })

  it('repeats the ack of a remote close while lingering, so a lost ack does not stall the closer', async () => {
    let dropBobPosts = 0
    const wrapBob = (t: MemoryTransport): SessionTransport => ({
      subscribeEnvelopes: (topics, options) => t.subscribeEnvelopes(topics, options),
      postEnvelope: async (post, options) => {
        if (dropBobPosts > 0) {
          dropBobPosts--
          return new Uint8Array(32)
        }
        return t.postEnvelope(post, options)
      },
    })
    const p = await connectedPair({ wrapBob, settings: { deliveryTimeoutMs: 60_000 } })
    await p.a.send(utf8('a1'))
    await waitFor(() => p.ra.receipts.length === 1, 'receipt')
    dropBobPosts = 1 // Bob's first post from now on is his ack of Alice's close
    await p.a.close({ signal: AbortSignal.timeout(20_000) }) // without the linger: 60 s until the close expires
    expect(dropBobPosts).toBe(0)
    expect(p.b.state).toBe('closed')
    expect(p.b.stats.resent).toBeGreaterThanOrEqual(1) // the repeated ack
    await waitFor(() => p.transport.subscriptionCount === 2, 'linger to end')
    stopPair(p)
  })

  it('reports undelivered when the peer vanishes, and close still ends', async () => {
    const p = await connectedPair({ settings: { deliveryTimeoutMs: 200 } })
    p.transport.faults.loss = 1
    await p.a.send(utf8('into the void'))
    await waitFor(() => p.ra.undelivered.length === 1, 'undelivered')
    expect(p.ra.undelivered).toEqual([1])
    await p.a.close()
    expect(p.a.state).toBe('closed')
    expect(p.b.state).toBe('open')
    stopPair(p)
  })
})
