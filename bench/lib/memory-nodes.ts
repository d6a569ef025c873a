/**
 * The libp2p nodes of the network bench's non-Hush routers: the in-memory transport, Noise and
 * yamux, as the Hush nodes have (bench-network.ts), with identify and the router's own services.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { identify } from '@libp2p/identify'
import type { Libp2p, Metrics, ServiceMap } from '@libp2p/interface'
import { memory } from '@libp2p/memory'
import { yamux } from '@libp2p/yamux'
import { createLibp2p, type ServiceFactoryMap } from 'libp2p'
import type { NetworkPlan } from './bench-network.ts'

/** Starts `plan.nodes` nodes listening on `/memory/bench-<label>-<run>-<i>`, unconnected. */
export async function memoryNodes<S extends ServiceMap>(plan: NetworkPlan, label: string, metrics: Metrics, services: ServiceFactoryMap<S>): Promise<Array<Libp2p<S>>> {
  const nodes: Array<Libp2p<S>> = []
  for (let i = 0; i < plan.nodes; i++) {
    nodes.push(
      (await createLibp2p({
        addresses: { listen: [`/memory/bench-${label}-${plan.runId}-${i}`] },
        transports: [memory()],
        connectionEncrypters: [noise()],
        streamMuxers: [yamux()],
        metrics: () => metrics,
        connectionManager: { inboundConnectionThreshold: 1e6, maxConnections: 10_000 },
        services: { identify: identify(), ...services } as ServiceFactoryMap,
      })) as unknown as Libp2p<S>
    )
  }
  return nodes
}
