/**
 * The "naive flood" router of the network bench (naive-flood.ts) on the same transport, Noise and
 * yamux as the Hush nodes, carrying the same sealed envelopes as gossipsub, sealed from the
 * publish call.
 */
import type { BenchNetwork, NetworkPlan } from './bench-network.ts'
import { sealedMessage, sealedMessageIndex } from './bench-message.ts'
import { sentByteCounter } from './byte-counter.ts'
import { connectTopology, degrees } from './connect-topology.ts'
import { memoryNodes } from './memory-nodes.ts'
import { type NaiveFlood, naiveFlood } from './naive-flood.ts'
import { waitUntil } from './wait-until.ts'

/** Builds and connects `plan.nodes` naive-flood nodes, and waits for every stream. */
export async function naiveNetwork(plan: NetworkPlan): Promise<BenchNetwork> {
  const counter = sentByteCounter('/naive-flood/')
  const nodes = await memoryNodes<{ flood: NaiveFlood }>(plan, 'naive', counter.metrics, { flood: naiveFlood() })
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
