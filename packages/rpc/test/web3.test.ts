/*
 * web3-shh@1.10.4 (the real client) against two real nodes over TCP on 127.0.0.1:
 *
 *   web3 (HTTP, ws) ──► RPC A ── node A ══ tcp ══ node B ── RPC B ◄── web3 (HTTP, ws)
 *
 * Low PoW keeps sealing fast: nodes accept 0.001, posts target 0.01.
 */
import type { HushNode } from '@hush/node'
import ShhCjs from 'web3-shh'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type RpcServer, createRpcServer } from '../src/index.ts'
import { connect, startNodes, stopAll, waitFor } from '../../node/test/fixtures/network.ts'

const Shh = ShhCjs as unknown as typeof ShhCjs.default
type ShhClient = InstanceType<typeof Shh>

const hex = (text: string): string => `0x${Buffer.from(text, 'utf8').toString('hex')}`
const LOW_POW = { powTarget: 0.01, powTime: 5 }

describe('web3-shh against two nodes', () => {
  let nodes: HushNode[] = []
  let servers: RpcServer[] = []
  let wsClients: ShhClient[] = []

  beforeEach(async () => {
    nodes = await startNodes(2, { whisper: { minPow: 0.001 } })
    await connect(nodes[0], nodes[1])
    servers = await Promise.all(nodes.map((node) => createRpcServer({ shh: node.services.shh, port: 0 })))
  })

  afterEach(async () => {
    for (const client of wsClients) (client.currentProvider as unknown as { disconnect(): void }).disconnect()
    wsClients = []
    await Promise.all(servers.map((s) => s.close()))
    servers = []
    await stopAll(nodes)
    nodes = []
  })

  const http = (i: number): ShhClient => new Shh(servers[i].url)
  const ws = (i: number): ShhClient => {
    const client = new Shh(servers[i].wsUrl as string)
    wsClients.push(client)
    return client
  }

  async function poll(client: ShhClient, filter: string, count = 1): Promise<Awaited<ReturnType<ShhClient['getFilterMessages']>>> {
    const got: Awaited<ReturnType<ShhClient['getFilterMessages']>> = []
    const deadline = Date.now() + 10_000
    while (got.length < count) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} message(s)`)
      got.push(...(await client.getFilterMessages(filter)))
      if (got.length < count) await new Promise((r) => setTimeout(r, 20))
    }
    return got
  }

  it('manages key pairs and symmetric keys over HTTP', async () => {
    const a = http(0)
    const b = http(1)
    expect(await a.getVersion()).toBe('6.0')
    expect(await a.getInfo()).toEqual({ memory: 0, messages: 0, minPow: 0.001, maxMessageSize: 1024 * 1024 })

    const pair = await a.newKeyPair()
    expect(pair).toMatch(/^[0-9a-f]{64}$/)
    expect(await a.hasKeyPair(pair)).toBe(true)
    const publicKey = await a.getPublicKey(pair)
    expect(publicKey).toMatch(/^0x04[0-9a-f]{128}$/)
    const privateKey = await a.getPrivateKey(pair)
    expect(privateKey).toMatch(/^0x[0-9a-f]{64}$/)
    const copy = await b.addPrivateKey(privateKey)
    expect(await b.getPublicKey(copy)).toBe(publicKey)
    expect(await a.deleteKeyPair(pair)).toBe(true)
    expect(await a.hasKeyPair(pair)).toBe(false)

    const sym = await a.newSymKey()
    expect(await a.hasSymKey(sym)).toBe(true)
    const key = await a.getSymKey(sym)
    expect(key).toMatch(/^0x[0-9a-f]{64}$/)
    const added = await b.addSymKey(key)
    expect(added).not.toBe(sym)
    expect(await b.getSymKey(added)).toBe(key)
    const fromPassword = await a.generateSymKeyFromPassword('correct horse')
    expect(await a.getSymKey(fromPassword)).toBe(await b.getSymKey(await b.generateSymKeyFromPassword('correct horse')))
    expect(await a.deleteSymKey(sym)).toBe(true)
    expect(await a.hasSymKey(sym)).toBe(false)

    expect(await a.setMinPoW(0.002)).toBe(true)
    expect(await a.setMaxMessageSize(512 * 1024)).toBe(true)
    expect(await a.getInfo()).toMatchObject({ minPow: 0.002, maxMessageSize: 512 * 1024 })
  })

  it('delivers symmetric and asymmetric posts from A to filters polled on B', async () => {
    const a = http(0)
    const b = http(1)
    const topic = '0xdeadbeef'

    const symA = await a.newSymKey()
    const symB = await b.addSymKey(await a.getSymKey(symA))
    const signer = await a.newKeyPair()
    const filter = await b.newMessageFilter({ symKeyID: symB, topics: [topic] })
    const hash = await a.post({ symKeyID: symA, sig: signer, ttl: 30, topic, payload: hex('hello B'), ...LOW_POW })
    expect(hash).toMatch(/^0x[0-9a-f]{64}$/)
    const [message] = await poll(b, filter)
    expect(message).toMatchObject({ hash, topic, payload: hex('hello B'), ttl: 30, sig: await a.getPublicKey(signer) })
    expect(message.pow).toBeGreaterThanOrEqual(0.01)
    expect(message.recipientPublicKey).toBeUndefined()
    expect(Object.keys(message).sort()).toEqual(['hash', 'padding', 'payload', 'pow', 'sig', 'timestamp', 'topic', 'ttl'])

    const pairB = await b.newKeyPair()
    const dm = await b.newMessageFilter({ privateKeyID: pairB, topics: [topic] })
    const pubB = await b.getPublicKey(pairB)
    const dmHash = await a.post({ pubKey: pubB, ttl: 30, topic, payload: hex('direct'), ...LOW_POW })
    const [direct] = await poll(b, dm)
    expect(direct).toMatchObject({ hash: dmHash, payload: hex('direct'), recipientPublicKey: pubB })
    expect(direct.sig).toBeUndefined()
    expect(await b.getFilterMessages(filter)).toEqual([])
    expect(await b.deleteMessageFilter(dm)).toBe(true)
    await expect(b.getFilterMessages(dm)).rejects.toThrow(`Returned error: no filter with id ${dm}`)
  })

  it('pushes subscription notifications over ws until unsubscribed', async () => {
    const a = http(0)
    const b = ws(1)
    const topic = '0x01020304'
    const symA = await a.newSymKey()
    const symB = await b.addSymKey(await a.getSymKey(symA))
    const shhB = nodes[1].services.shh
    const filtersBefore = shhB.info().filters

    const received: { payload: string; hash: string }[] = []
    const subscription = b.subscribe('messages', { symKeyID: symB, topics: [topic] }) as unknown as {
      id: string
      on(event: 'data', handler: (m: { payload: string; hash: string }) => void): void
      on(event: 'connected', handler: (id: string) => void): void
      unsubscribe(callback: (error: Error | null, ok: boolean) => void): void
    }
    subscription.on('data', (m) => received.push(m))
    await new Promise<void>((resolve) => subscription.on('connected', () => resolve()))
    expect(subscription.id).toMatch(/^0x[0-9a-f]{32}$/)
    expect(shhB.info().filters).toBe(filtersBefore + 1)

    const first = await a.post({ symKeyID: symA, ttl: 30, topic, payload: hex('one'), ...LOW_POW })
    await waitFor(() => received.length === 1, 10_000, 'the notification')
    expect(received[0]).toMatchObject({ hash: first, payload: hex('one') })

    const unsubscribed = await new Promise<boolean>((resolve, reject) => subscription.unsubscribe((error, ok) => (error ? reject(error) : resolve(ok))))
    expect(unsubscribed).toBe(true)
    expect(shhB.info().filters).toBe(filtersBefore)

    // A polling filter sees the next message; the ended subscription does not.
    const poller = await b.newMessageFilter({ symKeyID: symB, topics: [topic] })
    const second = await a.post({ symKeyID: symA, ttl: 30, topic, payload: hex('two'), ...LOW_POW })
    expect((await poll(b, poller))[0].hash).toBe(second)
    expect(await b.getVersion()).toBe('6.0') // one more round trip on the same socket
    expect(received).toHaveLength(1)
  })

  it('reports errors as web3 does', async () => {
    const a = http(0)
    const extended = a as unknown as { extend(e: unknown): unknown; nope(): Promise<unknown> }
    extended.extend({ methods: [{ name: 'nope', call: 'shh_nope', params: 0 }] })
    await expect(extended.nope()).rejects.toThrow('Returned error: the method shh_nope does not exist/is not available')
    await expect(a.addSymKey('nothex')).rejects.toThrow('Returned error: invalid argument 0: hex string without 0x prefix')
    await expect(a.post({ ttl: 10, topic: '0x01020304', payload: '0x01' } as never)).rejects.toThrow(
      'Returned error: specify either a symmetric or an asymmetric key',
    )
    const unknown = '00'.repeat(32)
    await expect(a.getSymKey(unknown)).rejects.toThrow(`Returned error: no symmetric key with id ${unknown}`)
    await expect(a.getPublicKey(unknown)).rejects.toThrow(`Returned error: no key pair with id ${unknown}`)
    await expect(a.post({ symKeyID: unknown, ttl: 10, topic: '0x01020304', payload: '0x01', ...LOW_POW })).rejects.toThrow('Returned error: no symmetric key with id')
    // The node's own checks refuse what it would not accept from a peer.
    expect(await a.setMaxMessageSize(1024)).toBe(true)
    const sym = await a.newSymKey()
    await expect(a.post({ symKeyID: sym, ttl: 10, topic: '0x01020304', payload: `0x${'00'.repeat(2048)}`, ...LOW_POW })).rejects.toThrow(
      'Returned error: Envelope rejected: too-large',
    )
    await expect(a.setMaxMessageSize(11 * 1024 * 1024)).rejects.toThrow('Returned error: size must be in [64, 10485760]')
    const refused = await new Promise<Error>((resolve) => a.subscribe('messages', { symKeyID: unknown, topics: ['0x01020304'] }, (error) => resolve(error)))
    expect(refused.message).toBe("The current provider doesn't support subscriptions: HttpProvider")
  })

  it('needs the bearer token when set, and refuses oversized requests', async () => {
    const guarded = await createRpcServer({ shh: nodes[0].services.shh, port: 0, token: 's3cret', maxRequestBytes: 4096 })
    servers.push(guarded)
    const anonymous = new Shh(guarded.url)
    await expect(anonymous.getVersion()).rejects.toThrow('Invalid JSON RPC response: ""')
    const wrong = new Shh(new Shh.providers.HttpProvider(guarded.url, { headers: [{ name: 'Authorization', value: 'Bearer nope' }] }))
    await expect(wrong.getVersion()).rejects.toThrow('Invalid JSON RPC response: ""')
    // web3 reads any non-JSON answer as "Invalid JSON RPC response"; the status behind it:
    const status = async (body: unknown, headers: Record<string, string>): Promise<number> =>
      (await fetch(guarded.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), signal: AbortSignal.timeout(5_000) })).status
    const version = { jsonrpc: '2.0', id: 1, method: 'shh_version', params: [] }
    expect(await status(version, {})).toBe(401)
    expect(await status(version, { authorization: 'Bearer nope' })).toBe(401)
    expect(await status({ ...version, params: ['x'.repeat(4096)] }, { authorization: 'Bearer s3cret' })).toBe(413)
    const authorized = new Shh(new Shh.providers.HttpProvider(guarded.url, { headers: [{ name: 'Authorization', value: 'Bearer s3cret' }] }))
    expect(await authorized.getVersion()).toBe('6.0')

    const sym = await authorized.newSymKey()
    const big = { symKeyID: sym, ttl: 10, topic: '0x01020304', payload: `0x${'ab'.repeat(4096)}`, ...LOW_POW }
    await expect(authorized.post(big)).rejects.toThrow('Invalid JSON RPC response: ""')
    expect(nodes[0].services.shh.info().envelopes).toBe(0)
    expect(await authorized.hasSymKey(sym)).toBe(true)

    const overWs = new Shh(new Shh.providers.WebsocketProvider(guarded.wsUrl as string, { headers: { authorization: 'Bearer s3cret' } }))
    wsClients.push(overWs)
    expect(await overWs.getVersion()).toBe('6.0')
  })

  it('marks a trusted peer and sends it a direct p2p message', async () => {
    const a = http(0)
    const b = http(1)
    const [nodeA, nodeB] = nodes
    const topic = '0x0a0b0c0d'
    expect(await b.markTrustedPeer(nodeA.peerId.toString())).toBe(true)
    await expect(b.markTrustedPeer(nodeB.peerId.toString())).rejects.toThrow(`Returned error: peer ${nodeB.peerId.toString()} is not connected`)

    const symA = await a.newSymKey()
    const symB = await b.addSymKey(await a.getSymKey(symA))
    const p2p = await b.newMessageFilter({ symKeyID: symB, topics: [topic], allowP2P: true })
    const flood = await b.newMessageFilter({ symKeyID: symB, topics: [topic] })
    // web3's typings call targetPeer a number; geth (and we) take a string.
    const direct = { symKeyID: symA, ttl: 30, topic, payload: hex('just you'), targetPeer: nodeB.peerId.toString(), ...LOW_POW }
    const hash = await a.post(direct as never)
    const [message] = await poll(b, p2p)
    expect(message).toMatchObject({ hash, payload: hex('just you') })
    expect(await b.getFilterMessages(flood)).toEqual([])
  })

  it('sets the bloom filter (not in web3.js: plain JSON-RPC)', async () => {
    const rpc = async (method: string, params: unknown[]): Promise<unknown> => {
      const res = await fetch(servers[1].url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 9, method, params }),
        signal: AbortSignal.timeout(5_000),
      })
      return res.json()
    }
    expect(await rpc('shh_setBloomFilter', [`0x${'ff'.repeat(64)}`])).toEqual({ jsonrpc: '2.0', id: 9, result: true })
    expect(nodes[1].services.shh.info().bloom).toEqual(new Uint8Array(64).fill(0xff))
    expect(await rpc('shh_setBloomFilter', ['0xff'])).toEqual({ jsonrpc: '2.0', id: 9, error: { code: -32000, message: 'bloom must be 64 bytes' } })
    expect(await rpc('shh_setBloomFilter', ['ff'])).toEqual({ jsonrpc: '2.0', id: 9, error: { code: -32602, message: 'invalid argument 0: hex string without 0x prefix' } })
  })
})
