/*
 * geth bounds every seal by the post's `powTime` (spec §3.3: the nonce search runs while
 * now < start + powTime; with a target and powTime 0 it always fails). A huge `powTarget`
 * without `powTime` must therefore fail at once instead of sealing forever, and with `powTime`
 * it must fail when the time is up, with geth's error text. One real node behind the server.
 */
import { createHushNode, type HushNode } from '@hush/node'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type RpcServer, createRpcServer } from '../src/index.ts'

const HUGE_TARGET = 100_000 // about 30 leading zero bits: minutes of work

describe('shh_post sealing is bounded by powTime, as in geth', () => {
  let node: HushNode
  let server: RpcServer
  let symKeyID: string

  beforeEach(async () => {
    node = await createHushNode({ whisper: { minPow: 0.001 } })
    server = await createRpcServer({ shh: node.services.shh, port: 0 })
    symKeyID = node.services.shh.newSymKey()
  })

  afterEach(async () => {
    await server.close()
    await node.stop()
  })

  async function post(fields: Record<string, unknown>): Promise<{ result?: string; error?: { code: number; message: string } }> {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'shh_post', params: [{ symKeyID, topic: '0x01020304', payload: '0x01', ...fields }] }),
      signal: AbortSignal.timeout(10_000),
    })
    return (await res.json()) as { result?: string; error?: { code: number; message: string } }
  }

  it('fails at once, like geth, when a target needs work and powTime is absent or 0', async () => {
    for (const fields of [{ powTarget: HUGE_TARGET }, { powTarget: HUGE_TARGET, powTime: 0 }, {}]) {
      expect(await post(fields)).toEqual({
        jsonrpc: '2.0',
        id: 1,
        error: { code: -32000, message: 'failed to reach the PoW target, specified pow time (0 seconds) was insufficient' },
      })
    }
    expect(node.services.shh.info().envelopes).toBe(0)
  })

  it('gives up when powTime runs out, with geth text', async () => {
    const started = Date.now()
    expect(await post({ powTarget: HUGE_TARGET, powTime: 1 })).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: { code: -32000, message: 'failed to reach the PoW target, specified pow time (1 seconds) was insufficient' },
    })
    expect(Date.now() - started).toBeGreaterThanOrEqual(900)
    expect(node.services.shh.info().envelopes).toBe(0)
  })

  it('still posts when the target is reachable in time, or needs no work', async () => {
    expect((await post({ powTarget: 0.01, powTime: 5 })).result).toMatch(/^0x[0-9a-f]{64}$/)
    // A zero target is no work at all (geth), and minPow 0 accepts it.
    node.services.shh.setMinPoW(0)
    expect((await post({ powTarget: 0 })).result).toMatch(/^0x[0-9a-f]{64}$/)
    expect((await post({})).result).toMatch(/^0x[0-9a-f]{64}$/)
    expect(node.services.shh.info().envelopes).toBe(3)
  })
})
