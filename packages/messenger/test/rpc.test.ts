/**
 * The `hush_*` methods over a real WebSocket against two real nodes on 127.0.0.1, each with its
 * own messenger and RPC server, as the browser app will use them:
 *
 *   ws client ── rpc (messenger) ── alice node ══ TCP ══ bob node ── rpc (messenger) ── ws client
 *
 * Accounts, friends, a request from a stranger accepted over RPC, messages both ways with
 * `hush_subscription` notifications (messages, receipts), refusals, and a close.
 */
import { createRpcServer } from '@hush/rpc'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { createMessenger } from '../src/index.ts'
import { cleanup, runCleanup, tempDir, waitFor } from './fixtures.ts'
import { link, startNode } from './nodes.ts'

afterEach(runCleanup)

interface Reply {
  result?: any
  error?: { code: number; message: string }
}

/** A JSON-RPC client on one WebSocket: calls by id, notifications collected in order. */
async function connect(url: string): Promise<{ call: (method: string, ...params: unknown[]) => Promise<Reply>; notifications: any[] }> {
  const socket = new WebSocket(url)
  await new Promise((resolve, reject) => {
    socket.once('open', resolve)
    socket.once('error', reject)
  })
  cleanup.push(() => socket.close())
  const waiting = new Map<number, (reply: Reply) => void>()
  const notifications: any[] = []
  socket.on('message', (data) => {
    const message = JSON.parse(String(data))
    if (message.id === undefined) notifications.push(message)
    else waiting.get(message.id)?.(message)
  })
  let next = 1
  const call = (method: string, ...params: unknown[]): Promise<Reply> => {
    const id = next++
    return new Promise((resolve) => {
      waiting.set(id, resolve)
      socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }))
    })
  }
  return { call, notifications }
}

/** A node with a messenger served on a WebSocket. */
async function person() {
  const node = await startNode()
  const messenger = createMessenger({ dir: await tempDir(), session: { powTarget: 0.001, ackDelayMs: 20, resendIntervalMs: 300 }, kdf: { logN: 10 } }, { transport: node.services.shh })
  cleanup.push(() => messenger.lock())
  const rpc = await createRpcServer({ shh: node.services.shh, port: 0, messenger })
  cleanup.push(() => rpc.close())
  return { node, ...(await connect(rpc.wsUrl as string)) }
}

const events = (notifications: readonly any[], subscription: string, type: string): any[] =>
  notifications.filter((n) => n.method === 'hush_subscription' && n.params.subscription === subscription && n.params.result.type === type).map((n) => n.params.result)

describe('hush_* over WebSocket', () => {
  it('runs accounts, friends, a request, messages with receipts and a close between two nodes', async () => {
    const alice = await person()
    const bob = await person()
    await link(alice.node, bob.node)

    expect(await alice.call('hush_accountInfo')).toEqual({ jsonrpc: '2.0', id: 1, result: { exists: false, unlocked: false } })
    expect((await alice.call('hush_friendList')).error).toEqual({ code: -32000, message: 'the messenger account is locked: unlock it first' })
    const aliceKey = (await alice.call('hush_accountCreate', 'alice pw')).result.publicKey
    const bobKey = (await bob.call('hush_accountCreate', 'bob pw')).result.publicKey
    expect(await alice.call('hush_accountLock')).toMatchObject({ result: true })
    expect((await alice.call('hush_accountUnlock', 'wrong')).error).toEqual({ code: -32000, message: 'wrong password (or the account file was altered)' })
    expect(await alice.call('hush_accountUnlock', 'alice pw')).toMatchObject({ result: { unlocked: true, publicKey: aliceKey } })
    expect(await alice.call('hush_friendAdd', 'Bob', bobKey)).toMatchObject({ result: { name: 'Bob', publicKey: bobKey } })
    expect(await alice.call('hush_friendRename', bobKey, 'Bobby')).toMatchObject({ result: { name: 'Bobby' } })
    expect(await alice.call('hush_friendList')).toMatchObject({ result: [{ name: 'Bobby', publicKey: bobKey }] })
    expect((await alice.call('hush_friendAdd', 'Bob', 'not a key')).error?.code).toBe(-32602)

    const aliceSub = (await alice.call('hush_subscribe', 'messenger')).result as string
    const bobSub = (await bob.call('hush_subscribe', 'messenger')).result as string
    expect(aliceSub).toMatch(/^0x[0-9a-f]{32}$/)
    const opened = (await alice.call('hush_open', bobKey)).result
    expect(opened).toMatchObject({ friend: bobKey, name: 'Bobby', role: 'opener', state: 'inviting' })
    expect((await alice.call('hush_send', opened.id, 'too soon')).error).toEqual({ code: -32000, message: `conversation ${opened.id}: the friend has not accepted the request yet` })

    // Alice is a stranger to Bob: a request, accepted over RPC.
    await waitFor(() => events(bob.notifications, bobSub, 'request').length === 1, 'the request notification')
    const [request] = events(bob.notifications, bobSub, 'request')
    expect(request.request).toMatchObject({ id: opened.id, from: aliceKey })
    expect(await bob.call('hush_requests')).toMatchObject({ result: [{ id: opened.id, from: aliceKey }] })
    expect(await bob.call('hush_accept', opened.id)).toMatchObject({ result: { id: opened.id, role: 'accepter' } })
    await waitFor(() => events(alice.notifications, aliceSub, 'open').length === 1 && events(bob.notifications, bobSub, 'open').length === 1, 'open on both sides')
    const [aliceList, bobList] = [(await alice.call('hush_conversations')).result, (await bob.call('hush_conversations')).result]
    expect(aliceList).toMatchObject([{ id: opened.id, state: 'open' }])
    expect(bobList).toMatchObject([{ id: opened.id, state: 'open', friend: aliceKey }])
    expect(aliceList[0].safetyNumber).toBe(bobList[0].safetyNumber)

    for (let i = 1; i <= 5; i++) {
      expect(await alice.call('hush_send', opened.id, `a${i}`)).toMatchObject({ result: i })
      expect(await bob.call('hush_send', opened.id, `b${i}`)).toMatchObject({ result: i })
    }
    await waitFor(() => events(bob.notifications, bobSub, 'message').length === 5 && events(alice.notifications, aliceSub, 'message').length === 5, 'the messages')
    await waitFor(() => events(alice.notifications, aliceSub, 'receipt').length === 5 && events(bob.notifications, bobSub, 'receipt').length === 5, 'the receipts')
    expect(events(bob.notifications, bobSub, 'message')).toEqual([1, 2, 3, 4, 5].map((seq) => ({ type: 'message', conversation: opened.id, seq, text: `a${seq}` })))
    expect(events(alice.notifications, aliceSub, 'message').map((m) => m.text)).toEqual(['b1', 'b2', 'b3', 'b4', 'b5'])
    const history = (await alice.call('hush_messages', opened.id)).result
    expect(history.filter((m: any) => m.direction === 'out')).toEqual([1, 2, 3, 4, 5].map((seq) => ({ direction: 'out', seq, text: `a${seq}`, atMs: expect.any(Number), state: 'delivered' })))
    expect(history.filter((m: any) => m.direction === 'in').map((m: any) => m.text)).toEqual(['b1', 'b2', 'b3', 'b4', 'b5'])

    expect(await alice.call('hush_close', opened.id)).toMatchObject({ result: true })
    await waitFor(() => events(bob.notifications, bobSub, 'close').length === 1, 'the close at Bob')
    expect(events(alice.notifications, aliceSub, 'close')).toEqual([{ type: 'close', conversation: opened.id, reason: 'local' }])
    expect(events(bob.notifications, bobSub, 'close')).toEqual([{ type: 'close', conversation: opened.id, reason: 'remote' }])
    expect((await alice.call('hush_send', opened.id, 'after')).error).toEqual({ code: -32000, message: `no conversation ${opened.id}` })
    expect(await alice.call('hush_unsubscribe', aliceSub)).toMatchObject({ result: true })
    expect((await alice.call('hush_subscribe', 'other')).error).toEqual({ code: -32000, message: 'no "other" subscription in hush namespace' })
  }, 60_000)
})
