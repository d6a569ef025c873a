/**
 * The mail server and the history client end to end, over real libp2p TCP on 127.0.0.1 with a real
 * LevelDB archive: offline delivery past the TTL (paged, in order, exactly once), geth's request
 * format, refusals, the rate limit, and two servers that disagree by one envelope.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encodeEnvelope, generatePrivateKey, generateSymKey, keccak256, symKeyFromPassword, topicFromString, topicsToBloom, wrapMessage } from '@hush/envelope'
import { createHushNode, type HushNode } from '@hush/node'
import { sealEnvelope } from '@hush/pow'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { type Archive, type ArchiveEntry, compareHistory, createMailServer, encodeCompletion, encodeHistoryRequest, rangeDigest, type HistoryPageResult, type MailServer, openLevelArchive, requestHistory } from '../src/index.ts'
import { compareKeys, encodeKey } from '../src/key.ts'

const MAIL_KEY = symKeyFromPassword('mail server password')
const CHAT_KEY = generateSymKey()
const chat = topicFromString('chat')
const now = (): number => Math.floor(Date.now() / 1000)

const nodes: HushNode[] = []
const servers: MailServer[] = []
const archives: Archive[] = []
const dirs: string[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()))
  await Promise.all(nodes.splice(0).map((n) => n.stop()))
  await Promise.all(archives.splice(0).map((a) => a.close()))
})
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
})

async function node(): Promise<HushNode> {
  const n = await createHushNode({
    whisper: { minPow: 0.001 },
    libp2p: { connectionManager: { inboundConnectionThreshold: 10_000, maxIncomingPendingConnections: 100 } },
  })
  nodes.push(n)
  return n
}

async function archive(): Promise<Archive> {
  const dir = await mkdtemp(join(tmpdir(), 'hush-mail-it-'))
  dirs.push(dir)
  const a = await openLevelArchive({ path: join(dir, 'db') })
  archives.push(a)
  return a
}

async function mailNode(init: Partial<Parameters<typeof createMailServer>[1]> = {}): Promise<{ node: HushNode; mail: MailServer; archive: Archive }> {
  const n = await node()
  const a = await archive()
  const mail = createMailServer(n.services.shh, { archive: a, symKey: MAIL_KEY, flushIntervalMs: 10, ...init })
  mail.start()
  servers.push(mail)
  return { node: n, mail, archive: a }
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

async function connect(a: HushNode, b: HushNode): Promise<void> {
  await a.dial(b.getMultiaddrs()[0], { signal: AbortSignal.timeout(10_000) })
  const sees = (x: HushNode, y: HushNode): boolean => x.services.shh.getPeers().some((p) => p.equals(y.peerId))
  await waitFor(() => sees(a, b) && sees(b, a), 10_000, 'the peers to be ready')
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes)

/** Posts `count` chat messages through `from` with a short TTL; returns their texts. */
async function postChat(from: HushNode, count: number, ttl: number): Promise<string[]> {
  const symKeyID = from.services.shh.addSymKey(CHAT_KEY)
  const texts: string[] = []
  for (let i = 0; i < count; i++) {
    texts.push(`message ${i}`)
    await from.services.shh.post({ symKeyID, topic: chat, payload: new TextEncoder().encode(`message ${i}`), ttl, powTarget: 0.01, powTime: 2 })
  }
  return texts
}

async function pages(iterable: AsyncIterable<HistoryPageResult>): Promise<HistoryPageResult[]> {
  const out: HistoryPageResult[] = []
  for await (const page of iterable) out.push(page)
  return out
}

describe('mail server and history client over TCP', () => {
  it('deliver to a client that was offline past the TTL every envelope, paged, in order, exactly once', async () => {
    const server = await mailNode()
    const publisher = await node()
    await connect(publisher, server.node)
    const sent = await postChat(publisher, 25, 2)
    await waitFor(() => server.mail.stats().archived >= 25, 10_000, 'the archive')
    // Past every envelope's expiry: no node holds them any more, only the archive.
    await sleep(3500)
    const client = await node()
    const filter = client.services.shh.newMessageFilter({ symKeyID: client.services.shh.addSymKey(CHAT_KEY), topics: [chat], allowP2P: true })
    await connect(client, server.node)
    await sleep(300)
    expect(client.services.shh.getFilterMessages(filter)).toHaveLength(0)

    const range = { from: now() - 120, to: now() + 10 }
    const got = await pages(requestHistory(client.services.shh, { peer: server.node.peerId, symKey: MAIL_KEY, ...range, topics: [chat], pageSize: 7 }))
    expect(got.map((p) => p.envelopes.length)).toEqual([7, 7, 7, 4])
    expect(got.at(-1)?.cursor).toBeUndefined()
    const hashes = got.flatMap((p) => [...p.hashes])
    expect(new Set(hashes.map((h) => Buffer.from(h).toString('hex'))).size).toBe(25)
    // In key order: sent time, then hash.
    const keys = got.flatMap((p) => p.envelopes.map((raw, i) => ({ raw, hash: p.hashes[i] })))
    for (const { raw, hash } of keys) expect(keccak256(raw)).toEqual(hash)

    const messages: string[] = []
    await waitFor(() => {
      messages.push(...client.services.shh.getFilterMessages(filter).map((m) => text(m.payload)))
      return messages.length >= 25
    }, 5000, 'the filter to see the history')
    expect(messages.slice().sort()).toEqual(sent.slice().sort())

    // Asking again brings the same pages; the filter sees nothing twice.
    const again = await pages(requestHistory(client.services.shh, { peer: server.node.peerId, symKey: MAIL_KEY, ...range, topics: [chat], pageSize: 7 }))
    expect(again.map((p) => Buffer.from(p.digest).toString('hex'))).toEqual(got.map((p) => Buffer.from(p.digest).toString('hex')))
    await sleep(200)
    expect(client.services.shh.getFilterMessages(filter)).toHaveLength(0)
  })

  it("answer geth's request format (signed, symmetric, [from, to, bloom]) with code-127 envelopes", async () => {
    const server = await mailNode()
    const publisher = await node()
    await connect(publisher, server.node)
    await postChat(publisher, 12, 30)
    await waitFor(() => server.mail.stats().archived >= 12, 10_000, 'the archive')
    const client = await node()
    await connect(client, server.node)
    const shh = client.services.shh
    shh.markTrustedPeer(server.node.peerId)
    let received = 0
    shh.addEventListener('p2p:message', () => {
      received++
    })
    const payload = encodeHistoryRequest({ format: 'geth', from: now() - 120, to: 0xffff_ffff, bloom: topicsToBloom([chat]) })
    const request = sealEnvelope(wrapMessage({ symKey: MAIL_KEY, topic: new Uint8Array(4), payload, signingKey: generatePrivateKey() }), { targetPow: 0.2 }).envelope
    shh.sendP2PRequest(server.node.peerId, encodeEnvelope(request))
    await waitFor(() => received >= 12, 10_000, 'the answer')
    await sleep(200)
    expect(received).toBe(12)
    expect(server.mail.stats()).toMatchObject({ served: 1, sent: 12, refused: 0 })
  })

  it('refuse unsigned, wrongly keyed, low-PoW, malformed and over-limit requests, and ban a peer that keeps sending them', async () => {
    const server = await mailNode({ minPow: 0.5, maxPageLimit: 10 })
    const good = encodeHistoryRequest({ format: 'extended', from: 0, to: now(), filter: [chat], limit: 10, cursor: undefined })
    const request = (init: { payload?: Uint8Array; signed?: boolean; key?: Uint8Array; pow?: number }): Uint8Array => {
      const wrapped = wrapMessage({ symKey: init.key ?? MAIL_KEY, topic: chat, payload: init.payload ?? good, ...(init.signed === false ? {} : { signingKey: generatePrivateKey() }) })
      return encodeEnvelope(sealEnvelope(wrapped, { targetPow: init.pow ?? 0.6 }).envelope)
    }
    const bad: Array<[string, Uint8Array]> = [
      ['unsigned', request({ signed: false })],
      ['another key', request({ key: generateSymKey() })],
      ['PoW below 0.5', request({ pow: 0 })],
      ['a 5-byte payload', request({ payload: new Uint8Array(5) })],
      ['limit 11 over 10', request({ payload: encodeHistoryRequest({ format: 'extended', from: 0, to: now(), filter: [chat], limit: 11, cursor: undefined }) })],
    ]
    // Each from a fresh client: no answer, a refusal each.
    for (const [what, raw] of bad) {
      const client = await node()
      await connect(client, server.node)
      let answers = 0
      client.services.shh.markTrustedPeer(server.node.peerId)
      client.services.shh.addEventListener('p2p:message', () => answers++)
      client.services.shh.addEventListener('p2p:complete', () => answers++)
      const refused = server.mail.stats().refused
      client.services.shh.sendP2PRequest(server.node.peerId, raw)
      await waitFor(() => server.mail.stats().refused === refused + 1, 5000, `the refusal of ${what}`)
      await sleep(100)
      expect(answers, what).toBe(0)
    }
    expect(server.mail.stats()).toMatchObject({ requests: 5, refused: 5, served: 0 })
    // One peer that keeps sending bad requests is banned.
    const pest = await node()
    await connect(pest, server.node)
    for (let i = 0; i < 6; i++) pest.services.shh.sendP2PRequest(server.node.peerId, request({ signed: false }))
    await waitFor(() => server.node.services.shh.isBanned(pest.peerId), 5000, 'the ban')
  })

  it('answer a peer within its request rate, and refuse it beyond', async () => {
    const server = await mailNode({ requestsPerMinute: 2 })
    const client = await node()
    await connect(client, server.node)
    client.services.shh.markTrustedPeer(server.node.peerId)
    let completions = 0
    client.services.shh.addEventListener('p2p:complete', () => completions++)
    const payload = encodeHistoryRequest({ format: 'extended', from: 0, to: now(), filter: [chat], limit: 10, cursor: undefined })
    for (let i = 0; i < 3; i++) {
      const wrapped = wrapMessage({ symKey: MAIL_KEY, topic: chat, payload, signingKey: generatePrivateKey() })
      client.services.shh.sendP2PRequest(server.node.peerId, encodeEnvelope(sealEnvelope(wrapped, { targetPow: 0.2 }).envelope))
    }
    await waitFor(() => server.mail.stats().requests === 3 && completions === 2, 5000, 'the answers')
    await sleep(200)
    expect(server.mail.stats()).toMatchObject({ requests: 3, refused: 1, served: 2 })
    expect(completions).toBe(2)
  })

  it('tell which page of a range two servers disagree on when one dropped an envelope', async () => {
    const a = await mailNode()
    const b = await mailNode()
    const t0 = now() - 100
    const entries: ArchiveEntry[] = Array.from({ length: 30 }, (_, n) => {
      const envelope = wrapMessage({ symKey: CHAT_KEY, topic: chat, payload: new Uint8Array([n]), now: t0 + n, ttl: 50 })
      const raw = encodeEnvelope(envelope)
      return { time: t0 + n, hash: keccak256(raw), topic: chat, raw }
    })
    const byKey = entries.slice().sort((x, y) => compareKeys(encodeKey(x.time, x.hash), encodeKey(y.time, y.hash)))
    await a.archive.put(byKey)
    await b.archive.put(byKey.filter((_, i) => i !== 17)) // b dropped the 18th
    // b also holds 1500 envelopes on another topic, all sent in one second early in the range: its
    // scan budget (1000 entries a page) ends a page among them, so its pages end elsewhere than
    // a's, which must not look like a difference.
    const other = topicFromString('other')
    const noise: ArchiveEntry[] = Array.from({ length: 1500 }, (_, n) => {
      const raw = encodeEnvelope(wrapMessage({ symKey: CHAT_KEY, topic: other, payload: new Uint8Array([n & 255, n >> 8]), now: t0 + 3, ttl: 50 }))
      return { time: t0 + 3, hash: keccak256(raw), topic: other, raw }
    })
    await b.archive.put(noise)
    const client = await node()
    await connect(client, a.node)
    await connect(client, b.node)
    const differences = await compareHistory(client.services.shh, [a.node.peerId, b.node.peerId], { symKey: MAIL_KEY, from: t0, to: t0 + 40, topics: [chat], pageSize: 5 })
    expect(differences).toHaveLength(1)
    const [d] = differences
    expect(d.counts).toEqual([5, 4])
    expect(d.fromTime).toBeLessThanOrEqual(byKey[17].time)
    expect(d.toTime).toBeGreaterThanOrEqual(byKey[17].time)
    expect(d.fromTime).toBe(byKey[14].time)
    expect(d.toTime).toBe(byKey[19].time)
  })

  it('catch a server whose completion does not match what it sent, and one that does not answer', async () => {
    const liar = await node()
    const client = await node()
    await connect(client, liar)
    const t0 = now() - 50
    const raws = [0, 1].map((n) => encodeEnvelope(wrapMessage({ symKey: CHAT_KEY, topic: chat, payload: new Uint8Array([n]), now: t0 + n })))
    let answer = true
    liar.services.shh.setRequestHandler((request) => {
      if (!answer) return
      // Two envelopes, but a completion that claims three (with the digest of the two).
      void liar.services.shh
        .sendP2PMessages(request.from, raws)
        .then(() => liar.services.shh.sendP2PComplete(request.from, encodeCompletion({ requestId: request.hash, count: 3, cursor: undefined, digest: rangeDigest(raws.map((r) => keccak256(r))) })))
    })
    const ask = { peer: liar.peerId, symKey: MAIL_KEY, from: t0, to: t0 + 10, topics: [chat], pageTimeoutMs: 1000 }
    await expect(pages(requestHistory(client.services.shh, ask))).rejects.toMatchObject({ name: 'HistoryMismatchError' })
    answer = false
    await expect(pages(requestHistory(client.services.shh, ask))).rejects.toMatchObject({ name: 'HistoryTimeoutError' })
    // A server that never moves its cursor forward would keep a client asking for ever.
    let stuck = true
    liar.services.shh.setRequestHandler((request) => {
      if (!stuck) return
      void liar.services.shh.sendP2PComplete(request.from, encodeCompletion({ requestId: request.hash, count: 0, cursor: encodeKey(t0, new Uint8Array(32)), digest: rangeDigest([]) }))
    })
    await expect(pages(requestHistory(client.services.shh, ask))).rejects.toMatchObject({ name: 'HistoryMismatchError', message: expect.stringContaining('cursor') })
    stuck = false
    const aborted = AbortSignal.abort(new Error('gave up'))
    await expect(pages(requestHistory(client.services.shh, { ...ask, signal: aborted }))).rejects.toThrow('gave up')
  })

  it('check their settings and options, naming them', async () => {
    const n = await node()
    const a = await archive()
    expect(() => createMailServer(n.services.shh, { archive: a, symKey: new Uint8Array(31) })).toThrow(expect.objectContaining({ name: 'RangeError', message: expect.stringContaining('init.symKey') }))
    expect(() => createMailServer(n.services.shh, { archive: a, symKey: MAIL_KEY, maxPageLimit: 10_001 })).toThrow(/init.maxPageLimit/)
    expect(() => createMailServer(n.services.shh, { archive: a, symKey: MAIL_KEY, minPow: -1 })).toThrow(/init.minPow/)
    const base = { peer: n.peerId, symKey: MAIL_KEY, from: 10, to: 20 }
    const cases: Array<[object, string]> = [
      [{ ...base, symKey: new Uint8Array(3) }, 'options.symKey'],
      [{ ...base, to: 5 }, 'options.to'],
      [{ ...base, pageSize: 0 }, 'options.pageSize'],
      [{ ...base, topics: [chat], bloom: topicsToBloom([chat]) }, 'both'],
      [{ ...base, cursor: new Uint8Array(2) }, 'options.cursor'],
      [{ ...base, topics: [new Uint8Array(3)] }, 'options.topics[0]'],
      [{ ...base, bloom: new Uint8Array(63) }, 'options.bloom'],
    ]
    for (const [bad, field] of cases) {
      await expect(pages(requestHistory(n.services.shh, bad as Parameters<typeof requestHistory>[1]))).rejects.toThrow(field)
    }
  })

  it('prune the archive in the background by age and by bytes', async () => {
    const n = await node()
    const a = await archive()
    const t = now()
    const entry = (i: number, time: number): ArchiveEntry => {
      const raw = encodeEnvelope(wrapMessage({ symKey: CHAT_KEY, topic: chat, payload: new Uint8Array([i]), now: time, ttl: 50 }))
      return { time, hash: keccak256(raw), topic: chat, raw }
    }
    const old = Array.from({ length: 5 }, (_, i) => entry(i, t - 7200 + i))
    const recent = Array.from({ length: 5 }, (_, i) => entry(10 + i, t - 60 + i))
    await a.put([...old, ...recent])
    const keep = recent.slice(2).reduce((sum, e) => sum + e.raw.length, 0)
    const mail = createMailServer(n.services.shh, { archive: a, symKey: MAIL_KEY, retention: { maxAgeSeconds: 3600, maxBytes: keep, intervalMs: 20 } })
    mail.start()
    servers.push(mail)
    await waitFor(() => mail.stats().pruned === 7, 5000, 'retention')
    expect(await a.stats()).toEqual({ count: 3, bytes: keep })
    expect(() => createMailServer(n.services.shh, { archive: a, symKey: MAIL_KEY, retention: { maxAgeSeconds: 0 } })).toThrow(/init.retention.maxAgeSeconds/)
  })

  it('serve two history walks of one client on one server at the same time without mixing their pages', async () => {
    const server = await mailNode()
    const t0 = now() - 100
    const entries: ArchiveEntry[] = Array.from({ length: 20 }, (_, n) => {
      const raw = encodeEnvelope(wrapMessage({ symKey: CHAT_KEY, topic: chat, payload: new Uint8Array([n]), now: t0 + n, ttl: 50 }))
      return { time: t0 + n, hash: keccak256(raw), topic: chat, raw }
    })
    await server.archive.put(entries)
    const client = await node()
    await connect(client, server.node)
    const walk = (pageSize: number) => pages(requestHistory(client.services.shh, { peer: server.node.peerId, symKey: MAIL_KEY, from: t0, to: t0 + 30, topics: [chat], pageSize }))
    const [a, b] = await Promise.all([walk(3), walk(4)])
    expect(a.flatMap((p) => p.envelopes)).toHaveLength(20)
    expect(b.flatMap((p) => p.envelopes)).toHaveLength(20)
  })
})
