/**
 * The conversation's timers and limits (docs/SESSION.md §9, §11): gaps, undelivered records, the
 * in-flight cap, resends on the first topic, the liveness timeout, the handshake timeout, the
 * invitation's expiry, and records nobody could have made.
 */
import { bytesToHex } from '@noble/hashes/utils.js'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMemoryTransport } from '../../src/memory-transport.ts'
import { createSessionPeerV2, type SessionPeerV2, type SessionPeerV2Init } from '../../src/v2/session-peer.ts'
import { Valve } from './valve.ts'
import { meet, read, text, until } from './wait.ts'


const FAST: SessionPeerV2Init = { ackDelayMs: 5, resendIntervalMs: 30, maxResendIntervalMs: 100, deliveryTimeoutMs: 600, gapTimeoutMs: 800 }

describe('conversation timers and limits', () => {
  const peers: SessionPeerV2[] = []
  afterEach(() => {
    vi.useRealTimers()
    for (const p of peers.splice(0)) p.stop()
  })

  async function connect(settings: SessionPeerV2Init = FAST, clocks: { alice?: () => number } = {}) {
    const bus = createMemoryTransport()
    const aliceSide = new Valve(bus)
    const bobSide = new Valve(bus)
    const alice = createSessionPeerV2(settings, { transport: aliceSide, ...(clocks.alice === undefined ? {} : { now: clocks.alice }) })
    const bob = createSessionPeerV2(settings, { transport: bobSide })
    peers.push(alice, bob)
    const { toBob, toAlice } = await meet(alice, bob)
    return { bus, aliceSide, bobSide, alice, bob, toBob, toAlice }
  }

  it('skips a record that never arrives as a gap, and reports it undelivered to its sender', async () => {
    const { aliceSide, toBob, toAlice } = await connect()
    const got: string[] = []
    const gaps: unknown[] = []
    const undelivered: number[] = []
    toAlice.addEventListener('message', ({ detail }) => got.push(`${detail.seq}:${read(detail.payload)}`))
    toAlice.addEventListener('gap', ({ detail }) => gaps.push(detail))
    toBob.addEventListener('undelivered', ({ detail }) => undelivered.push(detail.seq))
    await toBob.send(text('one'))
    aliceSide.blockNext = true // "two" and every resend of it are lost
    await toBob.send(text('two'))
    await toBob.send(text('three'))
    await until(() => got.length === 2 && undelivered.length === 1, 5_000, 'the gap and the give-up')
    expect(got).toEqual(['1:one', '3:three'])
    expect(gaps).toEqual([{ from: 2, to: 2 }])
    expect(undelivered).toEqual([2])
    // Every post of "two" was the same bytes on the same topic (resends never move to a new topic).
    const [blocked] = aliceSide.blocked
    const posts = aliceSide.posts.filter((p) => bytesToHex(p.data) === blocked)
    expect(posts.length).toBeGreaterThan(2)
    expect(new Set(posts.map((p) => bytesToHex(p.topic))).size).toBe(1)
  })

  it('keeps at most 256 messages in flight; the next waits until an ack makes room', async () => {
    const { bobSide, toBob, toAlice } = await connect({ ...FAST, deliveryTimeoutMs: 60_000, gapTimeoutMs: 60_001 })
    bobSide.closed = true // Bob receives but no ack of his gets through
    const got: number[] = []
    toAlice.addEventListener('message', ({ detail }) => got.push(detail.seq))
    for (let i = 1; i <= 256; i++) await toBob.send(text(`m${i}`))
    let sent257 = false
    const waiting = toBob.send(text('m257')).then((seq) => {
      sent257 = true
      return seq
    })
    await until(() => got.length === 256, 10_000, 'the first 256')
    await new Promise((r) => setTimeout(r, 100))
    expect(sent257).toBe(false)
    bobSide.closed = false
    expect(await waiting).toBe(257)
    await until(() => got.length === 257, 5_000, 'the 257th')
  }, 30_000)

  it('closes as silent when nothing authenticated comes from the peer for livenessTimeoutMs', async () => {
    const { bob, toBob } = await connect({ ...FAST, livenessTimeoutMs: 300 })
    const reasons: string[] = []
    toBob.addEventListener('close', ({ detail }) => reasons.push(detail.reason))
    bob.stop() // Bob vanishes without a close
    await until(() => reasons.length === 1, 5_000, 'the liveness timeout')
    expect(reasons).toEqual(['silent'])
  })

  it('gives up a join as handshake-timeout once the invitation has expired and the grace has passed', async () => {
    const bus = createMemoryTransport()
    let offsetMs = 0
    const alice = createSessionPeerV2({ ...FAST, handshakeGraceMs: 0 }, { transport: bus, now: () => Date.now() + offsetMs })
    const bob = createSessionPeerV2(FAST, { transport: new Valve(bus) })
    peers.push(alice, bob)
    const { uri } = bob.createInvitation({ lifetimeSeconds: 61 })
    bob.stop() // the inviter never answers
    const toBob = alice.join(uri)
    const reasons: string[] = []
    toBob.addEventListener('close', ({ detail }) => reasons.push(detail.reason))
    await new Promise((r) => setTimeout(r, 100))
    expect(toBob.state).toBe('pending')
    offsetMs = 62_000
    await until(() => reasons.length === 1, 5_000, 'the handshake timeout')
    expect(reasons).toEqual(['handshake-timeout'])
  })

  it('announces an invitation that expired unused, and stops listening on its topic', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const bus = createMemoryTransport()
    const bob = createSessionPeerV2(FAST, { transport: bus })
    peers.push(bob)
    const expired: string[] = []
    bob.addEventListener('invitation:expired', ({ detail }) => expired.push(detail.uri))
    const { uri } = bob.createInvitation({ lifetimeSeconds: 61 })
    expect(bus.subscriptionCount).toBe(1)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(expired).toEqual([])
    await vi.advanceTimersByTimeAsync(2_000)
    expect(expired).toEqual([uri])
    expect(bus.subscriptionCount).toBe(0)
  })

  it('refuses a gap timeout that is not longer than the delivery timeout (a skipped number would read as a receipt)', () => {
    const bus = createMemoryTransport()
    expect(() => createSessionPeerV2({ deliveryTimeoutMs: 600, gapTimeoutMs: 600 }, { transport: bus })).toThrow(expect.objectContaining({ name: 'RangeError', message: expect.stringContaining('init.gapTimeoutMs') }))
  })

  it('refuses records nobody holding the keys made, and keeps working', async () => {
    const { bus, toBob, toAlice } = await connect()
    const got: string[] = []
    toAlice.addEventListener('message', ({ detail }) => got.push(read(detail.payload)))
    // Garbage of every record size, on every topic Bob listens on.
    const topics = toAlice.listening
    for (const hex of topics) {
      const topic = Uint8Array.from(hex.match(/../g) as string[], (h) => Number.parseInt(h, 16))
      for (const size of [340, 1108, 4180, 17]) await bus.postEnvelope({ topic, data: new Uint8Array(size).fill(size & 0xff), ttlSeconds: 50 })
    }
    await toBob.send(text('still here'))
    await until(() => got.length === 1, 5_000, 'the message after the garbage')
    expect(got).toEqual(['still here'])
    expect(toAlice.stats.rejected).toEqual({ header: 3 * topics.length, size: topics.length })
  })
})
