import { createRpcServer, type ShhApi } from '@hush/rpc'
import { describe, expect, it } from 'vitest'
import { RpcCallError, rpcCall, rpcCallIfServed } from '../src/rpc-client.ts'

const shh = { info: () => ({ memory: 0, envelopes: 0, minPow: 0.2, maxMessageSize: 1024 }), hasSymKey: () => false } as unknown as ShhApi

describe('rpcCallIfServed', () => {
  it('answers undefined for a method the node does not serve, the result for one it does, and throws other errors', async () => {
    const plain = await createRpcServer({ shh, port: 0 })
    const withInfo = await createRpcServer({ shh, port: 0, nodeInfo: () => ({ id: '12D3KooWSelf', addresses: [] }) })
    try {
      expect(await rpcCallIfServed({ url: plain.url }, 'hush_nodeInfo')).toBeUndefined()
      expect(await rpcCallIfServed({ url: withInfo.url }, 'hush_nodeInfo')).toEqual({ id: '12D3KooWSelf', addresses: [] })
      await expect(rpcCallIfServed({ url: plain.url }, 'shh_hasSymKey', [])).rejects.toMatchObject({ name: 'RpcCallError', code: -32602 })
      const err = await rpcCall({ url: plain.url }, 'hush_nodeInfo').catch((e: unknown) => e)
      expect(err).toBeInstanceOf(RpcCallError)
      expect(err).toMatchObject({ code: -32601, exitCode: 1, message: 'hush_nodeInfo failed: the method hush_nodeInfo does not exist/is not available (code -32601)' })
    } finally {
      await plain.close()
      await withInfo.close()
    }
  })
})
