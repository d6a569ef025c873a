/**
 * `hush status` and `hush peers`: what a running node is connected to, through its RPC.
 */
import { formatPow } from '../format.ts'
import { type RpcTarget, rpcCall } from '../rpc-client.ts'

/** The ids of the peers the node exchanges envelopes with now. */
export function peerIds(target: RpcTarget): Promise<string[]> {
  return rpcCall<string[]>(target, 'hush_peers', [])
}

/** The lines of `hush status`: the RPC endpoint, peers (with a hint when none), pool and minimum PoW. */
export async function statusLines(target: RpcTarget): Promise<string[]> {
  const [peers, info] = await Promise.all([peerIds(target), rpcCall<{ messages: number; memory: number; minPow: number }>(target, 'shh_info', [])])
  return [
    `node: ${target.url}`,
    `peers: ${peers.length}${peers.length === 0 ? ' (isolated: nothing you post leaves this node; `hush start --bootstrap <address>` connects it)' : ''}`,
    `envelopes: ${info.messages} (${info.memory} bytes)`,
    `minimum PoW: ${formatPow(info.minPow)}`,
  ]
}
