/**
 * A two-person session where one side is offline for longer than the envelope TTL, then comes
 * back and catches up from a mail server: every message arrives, in order, exactly once. Real
 * nodes over TCP on 127.0.0.1, a real LevelDB archive.
 *
 *   alice ── server (mail) ── bob        (bob's link is cut while alice writes)
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair, symKeyFromPassword } from '@hush/envelope'
import { createHushNode, type HushNode } from '@hush/node'
import { createSessionPeer, type Session, type SessionPeer } from '@hush/session'
import { afterEach, describe, expect, it } from 'vitest'
import { type Archive, createMailServer, historyFetcher, type MailServer, openLevelArchive } from '../src/index.ts'

const MAIL_KEY = symKeyFromPassword('catch-up password')
let cleanup: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const step of cleanup.reverse()) await step()
  cleanup = []
})

async function node(): Promise<HushNode> {
  const n = await createHushNode({
    whisper: { minPow: 0.001, sealWorkers: 0 },
    libp2p: { connectionManager: { inboundConnectionThreshold: 10_000, maxIncomingPendingConnections: 100 } },
  })
  cleanup.push(() => n.stop())
  return n
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

const sees = (x: HushNode, y: HushNode): boolean => x.services.shh.getPeers().some((p) => p.equals(y.peerId))
async function link(a: HushNode, b: HushNode): Promise<void> {
  await a.dial(b.getMultiaddrs()[0], { signal: AbortSignal.timeout(10_000) })
  await waitFor(() => sees(a, b) && sees(b, a), 'the peers to be ready')
}

describe('a session that catches up from a mail server', () => {
  it('gets every message sent while it was offline past the TTL, in order, exactly once', async () => {
    const [aliceNode, server, bobNode] = [await node(), await node(), await node()]
    const dir = await mkdtemp(join(tmpdir(), 'hush-catch-up-'))
    cleanup.push(() => rm(dir, { recursive: true, force: true }))
    const archive: Archive = await openLevelArchive({ path: join(dir, 'mail') })
    cleanup.push(() => archive.close())
    const mail: MailServer = createMailServer(server.services.shh, { archive, symKey: MAIL_KEY, flushIntervalMs: 10 })
    mail.start()
    cleanup.push(() => mail.stop())
    await link(aliceNode, server)
    await link(bobNode, server)

    const settings = { powTarget: 0.001, ttlSeconds: 2, ackDelayMs: 20, resendIntervalMs: 500, deliveryTimeoutMs: 2000, gapTimeoutMs: 60_000, connectTimeoutMs: 15_000 }
    const aliceKeys = generateKeyPair()
    const bobKeys = generateKeyPair()
    const shh = bobNode.services.shh
    const bobTransport = {
      postEnvelope: shh.postEnvelope.bind(shh),
      subscribeEnvelopes: shh.subscribeEnvelopes.bind(shh),
      requestHistory: historyFetcher(shh, { peers: [server.peerId], symKey: MAIL_KEY, pageSize: 5 }),
    }
    const alice: SessionPeer = createSessionPeer({ privateKey: aliceKeys.privateKey, ...settings }, { transport: aliceNode.services.shh })
    const bob: SessionPeer = createSessionPeer({ privateKey: bobKeys.privateKey, contacts: [aliceKeys.publicKey], ...settings }, { transport: bobTransport })
    cleanup.push(() => alice.stop(), () => bob.stop())
    alice.start()
    bob.start()
    const bobSession = new Promise<Session>((resolve) => bob.addEventListener('session', ({ detail }) => resolve(detail), { once: true }))
    const a = await alice.connect(bobKeys.publicKey)
    const b = await bobSession
    const got: string[] = []
    b.addEventListener('message', ({ detail }) => got.push(new TextDecoder().decode(detail.payload)))
    const gaps: unknown[] = []
    b.addEventListener('gap', ({ detail }) => gaps.push(detail))
    await a.send(new TextEncoder().encode('hello'))
    await waitFor(() => got.length === 1, 'the first message')

    // Bob's link goes down; Alice writes 8 messages, which the mail server archives.
    await bobNode.hangUp(server.peerId)
    await waitFor(() => !sees(server, bobNode) && !sees(bobNode, server), 'the link to go down')
    const archivedBefore = mail.stats().archived
    for (let i = 1; i <= 8; i++) await a.send(new TextEncoder().encode(`while away ${i}`))
    await waitFor(() => mail.stats().archived >= archivedBefore + 8, 'the archive')
    // Past the TTL and Alice's delivery deadline: no node holds them any more, only the archive.
    await waitFor(() => a.stats.sent > 0 && a.stats.resent > 0, 'resends')
    await new Promise((r) => setTimeout(r, 4500))

    await link(bobNode, server)
    await new Promise((r) => setTimeout(r, 300))
    expect(got).toEqual(['hello'])
    const fetched = await b.catchUp({ signal: AbortSignal.timeout(20_000) })
    expect(fetched).toBeGreaterThanOrEqual(8)
    expect(got).toEqual(['hello', ...Array.from({ length: 8 }, (_, i) => `while away ${i + 1}`)])
    expect(gaps).toEqual([])
    // Caught up: the conversation continues both ways.
    await a.send(new TextEncoder().encode('welcome back'))
    await waitFor(() => got.length === 10, 'the next message')
    expect(got.at(-1)).toBe('welcome back')
  })
})
