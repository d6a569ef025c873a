/**
 * The "gossipsub" routers of the network bench: `@libp2p/gossipsub` on the same transport, Noise
 * and yamux as the Hush nodes, with `StrictNoSign` (message id = SHA-256 of the data, as Waku
 * relay runs it) or the library defaults (`StrictSign`). The message data is the same sealed
 * envelope a Hush node would send (bench-message.ts), sealed from the publish call.
 */
import { type GossipSub, gossipsub } from '@libp2p/gossipsub'
import type { BenchNetwork, NetworkPlan } from './bench-network.ts'
import { sealedMessage, sealedMessageIndex } from './bench-message.ts'
import { sentByteCounter } from './byte-counter.ts'
import { connectTopology, degrees } from './connect-topology.ts'
import { memoryNodes } from './memory-nodes.ts'
import { waitUntil } from './wait-until.ts'

const TOPIC = 'bench'
/** Heartbeats (1 s each) to wait once every node knows its neighbours' subscriptions: meshes form on them. */
const MESH_HEARTBEATS = 2

/** Builds, connects and subscribes `plan.nodes` gossipsub nodes, and waits for their meshes. */
export async function gossipsubNetwork(plan: NetworkPlan, signed: boolean): Promise<BenchNetwork> {
  const counter = sentByteCounter('/meshsub/')
  const pubsub = gossipsub({ ...(signed ? {} : { globalSignaturePolicy: 'StrictNoSign' as const }), allowPublishToZeroTopicPeers: true })
  const nodes = await memoryNodes<{ pubsub: GossipSub }>(plan, 'gossipsub', counter.metrics, { pubsub })
  await connectTopology(nodes, plan.edges)
  for (const node of nodes) {
    node.services.pubsub.subscribe(TOPIC)
    node.services.pubsub.addEventListener('message', (evt) => plan.deliveries.receive(sealedMessageIndex(evt.detail.data)))
  }
  const expected = degrees(plan.nodes, plan.edges)
  await waitUntil(() => nodes.every((n, i) => n.services.pubsub.getSubscribers(TOPIC).length >= expected[i]), 60_000)
  await new Promise((resolve) => setTimeout(resolve, MESH_HEARTBEATS * 1000))
  return {
    publish(from, index) {
      plan.deliveries.sent(index)
      sealedMessage(index, plan.envelopeBytes, plan.pow)
        .then((raw) => nodes[from].services.pubsub.publish(TOPIC, raw))
        .catch(() => {})
    },
    bytesSent: counter.sent,
    duplicates: () => undefined,
    ownBytesCount: () => undefined,
    async stop() {
      await Promise.all(nodes.map((n) => n.stop()))
    },
  }
}
