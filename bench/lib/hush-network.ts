/**
 * The "hush" router of the network bench: `createHushNode` nodes on the in-memory transport.
 * Messages enter through the public `shh.postEnvelope` (sealing at the nodes' minimum PoW
 * included) and are delivered where an app gets them: each node's `shh.subscribeEnvelopes` iterator.
 */
import { createHushNode, type HushNode, type WhisperInit } from '@hush/node'
import { memory } from '@libp2p/memory'
import { setMaxListeners } from 'node:events'
import type { BenchNetwork, NetworkPlan } from './bench-network.ts'
import { BENCH_TOPIC, BENCH_TTL_SECONDS, messageData, messageIndex } from './bench-message.ts'
import { sentByteCounter } from './byte-counter.ts'
import { connectTopology, degrees } from './connect-topology.ts'
import { waitUntil } from './wait-until.ts'

/**
 * Builds, connects and subscribes `plan.nodes` Hush nodes. `whisper` is merged over the bench's
 * own Whisper settings (minimum PoW = `plan.pow`). The degree keeper is off, so the topology stays
 * the plan's.
 */
export async function hushNetwork(plan: NetworkPlan, whisper: WhisperInit): Promise<BenchNetwork> {
  const counter = sentByteCounter('/shh/')
  const nodes: HushNode[] = []
  for (let i = 0; i < plan.nodes; i++) {
    nodes.push(
      await createHushNode({
        transports: [memory()],
        listen: [`/memory/bench-hush-${plan.runId}-${i}`],
        degree: false,
        whisper: { minPow: plan.pow, ...whisper },
        libp2p: { metrics: () => counter.metrics, connectionManager: { inboundConnectionThreshold: 1e6, maxConnections: 10_000 } },
      })
    )
  }
  await connectTopology(nodes, plan.edges)
  const expected = degrees(plan.nodes, plan.edges)
  await waitUntil(() => nodes.every((n, i) => n.services.shh.info().peers >= expected[i]), 60_000)
  const stopReading = new AbortController()
  setMaxListeners(Number.POSITIVE_INFINITY, stopReading.signal) // one listener per node's subscription
  for (const node of nodes) {
    const envelopes = node.services.shh.subscribeEnvelopes([BENCH_TOPIC], { signal: stopReading.signal })
    void (async () => {
      for await (const envelope of envelopes) if (!envelope.isOwn) plan.deliveries.receive(messageIndex(envelope.data))
    })().catch(() => {})
  }
  const data: Uint8Array[] = []
  const sum = (of: (node: HushNode) => number): number => nodes.reduce((total, node) => total + of(node), 0)
  return {
    publish(from, index) {
      data[index] ??= messageData(index, plan.envelopeBytes)
      plan.deliveries.sent(index)
      nodes[from].services.shh.postEnvelope({ topic: BENCH_TOPIC, data: data[index], ttlSeconds: BENCH_TTL_SECONDS }).catch(() => {})
    },
    bytesSent: counter.sent,
    duplicates: () => sum((n) => n.services.shh.info().duplicates),
    ownBytesCount: () => sum((n) => n.services.shh.info().traffic.bytesOut),
    async stop() {
      stopReading.abort()
      await Promise.all(nodes.map((n) => n.stop()))
    },
  }
}
