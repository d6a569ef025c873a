/*
 * The README's usage example, run as a test. The code between the markers must appear verbatim
 * (dedented) in README.md, so the two cannot drift apart.
 */
import { readFileSync } from 'node:fs'
import { createHushNode } from '@hush/node'
import { createRpcServer } from '@hush/rpc'
import { describe, expect, it } from 'vitest'

describe('README example', () => {
  it('runs, and README.md shows exactly this code', async () => {
    // README:begin
    const node = await createHushNode({ whisper: { minPow: 0.001 } })
    const rpc = await createRpcServer({ shh: node.services.shh, port: 0, token: 'change-me' })

    // Any JSON-RPC client works: web3-shh (`new Shh(rpc.url)`), geth's shhclient, curl, or fetch.
    const call = async (method: string, ...params: unknown[]): Promise<any> => {
      const res = await fetch(rpc.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer change-me' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
      })
      const body = (await res.json()) as { result?: any; error?: { message: string } }
      if (body.error !== undefined) throw new Error(body.error.message)
      return body.result
    }

    const symKeyID = await call('shh_newSymKey')
    const filter = await call('shh_newMessageFilter', { symKeyID, topics: ['0x12345678'] })
    const hash = await call('shh_post', { symKeyID, topic: '0x12345678', payload: '0x68656c6c6f', ttl: 30, powTarget: 0.01, powTime: 5 })
    const messages = await call('shh_getFilterMessages', filter) // [{ hash, payload: '0x68656c6c6f', … }]

    await rpc.close()
    await node.stop()
    // README:end

    expect(messages).toHaveLength(1)
    expect(messages[0]).toMatchObject({ hash, payload: '0x68656c6c6f', topic: '0x12345678', ttl: 30 })

    const source = readFileSync(new URL(import.meta.url), 'utf8')
    const region = source.slice(source.indexOf('// README:begin\n') + 16, source.indexOf('    // README:end'))
    const dedented = region.replace(/^ {4}/gm, '')
    expect(dedented).toContain('createRpcServer({ shh: node.services.shh')
    expect(readFileSync(new URL('../README.md', import.meta.url), 'utf8')).toContain(dedented)
  })
})
