/*
 * Issue 14 item 1: Ctrl-C on `hush post` cancels it and says "cancelled, nothing sent", and that
 * is true: the node stops sealing and never sends. When the node had finished first, it says so.
 */
import { spawn } from 'node:child_process'
import { createRpcServer, type RpcServer, type ShhApi } from '@hush/rpc'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { runPost } from '../src/commands/post.ts'
import { HUSH_BIN, type StartedNode, runHush, startHush } from './fixtures/hush-node.ts'

const rpcCall = async <T>(url: string, method: string, params: unknown[] = []): Promise<T> => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }), signal: AbortSignal.timeout(5_000) })
  return ((await res.json()) as { result: T }).result
}

const HASH = `0x${'11'.repeat(32)}`
const KEY = 'a'.repeat(64)

/** A node's RPC whose post waits `postMs` and then either honours its abort signal or not. */
function fakeNode(postMs: number, honoursAbort: boolean): ShhApi & { posts: number } {
  const shh = {
    posts: 0,
    hasSymKey: () => true,
    info: () => ({ memory: 0, envelopes: 0, minPow: 0.001, maxMessageSize: 1 << 20 }),
    getPeers: () => ['12D3KooWPeer'],
    post: (_params: unknown, options: { signal?: AbortSignal } = {}) =>
      new Promise<Uint8Array>((resolve, reject) => {
        shh.posts++
        const timer = setTimeout(() => resolve(new Uint8Array(32).fill(0x11)), postMs)
        if (honoursAbort) options.signal?.addEventListener('abort', () => (clearTimeout(timer), reject(options.signal?.reason)), { once: true })
      }),
  }
  return shh as unknown as ShhApi & { posts: number }
}

const servers: RpcServer[] = []
const nodes: StartedNode[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
  for (const node of nodes.splice(0)) {
    node.child.kill('SIGINT')
    await node.exited
  }
})

const post = (url: string, signal: AbortSignal) =>
  runPost({ url }, { symKeyId: KEY, topic: Uint8Array.of(1, 2, 3, 4), ttl: 10, powTarget: 0.001, powTime: 5, message: 'hi', progress: false, warn: () => undefined, signal })

describe('cancelling a post (Ctrl-C)', () => {
  it('hush post: SIGINT while the node seals prints cancelled, nothing sent, exits 130, and the node never sends', async () => {
    const node = await startHush(['--listen', '/ip4/127.0.0.1/tcp/0'])
    nodes.push(node)
    const sym = await rpcCall<string>(node.rpc, 'shh_newSymKey')
    // About 37 leading zero bits: hours of work, far beyond --pow-time on any machine, so `post`
    // always warns before it sends (the cue below) and the node is still sealing at Ctrl-C.
    const child = spawn(process.execPath, [HUSH_BIN, 'post', '--rpc', node.rpc, '--sym-key-id', sym, '--topic', 'cancel', '--pow-target', '10000000', '--pow-time', '600', 'never sent'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    await vi.waitFor(() => expect(stderr).toContain('! PoW 10000000 takes'), { timeout: 30_000, interval: 50 })
    // The warning comes just before the post is sent: give the node a moment to start sealing.
    await new Promise((r) => setTimeout(r, 700))
    child.kill('SIGINT')
    expect(await exited).toBe(130)
    expect(stderr.endsWith('hush: cancelled, nothing sent\n')).toBe(true)
    await new Promise((r) => setTimeout(r, 300))
    expect((await rpcCall<{ messages: number }>(node.rpc, 'shh_info')).messages).toBe(0)
    // The node is fine and posts the next message.
    expect((await runHush('post', '--rpc', node.rpc, '--sym-key-id', sym, '--topic', 'cancel', '--pow-target', '0.01', 'sent')).stdout.trim()).toMatch(/^0x[0-9a-f]{64}$/)
    expect((await rpcCall<{ messages: number }>(node.rpc, 'shh_info')).messages).toBe(1)
  }, 60_000)

  it('says cancelled, nothing sent when the node stopped the post on hush_cancelRequest', async () => {
    const shh = fakeNode(5_000, true)
    const server = await createRpcServer({ shh, port: 0 })
    servers.push(server)
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 300)
    await expect(post(server.url, controller.signal)).rejects.toMatchObject({ name: 'CliError', message: 'cancelled, nothing sent', exitCode: 130 })
    expect(shh.posts).toBe(1)
  })

  it('says it was too late when the node had already sent the message, naming the envelope', async () => {
    const shh = fakeNode(600, false)
    const server = await createRpcServer({ shh, port: 0 })
    servers.push(server)
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 300)
    await expect(post(server.url, controller.signal)).rejects.toMatchObject({
      name: 'CliError',
      message: `too late to cancel: the node had already sent the message (envelope ${HASH})`,
      exitCode: 1,
    })
  })

  it('asks nothing of the node when cancelled before sealing', async () => {
    const shh = fakeNode(5_000, true)
    const server = await createRpcServer({ shh, port: 0 })
    servers.push(server)
    await expect(post(server.url, AbortSignal.abort())).rejects.toMatchObject({ message: 'cancelled, nothing sent', exitCode: 130 })
    expect(shh.posts).toBe(0)
  })

  it('over HTTP only (no WebSocket on the node), says it cannot confirm', async () => {
    const shh = fakeNode(5_000, true)
    const server = await createRpcServer({ shh, port: 0, ws: false })
    servers.push(server)
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 300)
    await expect(post(server.url, controller.signal)).rejects.toMatchObject({
      message: 'cancelled: the request was closed, which stops the node sealing, but this node cannot confirm whether the message had already gone out',
      exitCode: 130,
    })
  })
})
