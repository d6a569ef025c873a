/*
 * A client that goes away while its shh_post is sealing, or cancels it with hush_cancelRequest
 * (Ctrl-C on `hush post`), must not get its message sent: the seal is aborted and the envelope
 * never reaches the pool or a peer.
 *
 *   fetch / ws ──► RPC ── node A ══ tcp ══ node B
 *
 * The PoW target needs about 30 leading zero bits (minutes on two cores), so the seal is still
 * running when the client leaves; a proxy over node A's service records how each post ended.
 */
import type { HushNode } from '@hush/node'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { type RpcServer, createRpcServer } from '../src/index.ts'
import type { ShhApi } from '../src/shh-api.ts'
import { connect, startNodes, stopAll, waitFor } from '../../node/test/fixtures/network.ts'

/** How one post through the proxy ended. */
type Outcome = { status: 'fulfilled' } | { status: 'rejected'; name: string }

/** node A's service, with every `post` recorded (the real node does all the work). */
function observePosts(shh: ShhApi): { shh: ShhApi; outcomes: Promise<Outcome>[] } {
  const outcomes: Promise<Outcome>[] = []
  const proxy = new Proxy(shh, {
    get(target, prop) {
      if (prop === 'post') {
        return (...args: Parameters<ShhApi['post']>) => {
          const running = target.post(...args)
          outcomes.push(running.then(() => ({ status: 'fulfilled' }) as const, (error: Error) => ({ status: 'rejected', name: error.name }) as const))
          return running
        }
      }
      const value: unknown = Reflect.get(target, prop, target)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  return { shh: proxy, outcomes }
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms))])
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** About 30 leading zero bits for a ~300-byte envelope with TTL 50: far beyond the test. */
const SLOW_POST = { topic: '0x01020304', payload: '0x68656c6c6f', ttl: 50, powTarget: 100_000, powTime: 600 }

describe('a client that disconnects or cancels while its post is sealing', () => {
  let nodes: HushNode[] = []
  let server: RpcServer | undefined
  let outcomes: Promise<Outcome>[] = []
  let symKeyID = ''

  beforeEach(async () => {
    nodes = await startNodes(2, { whisper: { minPow: 0.001 } })
    await connect(nodes[0], nodes[1])
    const observed = observePosts(nodes[0].services.shh)
    outcomes = observed.outcomes
    server = await createRpcServer({ shh: observed.shh, port: 0 })
    symKeyID = nodes[0].services.shh.newSymKey()
  })

  afterEach(async () => {
    await server?.close()
    server = undefined
    await stopAll(nodes)
    nodes = []
  })

  async function expectNothingSent(name = 'AbortError'): Promise<void> {
    const outcome = await within(outcomes[0], 10_000, 'the post to end after the client left')
    expect(outcome).toEqual({ status: 'rejected', name })
    await sleep(300)
    expect(nodes[0].services.shh.info().envelopes).toBe(0)
    expect(nodes[1].services.shh.info().envelopes).toBe(0)
  }

  it('over HTTP: aborting the request aborts the seal, and nothing is sent', async () => {
    const client = new AbortController()
    const request = fetch((server as RpcServer).url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'shh_post', params: [{ symKeyID, ...SLOW_POST }] }),
      signal: client.signal,
    })
    await waitFor(() => outcomes.length === 1, 5_000, 'the node to start the post')
    await sleep(100)
    client.abort()
    await expect(request).rejects.toThrow(expect.objectContaining({ name: 'AbortError' }))
    await expectNothingSent()
  })

  it('over WebSocket: closing the connection aborts the seal, and nothing is sent', async () => {
    const ws = new WebSocket((server as RpcServer).wsUrl as string)
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'shh_post', params: [{ symKeyID, ...SLOW_POST }] }))
    await waitFor(() => outcomes.length === 1, 5_000, 'the node to start the post')
    await sleep(100)
    ws.terminate()
    await expectNothingSent()
  })

  /** Opens a WebSocket to the server and collects its answers by id. */
  async function openClient(): Promise<{ ws: WebSocket; send(id: number, method: string, params: unknown[]): void; answer(id: number): Promise<{ result?: unknown; error?: { message: string } }> }> {
    const ws = new WebSocket((server as RpcServer).wsUrl as string)
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
    const answers = new Map<number, (value: { result?: unknown; error?: { message: string } }) => void>()
    const arrived = new Map<number, { result?: unknown; error?: { message: string } }>()
    ws.on('message', (data) => {
      const body = JSON.parse(String(data)) as { id: number; result?: unknown; error?: { message: string } }
      const waiting = answers.get(body.id)
      if (waiting === undefined) arrived.set(body.id, body)
      else waiting(body)
    })
    return {
      ws,
      send: (id, method, params) => ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params })),
      answer: (id) => {
        const early = arrived.get(id)
        if (early !== undefined) return Promise.resolve(early)
        return within(new Promise((resolve) => answers.set(id, resolve)), 10_000, `the answer to call ${id}`)
      },
    }
  }

  it('over WebSocket: hush_cancelRequest stops the sealing post, whose own answer is an error, and nothing is sent', async () => {
    const client = await openClient()
    client.send(7, 'shh_post', [{ symKeyID, ...SLOW_POST }])
    await waitFor(() => outcomes.length === 1, 5_000, 'the node to start the post')
    await sleep(100)
    client.send(8, 'hush_cancelRequest', [7])
    expect(await client.answer(8)).toMatchObject({ result: true })
    const post = await client.answer(7)
    expect(post.result).toBeUndefined()
    expect(post.error?.message).toBe('request cancelled by the client')
    await expectNothingSent('RequestCancelledError')
    // The connection stays usable, and an id no longer running is not cancelled.
    client.send(9, 'hush_cancelRequest', [7])
    expect(await client.answer(9)).toMatchObject({ result: false })
    client.ws.close()
  })

  it('over WebSocket: a cancel that comes after the post finished is refused, and the post answered with its hash', async () => {
    const client = await openClient()
    client.send(1, 'shh_post', [{ symKeyID, topic: '0x01020304', payload: '0x68656c6c6f', ttl: 50, powTarget: 0.001, powTime: 5 }])
    const post = await client.answer(1)
    expect(post.result).toMatch(/^0x[0-9a-f]{64}$/)
    client.send(2, 'hush_cancelRequest', [1])
    expect(await client.answer(2)).toMatchObject({ result: false })
    await waitFor(() => nodes[1].services.shh.info().envelopes === 1, 5_000, 'the envelope to reach node B')
    client.ws.close()
  })

  it('over HTTP: hush_cancelRequest is refused with a pointer to closing the request', async () => {
    const res = await fetch((server as RpcServer).url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'hush_cancelRequest', params: [1] }),
      signal: AbortSignal.timeout(5_000),
    })
    expect(await res.json()).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: { code: -32000, message: 'hush_cancelRequest works over WebSocket only: an HTTP request is cancelled by closing its connection' },
    })
  })
})
