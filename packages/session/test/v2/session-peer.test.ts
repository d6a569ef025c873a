/**
 * Session v2 end to end on the in-memory transport: invitation, join, both directions, loss,
 * close, and what an observer of the wire can and cannot see (docs/SESSION.md §16).
 */
import { getPublicKey, keccak256 } from '@hush/envelope'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { createAccountData } from '../../src/account.ts'
import { afterEach, describe, expect, it } from 'vitest'
import { createMemoryTransport, type MemoryTransport } from '../../src/memory-transport.ts'
import type { Conversation } from '../../src/v2/conversation.ts'
import { createSessionPeerV2, type SessionPeerV2, type SessionPeerV2Init } from '../../src/v2/session-peer.ts'
import { read, text, until } from './wait.ts'


const FAST: SessionPeerV2Init = { ackDelayMs: 5, resendIntervalMs: 40, maxResendIntervalMs: 200, deliveryTimeoutMs: 8_000, gapTimeoutMs: 9_000 }

describe('session v2 peers', () => {
  const peers: SessionPeerV2[] = []
  afterEach(() => {
    for (const p of peers.splice(0)) p.stop()
  })

  function pair(transport: MemoryTransport, settings: SessionPeerV2Init = FAST): { alice: SessionPeerV2; bob: SessionPeerV2 } {
    const alice = createSessionPeerV2(settings, { transport })
    const bob = createSessionPeerV2(settings, { transport })
    peers.push(alice, bob)
    return { alice, bob }
  }

  /** Bob invites, Alice joins; both conversations, once open. */
  async function connect(transport: MemoryTransport, settings?: SessionPeerV2Init): Promise<{ alice: SessionPeerV2; bob: SessionPeerV2; toBob: Conversation; toAlice: Conversation }> {
    const { alice, bob } = pair(transport, settings)
    const invited = new Promise<Conversation>((resolve) => bob.addEventListener('session', ({ detail }) => resolve(detail), { once: true }))
    const { uri } = bob.createInvitation()
    const toBob = alice.join(uri)
    const opened = new Promise<void>((resolve) => toBob.addEventListener('open', () => resolve(), { once: true }))
    const toAlice = await invited
    await opened
    return { alice, bob, toBob, toAlice }
  }

  function inbox(c: Conversation): string[] {
    const got: string[] = []
    c.addEventListener('message', ({ detail }) => got.push(read(detail.payload)))
    return got
  }

  it('joins an invitation and talks both ways, in order, with receipts', async () => {
    const transport = createMemoryTransport()
    const { toBob, toAlice } = await connect(transport)
    expect(toBob.state).toBe('open')
    expect(toAlice.state).toBe('open')
    expect(bytesToHex(toBob.peerStaticKey)).toBe(bytesToHex(toAlice.ownStaticKey))
    const atBob = inbox(toAlice)
    const atAlice = inbox(toBob)
    const receipts: number[] = []
    toBob.addEventListener('receipt', ({ detail }) => receipts.push(detail.seq))
    for (let i = 1; i <= 5; i++) await toBob.send(text(`a${i}`))
    await toAlice.send(text('b1'))
    for (let i = 6; i <= 10; i++) await toBob.send(text(`a${i}`))
    await until(() => atBob.length === 10 && atAlice.length === 1 && receipts.length === 10, 10_000, 'deliveries and receipts')
    expect(atBob).toEqual(Array.from({ length: 10 }, (_, i) => `a${i + 1}`))
    expect(atAlice).toEqual(['b1'])
    expect(receipts).toEqual(Array.from({ length: 10 }, (_, i) => i + 1))
  })

  it('delivers early data sent before the inviter answered', async () => {
    const transport = createMemoryTransport()
    const { alice, bob } = pair(transport)
    const invited = new Promise<Conversation>((resolve) => bob.addEventListener('session', ({ detail }) => resolve(detail), { once: true }))
    // Alice's message 1 is lost the first time: she sends early data meanwhile.
    transport.faults.loss = 1
    const toBob = alice.join(bob.createInvitation().uri)
    expect(toBob.state).toBe('pending')
    const sent = toBob.send(text('early'))
    await new Promise((r) => setTimeout(r, 20))
    transport.faults.loss = 0
    const toAlice = await invited
    const got = inbox(toAlice)
    await sent
    await until(() => got.length === 1 && toBob.state === 'open', 10_000, 'the early data')
    expect(got).toEqual(['early'])
  })

  it('delivers exactly once and in order under 30% loss, duplication and reordering, both ways', async () => {
    const transport = createMemoryTransport({ seed: 7 })
    const { toBob, toAlice } = await connect(transport)
    transport.faults.loss = 0.3
    transport.faults.duplicate = 0.2
    transport.faults.maxDelayMs = 15
    const atBob = inbox(toAlice)
    const atAlice = inbox(toBob)
    const n = 40
    await Promise.all([
      (async () => {
        for (let i = 1; i <= n; i++) await toBob.send(text(`a${i}`))
      })(),
      (async () => {
        for (let i = 1; i <= n; i++) await toAlice.send(text(`b${i}`))
      })(),
    ])
    await until(() => atBob.length === n && atAlice.length === n, 30_000, 'every message under loss')
    expect(atBob).toEqual(Array.from({ length: n }, (_, i) => `a${i + 1}`))
    expect(atAlice).toEqual(Array.from({ length: n }, (_, i) => `b${i + 1}`))
  }, 40_000)

  it('a replayed message 1, or another one made from a consumed invitation, opens no second conversation', async () => {
    const transport = createMemoryTransport()
    const { alice, bob } = pair(transport)
    const sessions: Conversation[] = []
    bob.addEventListener('session', ({ detail }) => sessions.push(detail))
    const { uri } = bob.createInvitation()
    const toBob = alice.join(uri)
    await until(() => toBob.state === 'open', 10_000, 'the join')
    // An attacker who saw the invitation joins it too, and replays Alice's message 1.
    const mallory = createSessionPeerV2(FAST, { transport })
    peers.push(mallory)
    const second = mallory.join(uri)
    const msg1 = transport.posted.find((e) => e.data.length === 340)
    if (msg1 === undefined) throw new Error('no message 1 on the wire')
    for (let i = 0; i < 5; i++) await transport.postEnvelope({ topic: msg1.topic, data: msg1.data, ttlSeconds: 50 })
    await new Promise((r) => setTimeout(r, 300))
    expect(sessions).toHaveLength(1)
    expect(second.state).toBe('pending')
  })

  it('reports each other join of a consumed invitation once (not its resends, not replays, not garbage), answers none, and keeps the conversation', async () => {
    const transport = createMemoryTransport()
    const { alice, bob } = pair(transport)
    const sessions: Conversation[] = []
    bob.addEventListener('session', ({ detail }) => sessions.push(detail))
    const reused: { uri: string; conversation: Conversation }[] = []
    bob.addEventListener('invitation:reused', ({ detail }) => reused.push(detail))
    const { uri } = bob.createInvitation()
    const toBob = alice.join(uri)
    await until(() => toBob.state === 'open' && sessions.length === 1, 10_000, 'the join')
    const [toAlice] = sessions
    const msg1 = transport.posted.find((e) => e.data.length === 340)
    if (msg1 === undefined) throw new Error('no message 1 on the wire')
    // Replays of Alice's message 1 and garbage of its size on the topic: nothing to report.
    for (let i = 0; i < 5; i++) await transport.postEnvelope({ topic: msg1.topic, data: msg1.data, ttlSeconds: 50 })
    for (let i = 0; i < 5; i++) await transport.postEnvelope({ topic: msg1.topic, data: new Uint8Array(340).fill(i), ttlSeconds: 50 })
    await new Promise((r) => setTimeout(r, 100))
    expect(reused).toHaveLength(0)
    // Mallory, who got hold of the invitation, and Alice again from a fresh start (a new peer) join it.
    const mallory = createSessionPeerV2(FAST, { transport })
    const aliceAgain = createSessionPeerV2(FAST, { transport })
    peers.push(mallory, aliceAgain)
    const fromMallory = mallory.join(uri)
    await fromMallory.send(text('it is Mallory'))
    await until(() => reused.length === 1, 5_000, 'the first report')
    const fromAliceAgain = aliceAgain.join(uri)
    await until(() => reused.length === 2, 5_000, 'the second report')
    // Both resend their message 1 (every 40 ms, backing off): reported once each, answered never.
    await new Promise((r) => setTimeout(r, 500))
    expect(fromMallory.stats.resent).toBeGreaterThan(0)
    expect(reused).toEqual([
      { uri, conversation: toAlice },
      { uri, conversation: toAlice },
    ])
    expect(fromMallory.state).toBe('pending')
    expect(fromAliceAgain.state).toBe('pending')
    expect(sessions).toHaveLength(1)
    // Bob still talks to Alice.
    const got: string[] = []
    toBob.addEventListener('message', ({ detail }) => got.push(read(detail.payload)))
    await toAlice.send(text('still you'))
    await until(() => got.length === 1, 5_000, 'the message to Alice')
    expect(got).toEqual(['still you'])
    expect(bytesToHex(toAlice.peerStaticKey)).toBe(bytesToHex(toBob.ownStaticKey))
  })

  it('answers a flood of replayed message 1 with at most one ack per resend interval, and garbage with nothing', async () => {
    const transport = createMemoryTransport()
    const settings = { ...FAST, resendIntervalMs: 60_000, maxResendIntervalMs: 60_000 }
    const { alice, bob } = pair(transport, settings)
    const sessions: Conversation[] = []
    bob.addEventListener('session', ({ detail }) => sessions.push(detail))
    const toBob = alice.join(bob.createInvitation().uri)
    await until(() => toBob.state === 'open' && sessions.length === 1, 10_000, 'the join')
    const [toAlice] = sessions
    const msg1 = transport.posted.find((e) => e.data.length === 340)
    if (msg1 === undefined) throw new Error('no message 1 on the wire')
    const sentBefore = toAlice.stats.sent
    for (let i = 0; i < 200; i++) await transport.postEnvelope({ topic: msg1.topic, data: msg1.data, ttlSeconds: 50 })
    for (let i = 0; i < 200; i++) await transport.postEnvelope({ topic: msg1.topic, data: new Uint8Array(340).fill(i), ttlSeconds: 50 })
    await new Promise((r) => setTimeout(r, 200))
    // The accept ack went out when the join was taken; within one resend interval, nothing more.
    expect(toAlice.stats.sent - sentBefore).toBe(0)
    expect(sessions).toHaveLength(1)
  })

  it('closes: the peer gets the close, both sides end, and every key is wiped', async () => {
    const transport = createMemoryTransport()
    const { toBob, toAlice } = await connect(transport)
    const reasons: string[] = []
    toAlice.addEventListener('close', ({ detail }) => reasons.push(`bob:${detail.reason}`))
    toBob.addEventListener('close', ({ detail }) => reasons.push(`alice:${detail.reason}`))
    const got = inbox(toAlice)
    await toBob.send(text('last'))
    await toBob.close()
    await until(() => reasons.length === 2, 10_000, 'both closes')
    expect(got).toEqual(['last'])
    expect(reasons.sort()).toEqual(['alice:local', 'bob:remote'])
    await expect(toBob.send(text('late'))).rejects.toMatchObject({ name: 'SessionClosedError' })
    // Wiped: the ratchet's root key and chain keys are zeros (reached as a test would a private field).
    const state = (c: Conversation) => (c as unknown as { ratchet: { rk: Uint8Array; cks: Uint8Array; dhs: { privateKey: Uint8Array } } }).ratchet
    for (const c of [toBob, toAlice]) {
      expect(state(c).rk.every((b) => b === 0)).toBe(true)
      expect(state(c).cks.every((b) => b === 0)).toBe(true)
      expect(state(c).dhs.privateKey.every((b) => b === 0)).toBe(true)
    }
  })

  it('leaves nothing on the wire that links the parties: no long-term key material, three sizes only, topics that change', async () => {
    const transport = createMemoryTransport({ seed: 3 })
    const { toBob, toAlice } = await connect(transport)
    transport.faults.loss = 0.1 // some resends too
    const atBob = inbox(toAlice)
    const atAlice = inbox(toBob)
    // A conversation: each message answers the last one, so every turn is a ratchet step.
    for (let i = 0; i < 50; i++) {
      await toBob.send(text(`ping ${i}`))
      await until(() => atBob.length === i + 1, 10_000, `ping ${i}`)
      await toAlice.send(text(`pong ${i}`))
      await until(() => atAlice.length === i + 1, 10_000, `pong ${i}`)
    }
    await until(() => toBob.stats.sent + toAlice.stats.sent > 100 && toBob.stats.resent + toAlice.stats.resent > 0, 20_000, 'traffic and resends')
    transport.faults.loss = 0
    await toBob.close()
    await until(() => toAlice.state === 'closed', 10_000, 'the close')
    const posted = transport.posted
    // Sizes: message 1 and records of three classes, nothing else.
    expect(new Set(posted.map((e) => e.data.length))).toEqual(new Set([340, 1108, 4180].filter((n) => posted.some((e) => e.data.length === n))))
    for (const e of posted) expect([340, 1108, 4180]).toContain(e.data.length)
    // No 4-byte window of either static key (nor the keys themselves) as a topic or in any data.
    const keys = [toBob.ownStaticKey, toBob.peerStaticKey]
    const windows = new Set<string>()
    for (const k of keys) for (let i = 0; i + 4 <= k.length; i++) windows.add(bytesToHex(k.subarray(i, i + 4)))
    for (const e of posted) {
      expect(windows.has(bytesToHex(e.topic))).toBe(false)
      const hex = bytesToHex(e.data)
      for (const k of keys) for (let i = 0; i + 8 <= k.length; i += 1) expect(hex.includes(bytesToHex(k.subarray(i, i + 8)))).toBe(false)
    }
    // Topics change with the turns: many distinct topics, and no ciphertext on two topics.
    expect(new Set(posted.map((e) => bytesToHex(e.topic))).size).toBeGreaterThan(20)
    const topicOf = new Map<string, string>()
    for (const e of posted) {
      const key = bytesToHex(e.data)
      const topic = bytesToHex(e.topic)
      expect(topicOf.get(key) ?? topic).toBe(topic)
      topicOf.set(key, topic)
    }
  }, 40_000)

  it('with both parties on their account identities, no string derived from any long-term key reaches the wire', async () => {
    const transport = createMemoryTransport({ seed: 5 })
    const accounts = [createAccountData(), createAccountData()]
    const [alice, bob] = accounts.map((a) => createSessionPeerV2({ ...FAST, identity: a.sessionIdentity }, { transport }))
    peers.push(alice, bob)
    const invited = new Promise<Conversation>((resolve) => bob.addEventListener('session', ({ detail }) => resolve(detail), { once: true }))
    const toBob = alice.join(bob.createInvitation({ identity: 'account' }).uri, { identity: 'account' })
    const toAlice = await invited
    await until(() => toBob.state === 'open', 5_000, 'the open')
    const atBob = inbox(toAlice)
    const atAlice = inbox(toBob)
    transport.faults.loss = 0.1
    for (let i = 0; i < 30; i++) {
      await toBob.send(text(`ping ${i}`))
      await until(() => atBob.length === i + 1, 10_000, `ping ${i}`)
      await toAlice.send(text(`pong ${i}`))
      await until(() => atAlice.length === i + 1, 10_000, `pong ${i}`)
    }
    transport.faults.loss = 0
    await toBob.close()
    await until(() => toAlice.state === 'closed', 10_000, 'the close')
    // Every long-term key: the secp256k1 identity (private, public) and the X25519 session identity
    // (private, public), and their SHA-256 and Keccak-256.
    const longTerm: Uint8Array[] = []
    for (const a of accounts) {
      for (const k of [a.privateKey, getPublicKey(a.privateKey), a.sessionIdentity]) longTerm.push(k)
    }
    longTerm.push(toBob.ownStaticKey, toAlice.ownStaticKey)
    const derived = longTerm.flatMap((k) => [k, sha256(k), keccak256(k)])
    const windows4 = new Set<string>()
    for (const k of derived) for (let i = 0; i + 4 <= k.length; i++) windows4.add(bytesToHex(k.subarray(i, i + 4)))
    for (const e of transport.posted) {
      expect([340, 1108, 4180]).toContain(e.data.length)
      expect(windows4.has(bytesToHex(e.topic))).toBe(false)
      const hex = bytesToHex(e.data)
      for (const k of derived) for (let i = 0; i + 8 <= k.length; i++) expect(hex.includes(bytesToHex(k.subarray(i, i + 8)))).toBe(false)
    }
    // The account's X25519 identity is what both sides' safety numbers are made of.
    expect(bytesToHex(toBob.ownStaticKey)).toBe(bytesToHex(toAlice.peerStaticKey))
  }, 40_000)
})

