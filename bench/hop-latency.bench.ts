/**
 * Hop latency (issue 16): what one hop costs each router when nothing else runs, on a chain of
 * nodes (0 — 1 — … — L) in one process on the in-memory transport with Noise and yamux, 300 B
 * envelopes sent from node 0 every 20 ms. It separates per-hop work from the queueing that the
 * network bench's larger networks add (bench/README.md, network.bench.ts).
 *
 * Run: `npx tsc -b && npx tsx bench/hop-latency.bench.ts` (CHAIN_LENGTHS, default "1,4").
 */
import type { BenchNetwork, NetworkPlan } from './lib/bench-network.ts'
import { DeliveryTracker } from './lib/delivery-tracker.ts'
import { hushNetwork } from './lib/hush-network.ts'
import { naiveNetwork } from './lib/naive-network.ts'
import { percentile } from './lib/percentile.ts'

const LENGTHS = (process.env.CHAIN_LENGTHS ?? '1,4').split(',').map(Number)
const WARMUP = 100
const MEASURED = 200
const INTERVAL_MS = 20
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

const ROUTERS: Array<[string, (plan: NetworkPlan) => Promise<BenchNetwork>]> = [
  ['hush', (plan) => hushNetwork(plan, {})],
  ['naive flood', (plan) => naiveNetwork(plan)],
]

console.log('| chain length | router | deliveries | p50 ms, all receivers | min ms |')
console.log('| ---: | --- | ---: | ---: | ---: |')
let run = 0
for (const length of LENGTHS) {
  // Each router twice, alternating, so a slow moment of the machine shows as a spread.
  for (const [name, make] of [...ROUTERS, ...ROUTERS]) {
    const deliveries = new DeliveryTracker(WARMUP + MEASURED, WARMUP)
    const edges = Array.from({ length }, (_, i) => [i, i + 1] as const)
    const network = await make({ nodes: length + 1, edges, envelopeBytes: 300, pow: 1e-9, runId: `hop-${process.pid}-${run++}`, deliveries })
    for (let i = 0; i < WARMUP + MEASURED; i++) {
      network.publish(0, i)
      await sleep(INTERVAL_MS)
    }
    await sleep(500)
    await network.stop()
    const sorted = [...deliveries.latenciesMs].sort((a, b) => a - b)
    console.log(`| ${length} | ${name} | ${deliveries.delivered} | ${percentile(sorted, 0.5).toFixed(3)} | ${sorted[0].toFixed(3)} |`)
  }
}
