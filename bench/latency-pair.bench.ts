/**
 * Latency side by side (issue 16): Hush against the naive flood on the same seeded topology, both
 * networks alive in one process at once, messages published alternately (Hush, then the flood,
 * then Hush…) from the same sender, each alone in its network. A slow moment of the shared
 * machine lands on both routers alike, so the ratio holds where the p50s of separate runs (the
 * network bench's table) swing by half.
 *
 * In one process every hop is a microtask, so latency here is the work done before a node gets
 * its first copy (including every frame queued ahead of it), not link time: bench/README.md.
 *
 * Run: `npx tsc -b && npx tsx bench/latency-pair.bench.ts`. Environment:
 * - BENCH_NODES: node counts (default "20,50,200")
 * - BENCH_SIZES: envelope data sizes in bytes (default "1000,300")
 * - BENCH_MESSAGES: measured messages per router and point (default 100), after 20 warm-up ones
 * - BENCH_WHISPER: JSON merged into the Hush nodes' `whisper` options
 */
import type { WhisperInit } from '@hush/node'
import { loadavg } from 'node:os'
import { BENCH_DEGREE, BENCH_SEED, benchEdges, senderOf } from './lib/bench-network.ts'
import { DeliveryTracker } from './lib/delivery-tracker.ts'
import { hushNetwork } from './lib/hush-network.ts'
import { naiveNetwork } from './lib/naive-network.ts'
import { percentile } from './lib/percentile.ts'
import { waitUntil } from './lib/wait-until.ts'

const list = (value: string | undefined, fallback: string): number[] => (value ?? fallback).split(',').map(Number)
const NODES = list(process.env.BENCH_NODES, '20,50,200')
const SIZES = list(process.env.BENCH_SIZES, '1000,300')
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 100)
const WHISPER = JSON.parse(process.env.BENCH_WHISPER ?? '{}') as WhisperInit
const WARMUP = 20
for (const n of [...NODES, ...SIZES, MESSAGES]) if (!Number.isInteger(n) || n < 2) throw new Error(`bad BENCH_* number: ${n}`)

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Time between two publishes: long enough for one message to reach every node before the next
 * starts (a 50-node network takes about 15 ms, p99), so each is alone in its network.
 */
const gapMs = (nodes: number): number => Math.max(25, nodes / 2)

interface Latencies {
  p50: number
  p99: number
  delivery: number
}

function summary(deliveries: DeliveryTracker, expected: number): Latencies {
  const sorted = [...deliveries.latenciesMs].sort((a, b) => a - b)
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), delivery: deliveries.delivered / expected }
}

console.log(`latency side by side: load average ${loadavg()[0].toFixed(2)} at the start, degree ~${BENCH_DEGREE} (seed ${BENCH_SEED}), ${WARMUP} warm-up + ${MESSAGES} measured messages per router and point, PoW 1e-9, Hush whisper options ${JSON.stringify(WHISPER)}`)
console.log('')
console.log('| N | size | Hush delivery | Hush p50 ms | Hush p99 ms | naive delivery | naive p50 ms | naive p99 ms | Hush ÷ naive p50 (≤ 1.1) |')
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
let run = 0
for (const nodes of NODES) {
  for (const size of SIZES) {
    const edges = benchEdges(nodes)
    const total = WARMUP + MESSAGES
    const hushDeliveries = new DeliveryTracker(total, WARMUP)
    const naiveDeliveries = new DeliveryTracker(total, WARMUP)
    const plan = { nodes, edges, envelopeBytes: size, pow: 1e-9 }
    const hush = await hushNetwork({ ...plan, runId: `pair-${process.pid}-${run}-h`, deliveries: hushDeliveries }, WHISPER)
    const naive = await naiveNetwork({ ...plan, runId: `pair-${process.pid}-${run++}-n`, deliveries: naiveDeliveries })
    const gap = gapMs(nodes)
    for (let i = 0; i < total; i++) {
      const from = senderOf(i, nodes)
      hush.publish(from, i)
      await sleep(gap)
      naive.publish(from, i)
      await sleep(gap)
    }
    const expected = MESSAGES * (nodes - 1)
    await waitUntil(() => hushDeliveries.delivered >= expected && naiveDeliveries.delivered >= expected, 30_000)
    const h = summary(hushDeliveries, expected)
    const n = summary(naiveDeliveries, expected)
    await hush.stop()
    await naive.stop()
    const cells = [nodes, size, h.delivery.toFixed(3), h.p50.toFixed(2), h.p99.toFixed(1), n.delivery.toFixed(3), n.p50.toFixed(2), n.p99.toFixed(1), `${(h.p50 / n.p50).toFixed(2)}×`]
    console.log(`| ${cells.join(' | ')} |`)
  }
}
