/*
 * Batches (JSON-RPC 2.0 arrays): capped at geth's 1000 calls, run one call at a time with the
 * event loop turning between them, and dropped once the client is gone. The responsiveness
 * check runs 100 password derivations (65356 PBKDF2 rounds each) through a real node over HTTP.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { createHushNode } from '@hush/node'
import { describe, expect, it } from 'vitest'
import { MAX_BATCH_ITEMS } from '../src/constants.ts'
import { createDispatcher } from '../src/dispatcher.ts'
import type { CallContext } from '../src/methods.ts'
import { createRpcServer } from '../src/server.ts'
import { ID, fakeShh } from './fixtures/fake-shh.ts'

const http = (signal = new AbortController().signal): CallContext => ({ signal, subscriptions: undefined })
const versionCall = (id: number | undefined): unknown => ({ jsonrpc: '2.0', ...(id !== undefined && { id }), method: 'shh_version' })

describe('batch size cap (geth BatchRequestLimit)', () => {
  it('is 1000 calls', () => {
    expect(MAX_BATCH_ITEMS).toBe(1000)
  })

  it('answers 1000 calls, and refuses 1001 with one "batch too large" error carrying the first call id', async () => {
    const dispatcher = createDispatcher(fakeShh())
    const full = Array.from({ length: MAX_BATCH_ITEMS }, (_, i) => versionCall(i + 100))
    const answers = JSON.parse((await dispatcher.handle(JSON.stringify(full), http())) as string) as unknown[]
    expect(answers).toHaveLength(MAX_BATCH_ITEMS)
    expect(answers[999]).toEqual({ jsonrpc: '2.0', id: 1099, result: '6.0' })

    // geth: the first call's id (notifications have none), code -32600.
    const over = [versionCall(undefined), ...Array.from({ length: MAX_BATCH_ITEMS }, (_, i) => versionCall(i + 100))]
    expect(JSON.parse((await dispatcher.handle(JSON.stringify(over), http())) as string)).toEqual([
      { jsonrpc: '2.0', id: 100, error: { code: -32600, message: 'batch too large' } },
    ])
    const notifications = Array.from({ length: MAX_BATCH_ITEMS + 1 }, () => versionCall(undefined))
    expect(JSON.parse((await dispatcher.handle(JSON.stringify(notifications), http())) as string)).toEqual([
      { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'batch too large' } },
    ])
  })

  it('takes a smaller cap from init, and checks it', async () => {
    const dispatcher = createDispatcher(fakeShh(), { maxBatchItems: 2 })
    const out = await dispatcher.handle(JSON.stringify([versionCall(1), versionCall(2), versionCall(3)]), http())
    expect(JSON.parse(out as string)).toEqual([{ jsonrpc: '2.0', id: 1, error: { code: -32600, message: 'batch too large' } }])
    expect(() => createDispatcher(fakeShh(), { maxBatchItems: 0 })).toThrow(expect.objectContaining({ name: 'RangeError', message: 'init.maxBatchItems must be a positive integer' }))
    await expect(createRpcServer({ shh: fakeShh(), port: 0, maxBatchItems: 1.5 })).rejects.toThrow(
      expect.objectContaining({ name: 'RangeError', message: 'init.maxBatchItems must be a positive integer' }),
    )
  })
})

describe('running a batch', () => {
  it('lets timers run between calls', async () => {
    const shh = fakeShh()
    let calls = 0
    shh.newSymKey = () => {
      // Each call holds the thread 2 ms, so a 0 ms timer is due after the first one.
      const until = performance.now() + 2
      while (performance.now() < until);
      calls++
      return ID
    }
    let callsWhenTimerFired: number | undefined
    setTimeout(() => (callsWhenTimerFired = calls), 0)
    await createDispatcher(shh).handle(JSON.stringify(Array.from({ length: 20 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'shh_newSymKey' }))), http())
    // Without a yield the whole batch runs in microtasks, and the timer fires only after it.
    expect(calls).toBe(20)
    expect(callsWhenTimerFired).toBeDefined()
    expect(callsWhenTimerFired).toBeLessThan(20)
  })

  it('stops, and answers nothing, once the client is gone', async () => {
    const shh = fakeShh()
    const client = new AbortController()
    shh.newSymKey = () => {
      client.abort()
      return ID
    }
    const batch = [{ jsonrpc: '2.0', id: 1, method: 'shh_newSymKey' }, ...Array.from({ length: 5 }, (_, i) => versionCall(i + 2))]
    const hasSymKey = shh.hasSymKey
    expect(await createDispatcher(shh).handle(JSON.stringify([...batch, { jsonrpc: '2.0', id: 9, method: 'shh_hasSymKey', params: [ID] }]), http(client.signal))).toBeUndefined()
    expect(hasSymKey).not.toHaveBeenCalled()
  })

  it('keeps the event loop responsive through 100 password derivations on a real node over HTTP', async () => {
    const node = await createHushNode()
    const server = await createRpcServer({ shh: node.services.shh, port: 0 })
    const batch = Array.from({ length: 100 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'shh_generateSymKeyFromPassword', params: ['correct horse'] }))
    const delay = monitorEventLoopDelay({ resolution: 10 })
    try {
      delay.enable()
      const res = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(batch),
        signal: AbortSignal.timeout(60_000),
      })
      delay.disable()
      const answers = (await res.json()) as { id: number; result: string }[]
      expect(answers.map((a) => a.id)).toEqual(batch.map((c) => c.id))
      expect(new Set(answers.map((a) => a.result)).size).toBe(100)
      const key = node.services.shh.getSymKey(answers[0].result)
      expect(node.services.shh.getSymKey(answers[99].result)).toEqual(key)
      // Sync PBKDF2 in one run blocked the loop for the whole batch (~3 s here); now the longest
      // stall is a single call's bookkeeping plus scheduling noise.
      expect(delay.max / 1e6).toBeLessThan(200)
    } finally {
      delay.disable()
      await server.close()
      await node.stop()
    }
  })
})
