/**
 * The kinds of node the model compares (issue 16): a full Hush flood node, gossipsub with one topic
 * and with the traffic spread over topic meshes, a flood split into shards, and a Hush light node
 * behind a bloom filter. Each is a {@link NodeCostModel} built from the measured per-delivery costs,
 * plus the overlay an envelope crosses (for hop counts).
 */
import { CHANGES, GOSSIPSUB_CACHE_SECONDS } from './assumptions.ts'
import { bloomFalsePositiveRate } from './bloom.ts'
import { type NodeCostModel, carryAll, carryBloom, carryParts } from './load.ts'
import type { MeasuredInputs } from './measured.ts'
import { bytesPerDelivery, type Derived, hushCpuPerDelivery, scaledCpuPerDelivery, wireBytes } from './per-delivery.ts'

/** One kind of node, ready for {@link nodeLoad}. */
export interface Variant {
  /** Name in the tables. */
  name: string
  /** The closed-form cost model. */
  model: NodeCostModel
  /** Nodes in the overlay an envelope crosses (a shard's, a topic mesh's), for hop counts. */
  overlayNodes: (nodes: number) => number
  /** Hops added outside that overlay (a light node's last hop from its full peer). */
  extraHops: number
  /** Which router's per-hop processing applies. */
  router: 'hush' | 'gossipsub-nosign'
  /** Where the bytes per delivery came from. */
  bytesSource: string
}

/** Everything the variants need: measured inputs, data size, degree and the per-user rate. */
export interface VariantInputs {
  /** measured.json plus the network bench's points. */
  inputs: MeasuredInputs
  /** Envelope data bytes. */
  dataBytes: number
  /** Overlay degree. */
  degree: number
  /** Envelopes per second per user (the light node's own traffic depends on it). */
  perUserRate: number
}

/**
 * The variants, in table order.
 * @throws {Error} when a router's bytes per delivery cannot be found or derived
 */
export function buildVariants({ inputs, dataBytes, degree, perUserRate }: VariantInputs): Variant[] {
  const wire = wireBytes(inputs, dataBytes)
  const memory = inputs.costs.poolMemoryPerRawByte.value
  const ttl = inputs.costs.ttlSeconds.value
  const hushBytes = bytesPerDelivery(inputs, 'hush', dataBytes, degree)
  const gossipBytes = bytesPerDelivery(inputs, 'gossipsub-nosign', dataBytes, degree)
  const hushCpu = hushCpuPerDelivery(inputs, hushBytes.value / wire)
  const gossipCpu = scaledCpuPerDelivery(inputs, 'gossipsub-nosign', hushCpu)
  const flood = (carriedRate: (g: number) => number, bytes: Derived, cpu: Derived): NodeCostModel => ({
    carriedRate,
    bytesPerDelivery: bytes.value,
    uploadBytesPerDelivery: bytes.value,
    cpuUsPerDelivery: cpu.value,
    holdSeconds: ttl,
    wireBytes: wire,
    memoryPerRawByte: memory,
  })
  const gossip = (carriedRate: (g: number) => number): NodeCostModel => ({ ...flood(carriedRate, gossipBytes, gossipCpu), holdSeconds: GOSSIPSUB_CACHE_SECONDS })
  const { gossipTopics: topics, gossipTopicsSubscribed: subscribed, shards, shardsJoined, lightTopics, lightFanIn, lightFullPeers } = CHANGES
  const light: NodeCostModel = {
    carriedRate: carryBloom(perUserRate * lightFanIn, bloomFalsePositiveRate(lightTopics)),
    // Each full peer may send every matching envelope; no notices are assumed on the light link.
    bytesPerDelivery: wire * lightFullPeers,
    // A light node relays nothing: it uploads its own envelopes, one to each full peer.
    uploadBytesPerDelivery: (wire * lightFullPeers) / lightFanIn,
    cpuUsPerDelivery: hushCpuPerDelivery(inputs, lightFullPeers).value,
    holdSeconds: ttl,
    wireBytes: wire,
    memoryPerRawByte: memory,
  }
  return [
    { name: 'Hush full flood', model: flood(carryAll, hushBytes, hushCpu), overlayNodes: (n) => n, extraHops: 0, router: 'hush', bytesSource: hushBytes.source },
    { name: 'gossipsub, 1 topic', model: gossip(carryAll), overlayNodes: (n) => n, extraHops: 0, router: 'gossipsub-nosign', bytesSource: gossipBytes.source },
    {
      name: `gossipsub, ${topics} topics (${subscribed} joined)`,
      model: gossip(carryParts(subscribed, topics)),
      overlayNodes: (n) => Math.max(3, Math.round((n * subscribed) / topics)),
      extraHops: 0,
      router: 'gossipsub-nosign',
      bytesSource: gossipBytes.source,
    },
    ...shards.map(
      (s): Variant => ({
        name: `Hush flood, ${s} shards (${shardsJoined} joined)`,
        model: flood(carryParts(shardsJoined, s), hushBytes, hushCpu),
        overlayNodes: (n) => Math.max(3, Math.round(n / s)),
        extraHops: 0,
        router: 'hush',
        bytesSource: hushBytes.source,
      })
    ),
    {
      name: `Hush light node (bloom, ${lightTopics} topics)`,
      model: light,
      overlayNodes: (n) => n,
      extraHops: 1,
      router: 'hush',
      bytesSource: `${lightFullPeers} copies × ${wire} B (stated)`,
    },
  ]
}
