import { encryptAsymmetric, generateKeyPair, wrapPayload } from '@hush/envelope'
import { equalBytes } from '@noble/ciphers/utils.js'
import { describe, expect, it } from 'vitest'
import { MAX_MESSAGE_NUMBER } from '../src/constants.ts'
import type { HandshakeRejectedError } from '../src/errors.ts'
import { encodeFrame } from '../src/frames.ts'
import { createHandshake } from '../src/handshake.ts'
import { chainStep } from '../src/kdf.ts'
import { sealRecord } from '../src/record.ts'
import type { SessionRequest } from '../src/peer.ts'
import type { Session } from '../src/session-api.ts'
import { discoveryTopic } from '../src/topics.ts'
import { ephemeralDh, keysFromDh, readHandshake } from './attacker.ts'
import { type Pair, connectedPair, record, sleep, utf8, waitFor } from './fixtures.ts'

function rejections(p: Pair): string[] {
  const out: string[] = []
  p.bob.addEventListener('handshake:rejected', ({ detail }: CustomEvent<HandshakeRejectedError>) => {
    expect(detail.name).toBe('HandshakeRejectedError')
    out.push(detail.message)
  })
  return out
}

const postToBob = (p: Pair, data: Uint8Array): Promise<Uint8Array> =>
  p.transport.postEnvelope({ topic: discoveryTopic(p.bobKeys.publicKey, 16), data, ttlSeconds: 10 })

describe('hostile handshakes', () => {
  it('refuses unsigned, misaddressed, stale and future handshakes; ignores garbage', async () => {
    const p = await connectedPair()
    const rejected = rejections(p)
    const sessions: Session[] = []
    p.bob.addEventListener('session', ({ detail }) => sessions.push(detail))
    const now = Date.now()
    const honest = createHandshake(p.aliceKeys.privateKey, p.bobKeys.publicKey, generateKeyPair(), now)
    await postToBob(p, encryptAsymmetric(wrapPayload({ payload: honest.frameBytes }), p.bobKeys.publicKey)) // unsigned
    const carol = generateKeyPair()
    const misaddressed = createHandshake(p.aliceKeys.privateKey, carol.publicKey, generateKeyPair(), now)
    await postToBob(p, encryptAsymmetric(wrapPayload({ payload: misaddressed.frameBytes, signingKey: p.aliceKeys.privateKey }), p.bobKeys.publicKey))
    await postToBob(p, createHandshake(p.aliceKeys.privateKey, p.bobKeys.publicKey, generateKeyPair(), now - 120_000).data)
    await postToBob(p, createHandshake(p.aliceKeys.privateKey, p.bobKeys.publicKey, generateKeyPair(), now + 120_000).data)
    const notAHandshake = encodeFrame({ type: 'ack', ack: { base: 0, bitmap: 0 } })
    await postToBob(p, encryptAsymmetric(wrapPayload({ payload: notAHandshake, signingKey: p.aliceKeys.privateKey }), p.bobKeys.publicKey))
    await postToBob(p, encryptAsymmetric(Uint8Array.of(1, 2, 3), p.bobKeys.publicKey))
    // not for Bob, or not even ECIES: silently ignored
    await postToBob(p, new Uint8Array(300).fill(4))
    await postToBob(p, honest.data.subarray(0, 100))
    await postToBob(p, createHandshake(p.aliceKeys.privateKey, carol.publicKey, generateKeyPair(), now).data)
    await waitFor(() => rejected.length === 6, 'six rejections')
    await sleep(50)
    expect(rejected.length).toBe(6)
    expect(rejected.join('|')).toMatch(/not signed.*another key.*stale.*future.*expected a handshake.*malformed/)
    expect(sessions).toEqual([])
    expect(p.bob.sessions().length).toBe(1)
    p.alice.stop()
    p.bob.stop()
  })

  it('answers a replayed handshake of a live session with the same reply, and refuses it after close', async () => {
    const p = await connectedPair()
    const rejected = rejections(p)
    const t = readHandshake(p.transport.posted, p.bobKeys.privateKey, p.bobKeys.publicKey)
    const original = p.transport.posted.find((e) => equalBytes(e.topic, discoveryTopic(p.bobKeys.publicKey, 16))) as { data: Uint8Array }
    const replies = (): number => p.transport.posted.filter((e) => equalBytes(e.data, t.replyEnvelope.data)).length
    const before = replies() // more than one when Alice re-posted her handshake before the reply came
    await postToBob(p, original.data)
    await waitFor(() => replies() === before + 1, 'repeated reply')
    expect(p.bob.sessions().length).toBe(1)
    await p.a.close()
    await waitFor(() => p.b.state === 'closed', 'close')
    await postToBob(p, original.data)
    await waitFor(() => rejected.length === 1, 'replay rejection')
    expect(rejected).toEqual(['handshake replayed'])
    expect(replies()).toBe(before + 1)
    expect(p.bob.sessions()).toEqual([])
    p.alice.stop()
    p.bob.stop()
  })

  it('refuses a replayed handshake after throwaway handshakes flushed it from the replay cache', async () => {
    const p = await connectedPair({ settings: { maxRememberedHandshakes: 5 } })
    const rejected = rejections(p)
    const sessions: Session[] = []
    p.bob.addEventListener('session', ({ detail }) => sessions.push(detail))
    const original = p.transport.posted.find((e) => equalBytes(e.topic, discoveryTopic(p.bobKeys.publicKey, 16))) as { data: Uint8Array }
    // Six fresh handshakes from throwaway keys (requests nobody answers) push Alice's out.
    for (let i = 0; i < 6; i++) await postToBob(p, createHandshake(generateKeyPair().privateKey, p.bobKeys.publicKey, generateKeyPair(), Date.now()).data)
    await postToBob(p, original.data)
    await waitFor(() => rejected.length === 1 || sessions.length > 0, 'the replay handled')
    expect(sessions).toEqual([]) // no second session for a handshake already answered
    expect(rejected[0]).toMatch(/replay horizon/)
    expect(p.bob.sessions().length).toBe(1)
    p.alice.stop()
    p.bob.stop()
  })

  it('a restarted peer refuses a still-fresh handshake from before its start, and accepts new ones', async () => {
    const p = await connectedPair()
    const original = p.transport.posted.find((e) => equalBytes(e.topic, discoveryTopic(p.bobKeys.publicKey, 16))) as { data: Uint8Array }
    p.bob.stop()
    await sleep(5) // the restart comes strictly after the handshake was made
    const { createSessionPeer } = await import('../src/peer.ts')
    const bob2 = createSessionPeer({ privateKey: p.bobKeys.privateKey, contacts: [p.aliceKeys.publicKey], ackDelayMs: 5, resendIntervalMs: 40 }, { transport: p.transport })
    const rejected: string[] = []
    bob2.addEventListener('handshake:rejected', ({ detail }) => rejected.push(detail.message))
    const sessions: Session[] = []
    bob2.addEventListener('session', ({ detail }) => sessions.push(detail))
    bob2.start()
    await postToBob(p, original.data) // replayed within handshakeMaxAgeMs
    await waitFor(() => rejected.length === 1 || sessions.length > 0, 'the replay handled')
    expect(sessions).toEqual([]) // no zombie session nobody can use
    expect(rejected[0]).toMatch(/replay horizon/)
    // Positive control: a handshake made after the restart opens a session.
    const again = await p.alice.connect(p.bobKeys.publicKey)
    await waitFor(() => sessions.length === 1, 'new session')
    expect(equalBytes(sessions[0].id, again.id)).toBe(true)
    p.alice.stop()
    bob2.stop()
  })

  it('refuses a proposed rotation period longer than its own, or none, or one below the minimum', async () => {
    const p = await connectedPair() // Bob's own period: the default, 600 s
    const rejected = rejections(p)
    const sessions: Session[] = []
    p.bob.addEventListener('session', ({ detail }) => sessions.push(detail))
    for (const period of [0, 1_200_000, 10]) {
      await postToBob(p, createHandshake(p.aliceKeys.privateKey, p.bobKeys.publicKey, generateKeyPair(), Date.now(), period).data)
    }
    await waitFor(() => rejected.length + sessions.length === 3, 'three handshakes handled')
    expect(sessions).toEqual([])
    expect(rejected.join('|')).toMatch(/longer than ours.*longer than ours.*below the minimum/)
    p.alice.stop()
    p.bob.stop()
  })

  it('surfaces an unknown signer as a request the app rejects or accepts', async () => {
    const p = await connectedPair()
    const requests: SessionRequest[] = []
    p.bob.addEventListener('request', ({ detail }) => requests.push(detail))
    const { createSessionPeer } = await import('../src/peer.ts')
    const mallory = generateKeyPair()
    const peer = createSessionPeer({ privateKey: mallory.privateKey, ackDelayMs: 5, resendIntervalMs: 40, connectTimeoutMs: 300 }, { transport: p.transport })
    peer.start()
    const refused = peer.connect(p.bobKeys.publicKey)
    await waitFor(() => requests.length === 1, 'request')
    expect(equalBytes(requests[0].publicKey, mallory.publicKey)).toBe(true)
    requests[0].reject()
    expect(() => requests[0].accept()).toThrow(expect.objectContaining({ name: 'SessionClosedError' }))
    await expect(refused).rejects.toMatchObject({ name: 'HandshakeTimeoutError' })
    expect(requests.length).toBe(1) // resent copies of a decided handshake raise no new request

    const accepted = peer.connect(p.bobKeys.publicKey)
    await waitFor(() => requests.length === 2, 'second request')
    const bobSide = requests[1].accept()
    const malloryside = await accepted
    const r = record(bobSide)
    await malloryside.send(utf8('hi bob'))
    await waitFor(() => r.messages.length === 1, 'message')
    expect(r.messages[0].text).toBe('hi bob')
    expect(p.bob.hasContact(mallory.publicKey)).toBe(false)
    peer.stop()
    p.alice.stop()
    p.bob.stop()
  })
})

describe('hostile records', () => {
  it('garbage, truncated, forged, far-ahead and replayed records are counted and change nothing', async () => {
    const p = await connectedPair()
    await p.a.send(utf8('a1'))
    await waitFor(() => p.rb.messages.length === 1 && p.ra.receipts.length === 1, 'a1')
    const t = readHandshake(p.transport.posted, p.bobKeys.privateKey, p.bobKeys.publicKey)
    const ephemeralA = p.ephemerals.find((k) => equalBytes(k.publicKey, t.handshake.ephemeralKey)) as { privateKey: Uint8Array }
    const keys = keysFromDh(t, ephemeralDh(ephemeralA.privateKey, t))
    const toBob = (data: Uint8Array): Promise<Uint8Array> => p.transport.postEnvelope({ topic: t.handshake.topicAB, data, ttlSeconds: 10 })
    const firstRecord = t.records.find((e) => equalBytes(e.topic, t.handshake.topicAB)) as { data: Uint8Array }
    let chain = keys.ab.chainKey
    const messageKey = (n: number): Uint8Array => {
      let key: Uint8Array = new Uint8Array(0)
      chain = keys.ab.chainKey
      for (let i = 1; i <= n; i++) ({ messageKey: key, nextChainKey: chain } = chainStep(chain))
      return key
    }
    const dataFrame = (number: number, text: string): Uint8Array => encodeFrame({ type: 'data', number, ack: { base: 0, bitmap: 0 }, payload: utf8(text) })
    const before = { ...p.b.stats }
    const handled = (): number => p.b.stats.rejected + p.b.stats.duplicates + p.b.stats.received - before.rejected - before.duplicates - before.received
    await toBob(new Uint8Array(0))
    await toBob(new Uint8Array(316).fill(9))
    await toBob(firstRecord.data.subarray(0, 100)) // truncated: its intact header names a used number, so a duplicate
    await toBob(firstRecord.data) // replayed: a duplicate, not a rejection
    await toBob(sealRecord(2, keys.ab.headerKey, new Uint8Array(32).fill(1), dataFrame(2, 'forged body key'))) // number 2 under a wrong key
    // Header and key of number 3, so it opens, but the frame inside says 4: only the check that
    // the frame's number matches the header's refuses it (a record must not be delivered as
    // another number than the one its key was derived for).
    await toBob(sealRecord(3, keys.ab.headerKey, messageKey(3), dataFrame(4, 'number mismatch')))
    await toBob(sealRecord(300, keys.ab.headerKey, messageKey(300), dataFrame(300, 'far ahead')))
    await toBob(sealRecord(MAX_MESSAGE_NUMBER, keys.ab.headerKey, new Uint8Array(32).fill(1), dataFrame(MAX_MESSAGE_NUMBER, 'max')))
    await toBob(sealRecord(0, keys.ab.headerKey, keys.ab.controlKey, dataFrame(5, 'data on the control key')))
    const badPadding = encodeFrame({ type: 'ack', ack: { base: 0, bitmap: 0 } })
    badPadding[200] = 1
    await toBob(sealRecord(0, keys.ab.headerKey, keys.ab.controlKey, badPadding))
    await waitFor(() => handled() === 10, 'all ten records handled')
    expect(p.b.stats.rejected - before.rejected).toBe(8)
    expect(p.b.stats.duplicates - before.duplicates).toBe(2)
    expect(p.rb.messages.map((m) => m.text)).not.toContain('number mismatch')
    // The state is intact: Alice's next message (number 2) is delivered normally.
    await p.a.send(utf8('a2'))
    await waitFor(() => p.rb.messages.length === 2, 'a2')
    expect(p.rb.messages).toEqual([{ number: 1, text: 'a1' }, { number: 2, text: 'a2' }])
    await p.a.send(utf8('a3')) // number 3 was not used up by the mismatched record
    await waitFor(() => p.rb.messages.length === 3, 'a3')
    expect(p.rb.messages[2]).toEqual({ number: 3, text: 'a3' })
    expect(p.rb.gaps).toEqual([])
    p.alice.stop()
    p.bob.stop()
  })

  it('the out-of-order buffer stays within maxGap of the last delivered number', async () => {
    const maxGap = 16
    const p = await connectedPair({ settings: { maxGap } })
    const t = readHandshake(p.transport.posted, p.bobKeys.privateKey, p.bobKeys.publicKey)
    const ephemeralA = p.ephemerals.find((k) => equalBytes(k.publicKey, t.handshake.ephemeralKey)) as { privateKey: Uint8Array }
    const keys = keysFromDh(t, ephemeralDh(ephemeralA.privateKey, t))
    // A peer (or anyone with the keys) skips number 1 and sends numbers 10 apart: each within
    // maxGap of the highest one opened, but ever further from the last delivered (0).
    let chain = keys.ab.chainKey
    const sends: Promise<Uint8Array>[] = []
    for (let n = 1; n <= 201; n++) {
      const step = chainStep(chain)
      chain = step.nextChainKey
      if (n === 1 || n % 10 !== 2) continue
      const frame = encodeFrame({ type: 'data', number: n, ack: { base: 0, bitmap: 0 }, payload: new Uint8Array(4000) })
      sends.push(p.transport.postEnvelope({ topic: t.handshake.topicAB, data: sealRecord(n, keys.ab.headerKey, step.messageKey, frame), ttlSeconds: 10 }))
    }
    await Promise.all(sends)
    await waitFor(() => p.b.stats.received + p.b.stats.rejected === 20, 'all twenty records handled')
    expect(p.b.stats.received).toBe(2) // 2 and 12: within 16 of the base
    expect(p.b.stats.rejected).toBe(18)
    expect(p.rb.messages).toEqual([])
    p.alice.stop()
    p.bob.stop()
  })
})
