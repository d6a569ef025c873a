/**
 * Drives one network's traffic: warm-up messages (not counted), then the measured messages at a
 * fixed rate from rotating senders, until every subscriber has every measured message (or a
 * deadline), and reports what a user gets per delivery.
 */
import { type BenchNetwork, senderOf } from './bench-network.ts'
import type { DeliveryTracker } from './delivery-tracker.ts'
import { percentile } from './percentile.ts'
import { waitUntil } from './wait-until.ts'

/** The traffic of one run. */
export interface TrafficInit {
  /** Nodes in the network (each message should reach the other `nodes - 1`). */
  nodes: number
  /** Messages sent first, indexes `0 .. warmup - 1`, not counted. */
  warmup: number
  /** Measured messages, indexes `warmup .. warmup + messages - 1`. */
  messages: number
  /** Messages per second (both phases). */
  rate: number
}

/** What the measured messages cost and how they arrived. */
export interface TrafficResult {
  /** Deliveries at subscribers / (messages × (nodes − 1)). */
  deliveryRatio: number
  /** Median latency, publish call to subscriber, in ms. */
  p50Ms: number
  /** 99th percentile of the same. */
  p99Ms: number
  /** Protocol bytes sent by all nodes over the window, per delivery. */
  bytesPerDelivery: number
  /** Process CPU time (user + system) over the window, per delivery, in µs. */
  cpuUsPerDelivery: number
  /** Duplicate receipts over the window per delivery, where the router counts them. */
  duplicatesPerDelivery: number | undefined
  /** The router's own count of bytes sent over the window per delivery, where it keeps one. */
  ownBytesPerDelivery: number | undefined
}

/** After the last delivery (or the deadline), late frames (notices, duplicates) still count. */
const SETTLE_MS = 500
/** Longest wait for the last deliveries after the last publish. */
const DRAIN_TIMEOUT_MS = 30_000

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Publishes `count` messages from `first` at `rate` per second, on an absolute schedule. */
async function publishPaced(network: BenchNetwork, init: TrafficInit, first: number, count: number): Promise<void> {
  const start = performance.now()
  for (let k = 0; k < count; k++) {
    const due = start + (k * 1000) / init.rate
    const wait = due - performance.now()
    if (wait > 0) await sleep(wait)
    const index = first + k
    network.publish(senderOf(index, init.nodes), index)
  }
}

/** Runs the warm-up, then the measured traffic, and measures it. */
export async function runTraffic(network: BenchNetwork, deliveries: DeliveryTracker, init: TrafficInit): Promise<TrafficResult> {
  await publishPaced(network, init, 0, init.warmup)
  await sleep(1000)
  const bytesBefore = network.bytesSent()
  const ownBefore = network.ownBytesCount()
  const duplicatesBefore = network.duplicates()
  const cpuBefore = process.cpuUsage()
  await publishPaced(network, init, init.warmup, init.messages)
  const expected = init.messages * (init.nodes - 1)
  await waitUntil(() => deliveries.delivered >= expected, DRAIN_TIMEOUT_MS)
  await sleep(SETTLE_MS)
  const cpu = process.cpuUsage(cpuBefore)
  const delivered = deliveries.delivered
  const sorted = [...deliveries.latenciesMs].sort((a, b) => a - b)
  const ownAfter = network.ownBytesCount()
  const duplicatesAfter = network.duplicates()
  return {
    deliveryRatio: delivered / expected,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    bytesPerDelivery: (network.bytesSent() - bytesBefore) / delivered,
    cpuUsPerDelivery: (cpu.user + cpu.system) / delivered,
    duplicatesPerDelivery: duplicatesBefore === undefined || duplicatesAfter === undefined ? undefined : (duplicatesAfter - duplicatesBefore) / delivered,
    ownBytesPerDelivery: ownBefore === undefined || ownAfter === undefined ? undefined : (ownAfter - ownBefore) / delivered,
  }
}
