/**
 * The "naive flood" router of the network bench (naive-flood.ts) on the same transport, Noise and
 * yamux as the Hush nodes, carrying the same sealed envelopes as gossipsub, sealed from the
 * publish call.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { identify } from '@libp2p/identify'
import type { Libp2p } from '@libp2p/interface'
import { memory } from '@libp2p/memory'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import type { BenchNetwork, NetworkPlan } from './bench-network.ts'
import { sealedMessage, sealedMessageIndex } from './bench-message.ts'
import { sentByteCounter } from './byte-counter.ts'
import { connectTopology, degrees } from './connect-topology.ts'
import { type NaiveFlood, naiveFlood } from './naive-flood.ts'
import { waitUntil } from './wait-until.ts'

/** Builds and connects `plan.nodes` naive-flood nodes, and waits for every stream. */
export async function naiveNetwork(plan: NetworkPlan): Promise<BenchNetwork> {
  const counter = sentByteCounter('/naive-flood/')
  const nodes: Array<Libp2p<{ flood: NaiveFlood }>> = []
  for (let i = 0; i < plan.nodes; i++) {
    nodes.push(
      await createLibp2p({
        addresses: { listen: [`/memory/bench-naive-${plan.runId}-${i}`] },
        transports: [memory()],
        connectionEncrypters: [noise()],
        streamMuxers: [yamux()],
        metrics: () => counter.metrics,
        connectionManager: { inboundConnectionThreshold: 1e6, maxConnections: 10_000 },
        services: { identify: identify(), flood: naiveFlood() },
      })
    )
  }
  for (const node of nodes) node.services.flood.onMessage = (raw) => plan.deliveries.receive(sealedMessageIndex(raw))
  await connectTopology(nodes, plan.edges)
  const expected = degrees(plan.nodes, plan.edges)
  await waitUntil(() => nodes.every((n, i) => n.services.flood.peers >= expected[i]), 60_000)
  return {
    publish(from, index) {
      plan.deliveries.sent(index)
      sealedMessage(index, plan.envelopeBytes, plan.pow)
        .then((raw) => nodes[from].services.flood.publish(raw))
        .catch(() => {})
    },
    bytesSent: counter.sent,
    duplicates: () => nodes.reduce((total, n) => total + n.services.flood.duplicates, 0),
    ownBytesCount: () => undefined,
    async stop() {
      await Promise.all(nodes.map((n) => n.stop()))
    },
  }
}
