import { describe, expect, it } from 'vitest'
import { createDispatcher } from '../src/dispatcher.ts'
import type { CallContext } from '../src/methods.ts'
import { SubscriptionSet } from '../src/subscriptions.ts'
import { fakeShh, ID, MESSAGE } from './fixtures/fake-shh.ts'

const http: CallContext = { signal: new AbortController().signal, subscriptions: undefined }

async function call(shh: ReturnType<typeof fakeShh>, method: string, params: unknown[] = [], ctx: CallContext = http): Promise<unknown> {
  const out = await createDispatcher(shh).handle(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }), ctx)
  return JSON.parse(out as string)
}

const ok = (result: unknown): unknown => ({ jsonrpc: '2.0', id: 1, result })
const err = (code: number, message: string): unknown => ({ jsonrpc: '2.0', id: 1, error: { code, message } })

describe('dispatcher: methods', () => {
  it('serves version, info and the settings', async () => {
    const shh = fakeShh()
    expect(await call(shh, 'shh_version')).toEqual(ok('6.0'))
    expect(await call(shh, 'shh_info')).toEqual(ok({ memory: 512, messages: 2, minPow: 0.2, maxMessageSize: 1 << 20 }))
    expect(await call(shh, 'net_peerCount')).toEqual(ok('0x2'))
    expect(await call(shh, 'hush_peers')).toEqual(ok(['12D3KooWPeerA', '12D3KooWPeerB']))
    expect(await call(shh, 'shh_setMinPoW', [0.5])).toEqual(ok(true))
    expect(shh.setMinPoW).toHaveBeenCalledWith(0.5)
    expect(await call(shh, 'shh_setMaxMessageSize', [4096])).toEqual(ok(true))
    expect(shh.setMaxMessageSize).toHaveBeenCalledWith(4096)
    expect(await call(shh, 'shh_setBloomFilter', [`0x${'ff'.repeat(64)}`])).toEqual(ok(true))
    expect(shh.setBloomFilter).toHaveBeenCalledWith(new Uint8Array(64).fill(0xff))
    expect(await call(shh, 'shh_markTrustedPeer', ['12D3KooW'])).toEqual(ok(true))
    expect(shh.markTrustedPeer).toHaveBeenCalledWith('12D3KooW')
  })

  it('serves the key methods with hex keys and bare ids', async () => {
    const shh = fakeShh()
    expect(await call(shh, 'shh_newKeyPair')).toEqual(ok(ID))
    expect(await call(shh, 'shh_addPrivateKey', ['0x01'])).toEqual(ok(ID))
    expect(shh.addPrivateKey).toHaveBeenCalledWith(Uint8Array.of(1))
    expect(await call(shh, 'shh_hasKeyPair', ['nope'])).toEqual(ok(false))
    expect(await call(shh, 'shh_getPublicKey', [ID])).toEqual(ok('0x040102'))
    expect(await call(shh, 'shh_getPrivateKey', [ID])).toEqual(ok('0x09'))
    expect(await call(shh, 'shh_deleteKeyPair', [ID])).toEqual(ok(true))
    expect(await call(shh, 'shh_deleteKeyPair', ['nope'])).toEqual(err(-32000, 'key pair nope not found'))
    expect(await call(shh, 'shh_newSymKey')).toEqual(ok(ID))
    expect(await call(shh, 'shh_generateSymKeyFromPassword', ['pw'])).toEqual(ok(ID))
    expect(shh.generateSymKeyFromPasswordAsync).toHaveBeenCalledWith('pw', { signal: http.signal })
    expect(await call(shh, 'shh_getSymKey', [ID])).toEqual(ok(`0x${'07'.repeat(32)}`))
    expect(await call(shh, 'shh_hasSymKey', [ID])).toEqual(ok(true))
    expect(await call(shh, 'shh_deleteSymKey', [ID])).toEqual(ok(true))
    expect(await call(shh, 'shh_deleteSymKey', [ID])).toEqual(ok(false))
  })

  it('passes node errors through as -32000 with their message', async () => {
    const shh = fakeShh()
    expect(await call(shh, 'shh_getSymKey', ['0011'])).toEqual(err(-32000, 'no symmetric key with id 0011'))
    expect(await call(shh, 'shh_addSymKey', ['0x01'])).toEqual(err(-32000, 'key must be 32 bytes'))
    expect(await call(shh, 'shh_setMinPoW', [-1])).toEqual(err(-32000, 'pow must be a finite number ≥ 0'))
  })

  it('posts with decoded params and returns the hash', async () => {
    const shh = fakeShh()
    const body = { symKeyID: ID, sig: ID, ttl: 10, topic: '0xdeadbeef', payload: '0x68656c6c6f', powTime: 3, powTarget: 0.5 }
    expect(await call(shh, 'shh_post', [body])).toEqual(ok(`0x${'11'.repeat(32)}`))
    expect(shh.post).toHaveBeenCalledWith(
      { symKeyID: ID, sig: ID, ttl: 10, topic: Uint8Array.of(0xde, 0xad, 0xbe, 0xef), payload: new TextEncoder().encode('hello'), powTime: 3, powTarget: 0.5 },
      { signal: http.signal },
    )
  })

  it('always bounds the seal by powTime, the target defaulting to the node minimum (geth spec §3.3)', async () => {
    const shh = fakeShh()
    const insufficient = (seconds: number): unknown => err(-32000, `failed to reach the PoW target, specified pow time (${seconds} seconds) was insufficient`)
    const base = { symKeyID: ID, topic: '0x01020304', payload: '0x01' }
    expect(await call(shh, 'shh_post', [base])).toEqual(insufficient(0))
    expect(await call(shh, 'shh_post', [{ ...base, powTarget: 1e9, powTime: 0 }])).toEqual(insufficient(0))
    expect(shh.post).not.toHaveBeenCalled()
    await call(shh, 'shh_post', [{ ...base, powTime: 7 }])
    expect(shh.post).toHaveBeenLastCalledWith(expect.objectContaining({ powTarget: 0.2, powTime: 7 }), { signal: http.signal })
    // A zero target is no work: nothing to bound.
    await call(shh, 'shh_post', [{ ...base, powTarget: 0 }])
    expect(shh.post).toHaveBeenLastCalledWith(expect.not.objectContaining({ powTime: expect.anything() }), { signal: http.signal })
    shh.post = async () => {
      throw Object.assign(new Error('Failed to reach the PoW target'), { name: 'PowTargetNotReachedError' })
    }
    expect(await call(shh, 'shh_post', [{ ...base, powTime: 2 }])).toEqual(insufficient(2))
  })

  it('refuses posts the way geth does', async () => {
    const shh = fakeShh()
    const noKey = err(-32000, 'specify either a symmetric or an asymmetric key')
    expect(await call(shh, 'shh_post', [{ payload: '0x01', topic: '0x01020304' }])).toEqual(noKey)
    expect(await call(shh, 'shh_post', [{ symKeyID: ID, pubKey: '0x04', payload: '0x01', topic: '0x01020304' }])).toEqual(noKey)
    expect(await call(shh, 'shh_post', [{ symKeyID: ID, payload: '0x01' }])).toEqual(err(-32000, 'missing topic(s)'))
    expect(await call(shh, 'shh_post', [{ symKeyID: ID, payload: '0x01', topic: '0x00000000' }])).toEqual(err(-32000, 'missing topic(s)'))
    expect(await call(shh, 'shh_post', [{ symKeyID: ID, payload: 'hello', topic: '0x01020304' }])).toEqual(err(-32602, 'invalid argument 0: payload: hex string without 0x prefix'))
    expect(shh.post).not.toHaveBeenCalled()
  })

  it('installs, drains and deletes filters', async () => {
    const shh = fakeShh()
    shh.getFilterMessages = () => [MESSAGE]
    expect(await call(shh, 'shh_newMessageFilter', [{ symKeyID: ID, topics: ['0x01020304'] }])).toEqual(ok(ID))
    expect(shh.newMessageFilter).toHaveBeenCalledWith({ symKeyID: ID, topics: [Uint8Array.of(1, 2, 3, 4)] })
    expect(await call(shh, 'shh_newMessageFilter', [{ topics: [] }])).toEqual(err(-32000, 'specify either a symmetric or an asymmetric key'))
    expect(await call(shh, 'shh_getFilterMessages', [ID])).toEqual(
      ok([{ ttl: 30, timestamp: 1_700_000_000, topic: '0x01020304', payload: '0x6869', padding: '0x00', pow: 1.5, hash: `0x${'cd'.repeat(32)}` }]),
    )
    expect(await call(shh, 'shh_deleteMessageFilter', [ID])).toEqual(ok(true))
  })
})

describe('dispatcher: JSON-RPC errors', () => {
  it('answers an unknown method with -32601 and geth text', async () => {
    expect(await call(fakeShh(), 'shh_nope')).toEqual(err(-32601, 'the method shh_nope does not exist/is not available'))
    expect(await call(fakeShh(), 'constructor')).toEqual(err(-32601, 'the method constructor does not exist/is not available'))
    expect(await call(fakeShh(), 'shh_makeLightClient')).toEqual(err(-32601, 'the method shh_makeLightClient does not exist/is not available'))
  })

  it('answers undecodable params with -32602', async () => {
    const shh = fakeShh()
    expect(await call(shh, 'shh_hasKeyPair', [])).toEqual(err(-32602, 'missing value for required argument 0'))
    expect(await call(shh, 'shh_hasKeyPair', [1])).toEqual(err(-32602, 'invalid argument 0: expected a string, got number'))
    expect(await call(shh, 'shh_newKeyPair', [1])).toEqual(err(-32602, 'too many arguments, want at most 0'))
    expect(await call(shh, 'shh_setMaxMessageSize', ['1'])).toEqual(err(-32602, 'invalid argument 0: expected an integer in [0, 4294967295], got string "1"'))
    expect(await call(shh, 'shh_addSymKey', ['abc'])).toEqual(err(-32602, 'invalid argument 0: hex string without 0x prefix'))
    const byName = await createDispatcher(shh).handle('{"jsonrpc":"2.0","id":1,"method":"shh_hasKeyPair","params":{"id":"x"}}', http)
    expect(JSON.parse(byName as string)).toEqual(err(-32602, 'non-array args'))
  })

  it('answers malformed JSON and invalid requests', async () => {
    const d = createDispatcher(fakeShh())
    expect(JSON.parse((await d.handle('{', http)) as string)).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } })
    expect(JSON.parse((await d.handle('{"id":4,"method":"shh_version"}', http)) as string)).toEqual({
      jsonrpc: '2.0',
      id: 4,
      error: { code: -32600, message: 'invalid request: jsonrpc must be "2.0"' },
    })
  })

  it('runs batches in order and answers nothing for notifications', async () => {
    const shh = fakeShh()
    const d = createDispatcher(shh)
    const batch = [
      { jsonrpc: '2.0', id: 1, method: 'shh_version' },
      { jsonrpc: '2.0', method: 'shh_setMinPoW', params: [1] },
      { jsonrpc: '2.0', id: 2, method: 'shh_nope' },
      5,
    ]
    expect(JSON.parse((await d.handle(JSON.stringify(batch), http)) as string)).toEqual([
      { jsonrpc: '2.0', id: 1, result: '6.0' },
      { jsonrpc: '2.0', id: 2, error: { code: -32601, message: 'the method shh_nope does not exist/is not available' } },
      { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'invalid request: not an object' } },
    ])
    expect(shh.setMinPoW).toHaveBeenCalledWith(1)
    expect(await d.handle('{"jsonrpc":"2.0","method":"shh_version"}', http)).toBeUndefined()
    expect(await d.handle('[{"jsonrpc":"2.0","method":"shh_version"}]', http)).toBeUndefined()
  })
})

describe('dispatcher: subscriptions', () => {
  it('refuses shh_subscribe without a notification transport', async () => {
    expect(await call(fakeShh(), 'shh_subscribe', ['messages', { symKeyID: ID, topics: ['0x01020304'] }])).toEqual(err(-32000, 'notifications not supported'))
    expect(await call(fakeShh(), 'shh_unsubscribe', ['0x01'])).toEqual(err(-32000, 'notifications not supported'))
  })

  it('subscribes, notifies only once the scope starts, and unsubscribes', async () => {
    const shh = fakeShh()
    const sent: unknown[] = []
    let delivered: (() => void) | undefined
    const subscriptions = new SubscriptionSet((text) => {
      sent.push(JSON.parse(text))
      delivered?.()
    })
    const scope = subscriptions.scope()
    const ctx: CallContext = { signal: new AbortController().signal, subscriptions: scope }
    const reply = (await call(shh, 'shh_subscribe', ['messages', { symKeyID: ID, topics: ['0x01020304'] }], ctx)) as { result: string }
    expect(reply.result).toMatch(/^0x[0-9a-f]{32}$/)
    expect(shh.live.size).toBe(1)
    const arrived = new Promise<void>((r) => (delivered = r))
    shh.push(MESSAGE)
    await new Promise((r) => setImmediate(r))
    expect(sent).toEqual([]) // held until the response with the id has gone out
    scope.start()
    await arrived
    expect(sent).toEqual([
      {
        jsonrpc: '2.0',
        method: 'shh_subscription',
        params: { subscription: reply.result, result: { ttl: 30, timestamp: 1_700_000_000, topic: '0x01020304', payload: '0x6869', padding: '0x00', pow: 1.5, hash: `0x${'cd'.repeat(32)}` } },
      },
    ])
    expect(await call(shh, 'shh_unsubscribe', [reply.result], ctx)).toEqual(ok(true))
    expect(shh.live.size).toBe(0)
    expect(await call(shh, 'shh_unsubscribe', [reply.result], ctx)).toEqual(err(-32000, 'subscription not found'))
  })

  it('refuses subscriptions geth refuses', async () => {
    const shh = fakeShh()
    const subscriptions = new SubscriptionSet(() => undefined)
    const ctx: CallContext = { signal: new AbortController().signal, subscriptions: subscriptions.scope() }
    expect(await call(shh, 'shh_subscribe', ['messages', { symKeyID: ID }], ctx)).toEqual(err(-32000, 'missing topic(s)'))
    expect(await call(shh, 'shh_subscribe', ['logs', { symKeyID: ID, topics: ['0x01020304'] }], ctx)).toEqual(err(-32000, 'no "logs" subscription in shh namespace'))
    expect(await call(shh, 'shh_subscribe', ['messages', { symKeyID: 'x', topics: ['0x01020304'] }], ctx)).toEqual(err(-32000, 'no symmetric key with id x'))
    expect(await call(shh, 'shh_subscribe', ['messages'], ctx)).toEqual(err(-32602, 'missing value for required argument 1'))
    expect(subscriptions.size).toBe(0)
  })

  it('caps the subscriptions of a connection', async () => {
    const shh = fakeShh()
    const subscriptions = new SubscriptionSet(() => undefined, 2)
    const ctx: CallContext = { signal: new AbortController().signal, subscriptions: subscriptions.scope() }
    const params = ['messages', { symKeyID: ID, topics: ['0x01020304'] }]
    await call(shh, 'shh_subscribe', params, ctx)
    const second = (await call(shh, 'shh_subscribe', params, ctx)) as { result: string }
    expect(await call(shh, 'shh_subscribe', params, ctx)).toEqual(err(-32000, 'too many subscriptions (at most 2 per connection)'))
    expect(shh.live.size).toBe(2)
    await call(shh, 'shh_unsubscribe', [second.result], ctx)
    expect(await call(shh, 'shh_subscribe', params, ctx)).toMatchObject({ result: expect.stringMatching(/^0x/) })
    subscriptions.close()
    expect(await call(shh, 'shh_subscribe', params, ctx)).toEqual(err(-32000, 'the connection is closed'))
    expect(shh.live.size).toBe(0)
  })

  it('ends every subscription when the connection closes', async () => {
    const shh = fakeShh()
    const subscriptions = new SubscriptionSet(() => undefined)
    const scope = subscriptions.scope()
    const ctx: CallContext = { signal: new AbortController().signal, subscriptions: scope }
    await call(shh, 'shh_subscribe', ['messages', { symKeyID: ID, topics: ['0x01020304'] }], ctx)
    await call(shh, 'shh_subscribe', ['messages', { privateKeyID: ID }], ctx)
    scope.start()
    expect(subscriptions.size).toBe(2)
    expect(shh.live.size).toBe(2)
    subscriptions.close()
    expect(shh.live.size).toBe(0)
    expect(subscriptions.size).toBe(0)
  })
})

describe('hush_nodeInfo', () => {
  const ctx = { signal: new AbortController().signal, subscriptions: undefined }
  it('answers the node id and addresses when the dispatcher is given nodeInfo, and is −32601 without it', async () => {
    const addresses = ['/ip4/10.0.0.1/tcp/4001/p2p/12D3KooWSelf']
    const served = createDispatcher(fakeShh(), { nodeInfo: () => ({ id: '12D3KooWSelf', addresses }) })
    expect(JSON.parse((await served.handle('{"jsonrpc":"2.0","id":1,"method":"hush_nodeInfo","params":[]}', ctx)) as string)).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: { id: '12D3KooWSelf', addresses },
    })
    expect(JSON.parse((await served.handle('{"jsonrpc":"2.0","id":2,"method":"hush_nodeInfo","params":[1]}', ctx)) as string).error.code).toBe(-32602)
    const plain = createDispatcher(fakeShh())
    expect(JSON.parse((await plain.handle('{"jsonrpc":"2.0","id":3,"method":"hush_nodeInfo","params":[]}', ctx)) as string).error.code).toBe(-32601)
  })

  it('refuses a nodeInfo that is not a function', () => {
    expect(() => createDispatcher(fakeShh(), { nodeInfo: 'x' as never })).toThrow(new TypeError('init.nodeInfo must be a function'))
  })
})
