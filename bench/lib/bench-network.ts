/**
 * What the network bench needs of a router's network: publish, count bytes, stop. One
 * implementation per router (hush-network.ts, gossipsub-network.ts, naive-network.ts), each built
 * on the same topology and fed the same messages.
 */
import { randomRegularish } from '../../packages/node/test/fixtures/topology.ts'
import type { DeliveryTracker } from './delivery-tracker.ts'

/** Average degree of every bench topology. */
export const BENCH_DEGREE = 6
/** Seed of every bench topology: every router of a comparison runs on the same graph. */
export const BENCH_SEED = 42
/** Senders rotate by this stride (a prime, so any node count is covered unless a multiple of it). */
const SENDER_STRIDE = 7919

/** The bench topology of `nodes` nodes (`randomRegularish`, {@link BENCH_DEGREE}, {@link BENCH_SEED}). */
export function benchEdges(nodes: number): [number, number][] {
  return randomRegularish(nodes, BENCH_DEGREE, BENCH_SEED)
}

/** The node that publishes message `index` in a network of `nodes`. */
export function senderOf(index: number, nodes: number): number {
  return (index * SENDER_STRIDE) % nodes
}

/** How to build one network. */
export interface NetworkPlan {
  /** Nodes. */
  nodes: number
  /** Edges to dial, `[a, b]` dials from `a` to `b`. */
  edges: readonly (readonly [number, number])[]
  /** Envelope data size of every message, in bytes. */
  envelopeBytes: number
  /** PoW every envelope is sealed to (the Hush nodes' minimum PoW). */
  pow: number
  /** Unique per network within the process (for memory-transport addresses). */
  runId: string
  /** Where subscribers report deliveries. */
  deliveries: DeliveryTracker
}

/** A running network of one router. */
export interface BenchNetwork {
  /** Starts message `index` from node `from`: timed from this call, sealing included. */
  publish(from: number, index: number): void
  /** Protocol bytes written so far by all nodes (byte-counter.ts). */
  bytesSent(): number
  /** Duplicate receipts so far, all nodes; `undefined` when the router does not expose them. */
  duplicates(): number | undefined
  /** The router's own count of the bytes it sent, to check {@link bytesSent} against, if it keeps one. */
  ownBytesCount(): number | undefined
  /** Stops every node. */
  stop(): Promise<void>
}

