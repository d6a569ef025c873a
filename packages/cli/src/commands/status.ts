/**
 * `hush status` and `hush peers`: what a running node is connected to, through its RPC.
 */
import type { RpcNodeInfo } from '@hush/rpc'
import { formatPow } from '../format.ts'
import { listeningLines } from '../listen-addresses.ts'
import { type RpcTarget, rpcCall, rpcCallIfServed } from '../rpc-client.ts'

/** The ids of the peers the node exchanges envelopes with now. */
export function peerIds(target: RpcTarget): Promise<string[]> {
  return rpcCall<string[]>(target, 'hush_peers', [])
}

/**
 * The lines of `hush status`: the RPC endpoint, the node's peer id and the addresses other nodes
 * dial, peers (with a hint when none), pool and minimum PoW.
 */
export async function statusLines(target: RpcTarget): Promise<string[]> {
  const [self, peers, info] = await Promise.all([rpcCallIfServed<RpcNodeInfo>(target, 'hush_nodeInfo'), peerIds(target), rpcCall<{ messages: number; memory: number; minPow: number }>(target, 'shh_info', [])])
  return [
    `node: ${target.url}`,
    ...(self === undefined ? [] : [`peer id: ${self.id}`, ...listeningLines(self.addresses)]),
    `peers: ${peers.length}${peers.length === 0 ? ' (isolated: nothing you post leaves this node; `hush start --bootstrap <address>` connects it)' : ''}`,
    `envelopes: ${info.messages} (${info.memory} bytes)`,
    `minimum PoW: ${formatPow(info.minPow)}`,
  ]
}
