/**
 * Network bench (issue 16, "Scale, measured"): what a user gets from each router at several
 * network sizes, on the same seeded topology (randomRegularish, average degree 6, seed 42) and
 * the same traffic, one process, in-memory transport with Noise and yamux for every router.
 *
 * - hush: `createHushNode` nodes; envelopes enter through `shh.postEnvelope` (sealed at the
 *   nodes' minimum PoW) and latency ends when a node's `shh.subscribeEnvelopes` iterator yields.
 * - gossipsub StrictNoSign (and, with BENCH_SIGNED=1, the defaults: StrictSign): the same sealed
 *   envelope bytes as message data, sealed with @hush/pow from the publish call.
 * - naive flood (lib/naive-flood.ts): forwards every new envelope at once to every other peer;
 *   the latency reference.
 *
 * Per router, node count and envelope size: delivery ratio, p50/p99 latency (publish call to
 * subscriber), protocol bytes sent per delivery (counted on every router's streams the same way,
 * lib/byte-counter.ts), process CPU per delivery, memory per node after a forced GC, duplicates
 * per delivery where the router counts them.
 *
 * Run: `npx tsc -b && npx tsx bench/network.bench.ts`. Environment:
 * - BENCH_NODES: node counts, comma-separated (default "20,50,200")
 * - BENCH_SIZES: envelope data sizes in bytes (default "1000,300")
 * - BENCH_MESSAGES: measured messages per point (default 100), after 20 warm-up messages
 * - BENCH_RATE: messages per second (default 20 up to 50 nodes, above that 400 deliveries per second:
 *   2 msg/s at 200 nodes, 0.8 at 500)
 * - BENCH_ROUTERS: "hush,gossipsub,naive" (default all three); BENCH_SIGNED=1 adds StrictSign
 * - BENCH_POW: the PoW every envelope is sealed to (default 1e-9: one hash)
 * - BENCH_WHISPER: JSON merged into the Hush nodes' `whisper` options, e.g. '{"batchIntervalMs":1}'
 * - BENCH_JSON: a path to write every point to as JSON
 */
import type { WhisperInit } from '@hush/node'
import { cpus, loadavg } from 'node:os'
import { BENCH_DEGREE, BENCH_SEED, type BenchNetwork, benchEdges, type NetworkPlan } from './lib/bench-network.ts'
import { DeliveryTracker } from './lib/delivery-tracker.ts'
import { gossipsubNetwork } from './lib/gossipsub-network.ts'
import { hushNetwork } from './lib/hush-network.ts'
import { hasGc, memoryAfterGc, settledMemoryAfterGc } from './lib/memory-probe.ts'
import { naiveNetwork } from './lib/naive-network.ts'
import { type MeasuredPoint, markdownTable, type ReportRow, type RouterName, ratioLines, writePoints } from './lib/network-report.ts'
import { runTraffic } from './lib/traffic-run.ts'

/** Messages sent first and not counted, so every router is measured warm (JIT, buffers, mesh). */
const WARMUP = 20

const list = (value: string | undefined, fallback: string): string[] =>
  (value ?? fallback)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
const NODES = list(process.env.BENCH_NODES, '20,50,200').map(Number)
const SIZES = list(process.env.BENCH_SIZES, '1000,300').map(Number)
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 100)
const POW = Number(process.env.BENCH_POW ?? 1e-9)
const WHISPER = JSON.parse(process.env.BENCH_WHISPER ?? '{}') as WhisperInit
const ROUTERS: RouterName[] = list(process.env.BENCH_ROUTERS, 'hush,gossipsub,naive').map((name) => {
  if (name === 'hush') return 'hush'
  if (name === 'gossipsub') return 'gossipsub-nosign'
  if (name === 'naive') return 'naive-flood'
  throw new Error(`BENCH_ROUTERS: unknown router ${name} (hush, gossipsub, naive)`)
})
if (process.env.BENCH_RATE !== undefined && !(Number(process.env.BENCH_RATE) > 0)) throw new Error('BENCH_RATE: a positive number')
if (process.env.BENCH_SIGNED === '1') ROUTERS.splice(ROUTERS.indexOf('gossipsub-nosign') + 1, 0, 'gossipsub-sign')
for (const n of [...NODES, ...SIZES, MESSAGES]) if (!Number.isInteger(n) || n < 2) throw new Error(`bad BENCH_* number: ${n}`)
for (const size of SIZES) if (size < 4) throw new Error('BENCH_SIZES: at least 4 bytes (the message index)')

/**
 * Deliveries per second the default rate aims at above 50 nodes: at 0.5 to 1 ms of CPU per
 * delivery (the routers' figures at N = 20 and 50), about a third of one core, so the one process
 * keeps up on a shared 2-core machine and latency measures routing, not a backlog.
 */
const DELIVERIES_PER_SECOND = 400

/** The rate for `n` nodes: 20 msg/s up to 50 nodes, then 400 deliveries/s (one decimal), unless BENCH_RATE says. */
function rateFor(n: number): number {
  if (process.env.BENCH_RATE !== undefined) return Number(process.env.BENCH_RATE)
  return n <= 50 ? 20 : Math.max(0.1, Math.round((DELIVERIES_PER_SECOND / (n - 1)) * 10) / 10)
}

function build(router: RouterName, plan: NetworkPlan): Promise<BenchNetwork> {
  if (router === 'hush') return hushNetwork(plan, WHISPER)
  if (router === 'naive-flood') return naiveNetwork(plan)
  return gossipsubNetwork(plan, router === 'gossipsub-sign')
}

let runs = 0
const STARTED_AT = new Date().toISOString()

/** Builds one router's network for `nodes` × `envelopeBytes`, runs `messages` at `rate`, stops it. */
async function measurePoint(router: RouterName, nodes: number, envelopeBytes: number, rate: number, messages = MESSAGES): Promise<ReportRow> {
  const baseline = await settledMemoryAfterGc()
  const deliveries = new DeliveryTracker(WARMUP + messages, WARMUP)
  const edges = benchEdges(nodes)
  const network = await build(router, { nodes, edges, envelopeBytes, pow: POW, runId: `${process.pid}-${runs++}`, deliveries })
  const result = await runTraffic(network, deliveries, { nodes, warmup: WARMUP, messages, rate })
  const memoryPerNodeBytes = (memoryAfterGc() - baseline) / nodes
  await network.stop()
  console.error(`(${router}, ${nodes} nodes, ${envelopeBytes} B: done at ${new Date().toISOString().slice(11, 19)})`)
  const point: MeasuredPoint = {
    router,
    nodes,
    degree: BENCH_DEGREE,
    envelopeBytes,
    rate,
    messages,
    deliveryRatio: result.deliveryRatio,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    bytesPerDelivery: result.bytesPerDelivery,
    cpuUsPerDelivery: result.cpuUsPerDelivery,
    memoryPerNodeBytes,
    copiesPerDelivery: result.duplicatesPerDelivery === undefined ? null : result.duplicatesPerDelivery + 1,
    source: `bench/network.bench.ts, ${STARTED_AT}`,
  }
  return { point, result }
}

const machine = `${cpus()[0]?.model ?? 'cpu'} ×${cpus().length}, Node ${process.version}`
console.log(`network bench: ${machine}, load average ${loadavg()[0].toFixed(2)}`)
console.log(
  `degree ~${BENCH_DEGREE} (seed ${BENCH_SEED}), ${WARMUP} warm-up + ${MESSAGES} measured messages per point, PoW ${POW}, Hush whisper options ${JSON.stringify(WHISPER)}`
)
console.log(hasGc ? 'memory: heapUsed + arrayBuffers after forced GC' : 'memory: gc unavailable, figures include garbage')
// One small untimed network per router first: what the first network of a process initializes
// once (modules' lazy state, JIT) would otherwise count as the first point's memory and CPU.
for (const router of ROUTERS) await measurePoint(router, 8, SIZES[0], 20, 10)
const points: MeasuredPoint[] = []
for (const nodes of NODES) {
  for (const size of SIZES) {
    const rate = rateFor(nodes)
    const edges = benchEdges(nodes).length
    const rows: ReportRow[] = []
    for (const router of ROUTERS) rows.push(await measurePoint(router, nodes, size, rate))
    points.push(...rows.map((r) => r.point))
    console.log(`\n### N = ${nodes}, ${size} B envelopes, ${rate} msg/s (${edges} edges)\n`)
    console.log(markdownTable(rows))
    const ratios = ratioLines(rows)
    if (ratios.length > 0) console.log(`\n${ratios.join('\n')}`)
  }
}
if (process.env.BENCH_JSON !== undefined) {
  writePoints(process.env.BENCH_JSON, machine, points)
  console.log(`\npoints written to ${process.env.BENCH_JSON}`)
}
console.log('\nSingle-node ingest through the full peer path and the duplicate-replay attack: bench/ingest.bench.ts.')
