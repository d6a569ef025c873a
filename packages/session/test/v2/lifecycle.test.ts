/**
 * The conversation's lifecycle under races a review found (each test failed before its fix):
 * nothing is ever sealed with a wiped ratchet, every close settles once, nothing outlives a stop,
 * and the invitation's expiry follows the inviter's clock, however long the lifetime.
 */
import { bytesToHex } from '@noble/hashes/utils.js'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMemoryTransport } from '../../src/memory-transport.ts'
import type { Conversation } from '../../src/v2/conversation.ts'
import { createSessionPeerV2, type SessionPeerV2, type SessionPeerV2Init } from '../../src/v2/session-peer.ts'
import { Valve } from './valve.ts'
import { meet, read, text, until } from './wait.ts'

const FAST: SessionPeerV2Init = { ackDelayMs: 5, resendIntervalMs: 30, maxResendIntervalMs: 100, deliveryTimeoutMs: 2_000, gapTimeoutMs: 2_500 }
const ZERO_TOPIC = '00000000'

describe('conversation lifecycle', () => {
  const peers: SessionPeerV2[] = []
  afterEach(() => {
    vi.useRealTimers()
    for (const p of peers.splice(0)) p.stop()
  })

  async function connect(aliceSettings: SessionPeerV2Init = FAST, bobSettings: SessionPeerV2Init = FAST) {
    const bus = createMemoryTransport()
    const aliceSide = new Valve(bus)
    const bobSide = new Valve(bus)
    const alice = createSessionPeerV2(aliceSettings, { transport: aliceSide })
    const bob = createSessionPeerV2(bobSettings, { transport: bobSide })
    peers.push(alice, bob)
    const { toBob, toAlice } = await meet(alice, bob)
    return { bus, aliceSide, bobSide, alice, bob, toBob, toAlice }
  }

  it('a send racing a stop rejects, and nothing goes out after the stop (no record under wiped keys)', async () => {
    const { aliceSide, toBob } = await connect()
    const before = aliceSide.posts.length
    const sent = toBob.send(text('secret')).then(() => 'sent', (err: Error) => err.name)
    toBob.stop()
    expect(await sent).toBe('SessionClosedError')
    await new Promise((r) => setTimeout(r, 50))
    expect(aliceSide.posts.slice(before)).toEqual([])
  })

  it('a send waiting for room that the peer\'s close grants rejects, and nothing goes out after the close', async () => {
    const { aliceSide, toBob, toAlice } = await connect(FAST, { ...FAST, ackDelayMs: 60_000 }) // Bob acks only with his close
    let got = 0
    toAlice.addEventListener('message', () => got++)
    for (let i = 0; i < 256; i++) void toBob.send(text(`m${i}`))
    await until(() => got === 256, 10_000, '256 delivered')
    let postsAtClose = -1
    toBob.addEventListener('close', () => (postsAtClose = aliceSide.posts.length))
    const waiting = toBob.send(text('the 257th')).then(() => 'sent', (err: Error) => err.name)
    await toAlice.close()
    expect(await waiting).toBe('SessionClosedError')
    await new Promise((r) => setTimeout(r, 50))
    // Only the ack of Bob's close (sealed before the wipe) may follow the close event.
    const after = aliceSide.posts.slice(postsAtClose)
    expect(after.filter((p) => bytesToHex(p.topic) === ZERO_TOPIC)).toEqual([])
    expect(after.every((p) => p.data.length === 340)).toBe(true)
  })

  it('two close() calls share one close: both settle, one close record, no receipt for it', async () => {
    const { aliceSide, toBob, toAlice } = await connect()
    const receipts: number[] = []
    toBob.addEventListener('receipt', ({ detail }) => receipts.push(detail.seq))
    const remote = new Promise<string>((resolve) => toAlice.addEventListener('close', ({ detail }) => resolve(detail.reason), { once: true }))
    const before = aliceSide.posts.length
    await Promise.all([toBob.close(), toBob.close()])
    expect(await remote).toBe('remote')
    expect(receipts).toEqual([])
    // One close record and its resends (identical bytes), nothing else but acks of 340 bytes.
    const records = new Set(aliceSide.posts.slice(before).map((p) => bytesToHex(p.data)))
    expect(records.size).toBe(1)
  })

  it('a pending close posts one close record and ends at once', async () => {
    const bus = createMemoryTransport()
    const side = new Valve(bus)
    const alice = createSessionPeerV2(FAST, { transport: side })
    const bob = createSessionPeerV2(FAST, { transport: bus })
    peers.push(alice, bob)
    const { uri } = bob.createInvitation()
    bob.stop()
    const toBob = alice.join(uri)
    const before = side.posts.length
    await Promise.all([toBob.close(), toBob.close()])
    expect(toBob.state).toBe('closed')
    expect(side.posts.slice(before)).toHaveLength(1)
  })

  it('a close() given an aborted signal tears down at once and rejects with its reason', async () => {
    const { toBob } = await connect()
    await expect(toBob.close({ signal: AbortSignal.abort(new Error('stop now')) })).rejects.toThrow('stop now')
    expect(toBob.state).toBe('closed')
  })

  it('peer.stop() ends a remote close\'s linger: no subscription or timer outlives it', async () => {
    const { bus, alice, bob, toBob, toAlice } = await connect()
    await toAlice.close()
    await until(() => toBob.state === 'closed', 5_000, 'the remote close')
    expect(bus.subscriptionCount).toBeGreaterThan(0) // Alice lingers on the close's topic
    alice.stop()
    bob.stop()
    expect(bus.subscriptionCount).toBe(0)
  })

  it('a lingering conversation answers replays of the close at most once per resend interval', async () => {
    const { bus, aliceSide, toBob, toAlice } = await connect({ ...FAST, resendIntervalMs: 60_000, maxResendIntervalMs: 60_000 })
    const closeRecords: { topic: Uint8Array; data: Uint8Array }[] = []
    const bobPosts = bus.posted.length
    await toAlice.close()
    await until(() => toBob.state === 'closed', 5_000, 'the remote close')
    for (const e of bus.posted.slice(bobPosts)) closeRecords.push(e)
    const before = aliceSide.posts.length
    for (let i = 0; i < 50; i++) for (const e of closeRecords) await bus.postEnvelope({ topic: e.topic, data: e.data, ttlSeconds: 50 })
    await new Promise((r) => setTimeout(r, 100))
    expect(aliceSide.posts.length - before).toBe(0) // the ack went out at the close; within 60 s, no more
  })

  it('an app that stops the conversation in its open listener gets no event after close', async () => {
    const bus = createMemoryTransport()
    const alice = createSessionPeerV2(FAST, { transport: bus })
    const bob = createSessionPeerV2(FAST, { transport: bus })
    peers.push(alice, bob)
    const events: string[] = []
    const invited = new Promise<Conversation>((resolve) => bob.addEventListener('session', ({ detail }) => resolve(detail), { once: true }))
    const toBob = alice.join(bob.createInvitation().uri)
    toBob.addEventListener('open', () => {
      events.push('open')
      toBob.stop()
    })
    toBob.addEventListener('close', () => events.push('close'))
    toBob.addEventListener('message', () => events.push('message'))
    const toAlice = await invited
    await toAlice.send(text('hi')) // may ride with the accept step
    await new Promise((r) => setTimeout(r, 100))
    expect(events).toEqual(['open', 'close'])
  })

  it('drops skipped keys past their age while the peer is silent', async () => {
    const settings = { ttlSeconds: 1, ackDelayMs: 5, resendIntervalMs: 30, maxResendIntervalMs: 100, deliveryTimeoutMs: 300, gapTimeoutMs: 400 }
    const { aliceSide, toBob, toAlice } = await connect(settings, settings)
    const got: string[] = []
    toAlice.addEventListener('message', ({ detail }) => got.push(read(detail.payload)))
    await toBob.send(text('1'))
    aliceSide.blockNext = true
    await toBob.send(text('2')) // lost, with every resend
    await toBob.send(text('3'))
    await until(() => got.length === 2, 5_000, 'the gap')
    const ratchet = (toAlice as unknown as { ratchet: { skippedCount: number } }).ratchet
    expect(ratchet.skippedCount).toBe(1)
    // The key's age limit is gapTimeoutMs + ttl = 1.4 s; the peer says nothing meanwhile.
    await until(() => ratchet.skippedCount === 0, 5_000, 'the skipped key to expire')
  })

  it('an invitation of 30 days neither expires at once nor takes a join after its expiry by the inviter\'s clock', async () => {
    const bus = createMemoryTransport()
    let offsetMs = 0
    const bob = createSessionPeerV2(FAST, { transport: bus, now: () => Date.now() + offsetMs })
    const alice = createSessionPeerV2(FAST, { transport: bus })
    peers.push(alice, bob)
    const expired: string[] = []
    const sessions: Conversation[] = []
    bob.addEventListener('invitation:expired', ({ detail }) => expired.push(detail.uri))
    bob.addEventListener('session', ({ detail }) => sessions.push(detail))
    const longOne = bob.createInvitation({ lifetimeSeconds: 30 * 86_400 })
    await new Promise((r) => setTimeout(r, 50))
    expect(expired).toEqual([])
    const toBob = alice.join(longOne.uri)
    await until(() => toBob.state === 'open', 5_000, 'the join on a 30-day invitation')
    // A second invitation, joined in time, first seen by Bob after its expiry on his clock
    // (a suspended machine: its timer has not fired yet).
    const shortOne = bob.createInvitation({ lifetimeSeconds: 120 })
    offsetMs = 600_000
    alice.join(shortOne.uri)
    await new Promise((r) => setTimeout(r, 100))
    expect(sessions).toHaveLength(1)
    expect(expired).toEqual([shortOne.uri])
  })

  it('wipes the associated data with the rest, and the account identity when the peer stops', async () => {
    const identity = new Uint8Array(32).fill(9)
    const bus = createMemoryTransport()
    const alice = createSessionPeerV2({ ...FAST, identity }, { transport: bus })
    const bob = createSessionPeerV2(FAST, { transport: bus })
    peers.push(alice, bob)
    const toBob = alice.join(bob.createInvitation().uri, { identity: 'account' })
    await until(() => toBob.state === 'open', 5_000, 'the open')
    const ratchet = (toBob as unknown as { ratchet: { ad: Uint8Array } }).ratchet
    const held = (alice as unknown as { identity: { privateKey: Uint8Array } }).identity.privateKey
    alice.stop()
    expect(ratchet.ad.every((b) => b === 0)).toBe(true)
    expect(held.every((b) => b === 0)).toBe(true)
    expect(identity.every((b) => b === 9)).toBe(true) // the caller's own array is not touched
  })

  it('the same invitation can be joined again once the first conversation from it is gone', async () => {
    const bus = createMemoryTransport()
    const alice = createSessionPeerV2(FAST, { transport: bus })
    const bob = createSessionPeerV2(FAST, { transport: bus })
    peers.push(alice, bob)
    const { uri } = bob.createInvitation()
    bob.stop()
    const first = alice.join(uri)
    expect(() => alice.join(uri)).toThrow(expect.objectContaining({ name: 'InvalidInvitationError' }))
    first.stop()
    expect(alice.join(uri).state).toBe('pending')
  })
})
