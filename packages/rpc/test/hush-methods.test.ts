/*
 * The hush_ methods a browser app needs beside geth's shh_: the pool's messages for a catch-up
 * (on a real node) and the node's sealing-time estimate, with their malformed-params tables.
 */
import type { HushNode } from '@hush/node'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { createDispatcher } from '../src/dispatcher.ts'
import { parsePowQuery } from '../src/pow-estimate.ts'
import { type RpcServer, createRpcServer } from '../src/server.ts'
import { fakeShh } from './fixtures/fake-shh.ts'
import { startNodes, stopAll } from '../../node/test/fixtures/network.ts'

const ctx = { signal: new AbortController().signal, subscriptions: undefined }
const call = async (dispatcher: ReturnType<typeof createDispatcher>, method: string, params: unknown[]): Promise<{ result?: unknown; error?: { code: number; message: string } }> =>
  JSON.parse((await dispatcher.handle(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }), ctx)) as string)

describe('hush_pooledMessages', () => {
  let nodes: HushNode[] = []
  let server: RpcServer | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
    await stopAll(nodes)
    nodes = []
  })

  it('answers what the pool of a real node holds for the criteria, in the shh message shape, and the node sealing estimate', async () => {
    nodes = await startNodes(1, { whisper: { minPow: 0.001 } })
    server = await createRpcServer({ shh: (nodes[0] as HushNode).services.shh, port: 0 })
    const rpc = async (method: string, params: unknown[]): Promise<{ result?: unknown; error?: { code: number; message: string } }> =>
      (await (await fetch(server?.url as string, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })).json()) as {
        result?: unknown
        error?: { code: number; message: string }
      }
    const key = (await rpc('shh_newSymKey', [])).result as string
    for (const text of ['first', 'second']) {
      await rpc('shh_post', [{ symKeyID: key, topic: '0x01020304', payload: `0x${Buffer.from(text).toString('hex')}`, ttl: 60, powTarget: 0.001, powTime: 5 }])
    }
    const { result } = await rpc('hush_pooledMessages', [{ symKeyID: key, topics: ['0x01020304'] }])
    const messages = result as { payload: string; topic: string; hash: string; ttl: number }[]
    expect(messages.map((m) => Buffer.from(m.payload.slice(2), 'hex').toString()).sort()).toEqual(['first', 'second'])
    expect(messages[0]).toMatchObject({ topic: '0x01020304', ttl: 60, hash: expect.stringMatching(/^0x[0-9a-f]{64}$/) })
    expect((await rpc('hush_pooledMessages', [{ symKeyID: key, topics: ['0x0a0b0c0d'] }])).result).toEqual([])
    expect((await rpc('hush_pooledMessages', [{ symKeyID: 'f'.repeat(64), topics: ['0x01020304'] }])).error?.code).toBe(-32000)
    // The node's own sealing estimate, through the method a browser app draws its bar from.
    const estimate = (await rpc('hush_powEstimate', [{ sizeBytes: 400, ttl: 60, powTarget: 1 }])).result as { expectedMs: number; hashRate: number; workers: number }
    expect(estimate.expectedMs).toBeGreaterThan(0)
    expect(estimate.hashRate).toBeGreaterThan(0)
  })

  it('refuses criteria without exactly one key, as shh_newMessageFilter does', async () => {
    const dispatcher = createDispatcher(fakeShh())
    expect(await call(dispatcher, 'hush_pooledMessages', [{ topics: ['0x01020304'] }])).toMatchObject({ error: { code: -32000, message: 'specify either a symmetric or an asymmetric key' } })
    expect(await call(dispatcher, 'hush_pooledMessages', [])).toMatchObject({ error: { code: -32602 } })
  })
})

describe('hush_powEstimate', () => {
  it('answers the node sealing-time estimate (its sealEstimate) for the query given', async () => {
    const shh = fakeShh()
    const reply = await call(createDispatcher(shh), 'hush_powEstimate', [{ sizeBytes: 512, ttl: 60, powTarget: 2 }])
    expect(reply.result).toEqual({ expectedMs: 2000, medianMs: 1386, hashRate: 3e6, workers: 2 })
    expect(shh.sealEstimate).toHaveBeenCalledWith({ sizeBytes: 512, ttl: 60, powTarget: 2 })
  })

  it.each([
    [undefined, 'must be an object'],
    [null, 'missing value for required argument 0'],
    [[], 'must be an object'],
    [{}, 'sizeBytes must be an integer ≥ 1'],
    [{ sizeBytes: 0, ttl: 1, powTarget: 1 }, 'sizeBytes must be an integer ≥ 1'],
    [{ sizeBytes: 1.5, ttl: 1, powTarget: 1 }, 'sizeBytes must be an integer ≥ 1'],
    [{ sizeBytes: 10, ttl: 0, powTarget: 1 }, 'ttl must be an integer ≥ 1'],
    [{ sizeBytes: 10, ttl: '5', powTarget: 1 }, 'ttl must be an integer ≥ 1'],
    [{ sizeBytes: 10, ttl: 5, powTarget: -1 }, 'powTarget must be a number ≥ 0'],
    [{ sizeBytes: 10, ttl: 5, powTarget: Number.NaN }, 'powTarget must be a number ≥ 0'],
    [{ sizeBytes: 10, ttl: 5 }, 'powTarget must be a number ≥ 0'],
  ])('refuses %j with −32602 naming the field', async (query, text) => {
    const reply = await call(createDispatcher(fakeShh()), 'hush_powEstimate', query === undefined ? [] : [query])
    expect(reply.error?.code).toBe(-32602)
    if (query !== undefined) expect(reply.error?.message).toContain(text)
  })

  it('decodes every well-formed query and throws InvalidParamsError for anything else (property)', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        try {
          const q = parsePowQuery(value, 'argument 0')
          return Number.isInteger(q.sizeBytes) && q.sizeBytes >= 1 && Number.isInteger(q.ttl) && q.ttl >= 1 && q.powTarget >= 0
        } catch (err) {
          return (err as Error).name === 'InvalidParamsError'
        }
      })
    )
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1 << 24 }), fc.integer({ min: 1, max: 1 << 20 }), fc.double({ min: 0, max: 1e9, noNaN: true }), (sizeBytes, ttl, powTarget) => {
        expect(parsePowQuery({ sizeBytes, ttl, powTarget }, 'q')).toEqual({ sizeBytes, ttl, powTarget })
      })
    )
  })
})
