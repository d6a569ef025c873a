/**
 * `shhext_requestMessages` and `shhext_mailStats` over the real RPC server, with two real nodes
 * over libp2p TCP on 127.0.0.1:
 *
 *   client node ── rpc (shhext: requestHistory) ── test
 *        │ TCP
 *   server node ── createMailServer(LevelDB in a temp dir) ── rpc (shhext: mailServer) ── test
 *
 * The server pools five chat envelopes with a 1 s TTL (so they are archived, and expired before the
 * client connects: only history can bring them), then the test pages through them on the
 * client's RPC, three pages of at most two, following the cursor.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Archive, createMailServer, type MailServer, openLevelArchive, requestHistory } from '@hush/mail'
import { createHushNode, type HushNode } from '@hush/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bytesToHex } from '../src/hex.ts'
import { type RpcServer, createRpcServer } from '../src/server.ts'
import { fakeShh } from './fixtures/fake-shh.ts'

const PASSWORD = 'mail server password'
const CHAT_KEY = new Uint8Array(randomBytes(32))
const CHAT = Uint8Array.of(0x12, 0x34, 0x56, 0x78)
const chat = bytesToHex(CHAT)
const now = (): number => Math.floor(Date.now() / 1000)

interface Reply {
  result?: any
  error?: { code: number; message: string }
}

async function call(url: string, method: string, ...params: unknown[]): Promise<Reply> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    signal: AbortSignal.timeout(20_000),
  })
  return (await res.json()) as Reply
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('shhext_* over two nodes', () => {
  let dir: string
  let server: HushNode
  let client: HushNode
  let archive: Archive
  let mail: MailServer
  let serverRpc: RpcServer
  let clientRpc: RpcServer
  let serverAddr: string
  const from = now() - 60

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hush-rpc-shhext-'))
    server = await createHushNode({ whisper: { minPow: 0.001 } })
    client = await createHushNode({ whisper: { minPow: 0.001 } })
    archive = await openLevelArchive({ path: join(dir, 'mail') })
    mail = createMailServer(server.services.shh, { archive, symKey: await symKey(server, PASSWORD), flushIntervalMs: 10 })
    mail.start()
    serverRpc = await createRpcServer({ shh: server.services.shh, port: 0, shhext: { requestHistory: () => (async function* () {})(), mailServer: mail } })
    clientRpc = await createRpcServer({ shh: client.services.shh, port: 0, shhext: { requestHistory: (o) => requestHistory(client.services.shh, o) } })

    const symKeyID = server.services.shh.addSymKey(CHAT_KEY)
    for (let i = 0; i < 5; i++) {
      await server.services.shh.post({ symKeyID, topic: CHAT, payload: new TextEncoder().encode(`message ${i}`), ttl: 1, powTarget: 0.01, powTime: 2 })
    }
    await waitFor(() => mail.stats().archived === 5, 'five archived envelopes')
    const expired = now() + 2
    await waitFor(() => now() > expired, 'the envelopes to expire', 5_000)

    await client.dial(server.getMultiaddrs()[0], { signal: AbortSignal.timeout(10_000) })
    await waitFor(() => client.services.shh.getPeers().some((p) => p.equals(server.peerId)) && server.services.shh.getPeers().some((p) => p.equals(client.peerId)), 'ready peers')
    serverAddr = server.getMultiaddrs()[0].toString()
  })

  afterAll(async () => {
    await clientRpc?.close()
    await serverRpc?.close()
    await mail?.stop()
    await Promise.all([server?.stop(), client?.stop()])
    await archive?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('pages through the range following the cursor, and the envelopes reach an allowP2P filter once', async () => {
    const chatKeyID = (await call(clientRpc.url, 'shh_addSymKey', bytesToHex(CHAT_KEY))).result as string
    const filter = (await call(clientRpc.url, 'shh_newMessageFilter', { symKeyID: chatKeyID, topics: [chat], allowP2P: true })).result as string
    const counts: number[] = []
    let cursor = ''
    do {
      // A multiaddr with /p2p/<id> names the server as well as its peer id does.
      const reply = await call(clientRpc.url, 'shhext_requestMessages', { mailServerPeer: serverAddr, password: PASSWORD, from, to: now() + 5, topics: [chat], limit: 2, cursor })
      expect(reply.error).toBeUndefined()
      expect(reply.result).toEqual({ requestId: expect.stringMatching(/^0x[0-9a-f]{64}$/), cursor: expect.stringMatching(/^(0x[0-9a-f]{72})?$/), envelopes: expect.any(Number), digest: expect.stringMatching(/^0x[0-9a-f]{64}$/) })
      counts.push(reply.result.envelopes)
      cursor = reply.result.cursor
    } while (cursor !== '' && counts.length < 10)
    expect(counts).toEqual([2, 2, 1])
    const messages = (await call(clientRpc.url, 'shh_getFilterMessages', filter)).result as { payload: string }[]
    expect(messages.map((m) => Buffer.from(m.payload.slice(2), 'hex').toString()).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `message ${i}`))
  })

  it('takes a stored key id (symKeyID) and a bloom, and the peer id alone', async () => {
    const mailKeyID = (await call(clientRpc.url, 'shh_generateSymKeyFromPassword', PASSWORD)).result as string
    const reply = await call(clientRpc.url, 'shhext_requestMessages', { mailServerPeer: server.peerId.toString(), symKeyID: mailKeyID, from, to: now() + 5, bloom: `0x${'ff'.repeat(64)}`, limit: 10 })
    expect(reply.result).toMatchObject({ envelopes: 5, cursor: '' })
  })

  it('reports the mail server with shhext_mailStats, and its absence', async () => {
    const stats = await call(serverRpc.url, 'shhext_mailStats')
    expect(stats.result).toMatchObject({ archived: 5, pending: 0, dropped: 0 })
    expect(stats.result.served).toBeGreaterThanOrEqual(4)
    expect(await call(clientRpc.url, 'shhext_mailStats')).toMatchObject({ error: { code: -32000, message: 'this node runs no mail server' } })
  })

  it('answers a peer that is not connected, or a server that does not answer in time, with -32000', async () => {
    const gone = await call(clientRpc.url, 'shhext_requestMessages', { mailServerPeer: '12D3KooWHHzSeKaY8xuZVzkLbKFfvNgPPeKhFBGrMbNzbm5akpqu', password: PASSWORD, from, to: now() })
    expect(gone.error?.code).toBe(-32000)
    expect(gone.error?.message).toMatch(/not connected/)
    // A wrong password: the server cannot open the request, so it never answers.
    const silent = await call(clientRpc.url, 'shhext_requestMessages', { mailServerPeer: serverAddr, password: 'wrong', from, to: now(), timeout: 1 })
    expect(silent.error).toMatchObject({ code: -32000, message: expect.stringMatching(/no completion .* within 1000 ms/) })
  })

  it('answers bad params with -32602 naming the param', async () => {
    const ok = { mailServerPeer: server.peerId.toString(), password: PASSWORD, from, to: now() }
    const cases: [unknown[], RegExp][] = [
      [[], /missing value for required argument 0/],
      [[ok, 1], /too many arguments/],
      [['x'], /argument 0: expected an object/],
      [[{ ...ok, mailServerPeer: undefined }], /mailServerPeer: required/],
      [[{ ...ok, mailServerPeer: 7 }], /mailServerPeer: expected a string/],
      [[{ ...ok, mailServerPeer: '/ip4/127.0.0.1/tcp/1' }], /mailServerPeer: the multiaddr has no \/p2p/],
      [[{ ...ok, password: undefined }], /exactly one of symKeyID and password/],
      [[{ ...ok, symKeyID: 'a'.repeat(64) }], /exactly one of symKeyID and password/],
      [[{ ...ok, from: -1 }], /argument 0: from: expected an integer/],
      [[{ ...ok, from: 10, to: 5 }], /argument 0: to: must be ≥ from/],
      [[{ ...ok, topics: '0x12345678' }], /topics: expected an array/],
      [[{ ...ok, topics: ['0x1234'] }], /topics\[0\]: hex string has length 4, want 8/],
      [[{ ...ok, bloom: '0x00' }], /bloom: hex string has length 2, want 128/],
      [[{ ...ok, topics: [chat], bloom: `0x${'ff'.repeat(64)}` }], /topics or bloom, not both/],
      [[{ ...ok, limit: 0 }], /limit: must be in \[1, 1000\]/],
      [[{ ...ok, limit: 1001 }], /limit: must be in \[1, 1000\]/],
      [[{ ...ok, cursor: '0x00' }], /cursor: hex string has length 2, want 72/],
      [[{ ...ok, pow: -1 }], /pow: must be ≥ 0/],
      [[{ ...ok, timeout: 0 }], /timeout: must be ≥ 1 second/],
      [[{ ...ok, topic: chat }], /unknown field "topic"/],
    ]
    for (const [params, message] of cases) {
      const reply = await call(clientRpc.url, 'shhext_requestMessages', ...params)
      expect({ params, error: reply.error }).toEqual({ params, error: { code: -32602, message: expect.stringMatching(message) } })
    }
  })
})

describe('shhext_* without a mail setup', () => {
  it('is not served (-32601)', async () => {
    const rpc = await createRpcServer({ shh: fakeShh(), port: 0 })
    try {
      expect(await call(rpc.url, 'shhext_requestMessages', {})).toMatchObject({ error: { code: -32601 } })
    } finally {
      await rpc.close()
    }
  })

  it('refuses an shhext init without requestHistory', async () => {
    await expect(createRpcServer({ shh: fakeShh(), port: 0, shhext: {} as never })).rejects.toThrow(/requestHistory/)
  })
})

async function symKey(node: HushNode, password: string): Promise<Uint8Array> {
  const id = await node.services.shh.generateSymKeyFromPasswordAsync(password)
  const key = node.services.shh.getSymKey(id)
  node.services.shh.deleteSymKey(id)
  return key
}
