/**
 * `hush_nodeInfo`: who the node is and where others can reach it, for clients that keep state per
 * node (`hush keys`) or show it (`hush status`). Served when the server is given the node's
 * identity; the `ShhApi` itself knows nothing of libp2p.
 */
import type { MethodHandler } from './methods.ts'
import { InvalidParamsError } from './errors.ts'

/** What `hush_nodeInfo` answers. */
export interface RpcNodeInfo {
  /** The node's libp2p peer id. */
  id: string
  /** The multiaddrs it listens on, with `/p2p/<id>`: what another node passes to `--bootstrap`. */
  addresses: readonly string[]
}

/** The `hush_nodeInfo` method over `nodeInfo`. */
export function nodeInfoMethods(nodeInfo: () => RpcNodeInfo): Readonly<Record<string, MethodHandler>> {
  return {
    hush_nodeInfo: (_shh, params) => {
      if (params.length > 0) throw new InvalidParamsError('too many arguments, want at most 0')
      const { id, addresses } = nodeInfo()
      return { id, addresses: [...addresses] }
    },
  }
}
