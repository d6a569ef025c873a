/**
 * `hush start --messenger`: two real `hush start` processes on 127.0.0.1 serve the `hush_*`
 * methods; Alice asks Bob (a stranger to him) over RPC, Bob accepts, a message goes through
 * (seen as a `hush_subscription` notification on Bob's WebSocket), and Bob's node restarts with
 * the account and the conversation kept under `<data dir>/messenger`.
 */
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { type StartedNode, startHush } from './fixtures/hush-node.ts'

const children: StartedNode[] = []
afterAll(async () => {
  for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGTERM')
  await Promise.all(children.map((c) => c.exited))
})

async function start(...flags: string[]): Promise<StartedNode> {
  const node = await startHush(['--messenger', ...flags])
  children.push(node)
  return node
}

async function call(node: StartedNode, method: string, ...params: unknown[]): Promise<any> {
  const res = await fetch(node.rpc, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })
  const body = (await res.json()) as { result?: unknown; error?: { message: string } }
  if (body.error !== undefined) throw new Error(body.error.message)
  return body.result
}

/** `hush_subscribe('messenger')` on a WebSocket to `node`: its notifications as they come. */
async function subscribe(node: StartedNode): Promise<{ notified: any[]; close: () => void }> {
  const socket = new WebSocket(node.rpc.replace(/^http/, 'ws'))
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject))
  const notified: any[] = []
  socket.on('message', (data) => notified.push(JSON.parse(String(data))))
  socket.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'hush_subscribe', params: ['messenger'] }))
  await until('the subscription', async () => (notified.length > 0 ? true : undefined))
  return { notified, close: () => socket.close() }
}

const messages = (notified: readonly any[]): any[] => notified.filter((n) => n.method === 'hush_subscription' && n.params.result.type === 'message').map((n) => n.params.result)

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await probe()
    if (value !== undefined) return value
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`timed out waiting for ${what}`)
}

describe('hush start --messenger', () => {
  it('serves the messenger: a request accepted, a message, and a restart that keeps both', async () => {
    const alice = await start()
    let bob = await start('--bootstrap', alice.listen)
    const line = `messenger: ${join(bob.dataDir, 'messenger')} (hush_* methods on the RPC; the account stays locked until hush_accountUnlock)\n`
    await until('the messenger line', async () => (bob.out().includes(line) ? true : undefined))
    await until('the peers', async () => ((await call(alice, 'hush_peers')).length > 0 ? true : undefined))
    const aliceKey = (await call(alice, 'hush_accountCreate', 'alice pw')).publicKey
    const bobKey = (await call(bob, 'hush_accountCreate', 'bob pw')).publicKey
    expect(await readdir(join(bob.dataDir, 'messenger'))).toContain('account')
    await call(alice, 'hush_friendAdd', 'Bob', bobKey)

    const atAlice = await subscribe(alice)
    const atBob = await subscribe(bob)

    const { id } = await call(alice, 'hush_open', bobKey)
    const [request] = await until('the request', async () => {
      const list = await call(bob, 'hush_requests')
      return list.length > 0 ? list : undefined
    })
    expect(request).toMatchObject({ id, from: aliceKey })
    await call(bob, 'hush_accept', id)
    await until('open on both sides', async () =>
      (await call(alice, 'hush_conversations'))[0]?.state === 'open' && (await call(bob, 'hush_conversations'))[0]?.state === 'open' ? true : undefined
    )
    expect(await call(alice, 'hush_send', id, 'hello from the CLI')).toBe(1)
    await until('the message notification', async () => (messages(atBob.notified).length > 0 ? true : undefined))
    expect(messages(atBob.notified)).toEqual([{ type: 'message', conversation: id, seq: 1, text: 'hello from the CLI' }])
    atBob.close()

    // Bob's node restarts: the account is there, locked; unlocking brings the conversation back.
    bob.child.kill('SIGTERM')
    expect(await bob.exited).toBe(0)
    bob = await start('--data-dir', bob.dataDir, '--bootstrap', alice.listen)
    expect(await call(bob, 'hush_accountInfo')).toEqual({ exists: true, unlocked: false })
    await call(bob, 'hush_accountUnlock', 'bob pw')
    expect(await call(bob, 'hush_conversations')).toMatchObject([{ id, state: 'open', friend: aliceKey, role: 'accepter' }])
    await until('the peers again', async () => ((await call(bob, 'hush_peers')).length > 0 ? true : undefined))
    expect(await call(bob, 'hush_send', id, 'back again')).toBe(1)
    await until('the message at Alice', async () => (messages(atAlice.notified).length > 0 ? true : undefined))
    expect(messages(atAlice.notified)).toEqual([{ type: 'message', conversation: id, seq: 1, text: 'back again' }])
    atAlice.close()
  }, 90_000)
})
