/**
 * Network bench (issue 5): the same seeded random topology (50 nodes, average degree 6) on the
 * in-memory transport, carrying the same 1 KiB envelopes once with our flood router and once with
 * `@libp2p/gossipsub` (the libp2p 3 gossipsub, deps.md §4), in one process and one run. Reports
 * p50/p99 delivery latency, protocol bytes per delivered envelope and CPU time per delivered
 * envelope. Each Hush sender posts its envelope with the public `postEnvelope` (node minimum PoW
 * 1e-9, so sealing is trivial). Single-node ingest is measured in `ingest.bench.ts`.
 *
 * Run: `npx tsc -b && npx tsx bench/network.bench.ts` (BENCH_NODES, BENCH_MESSAGES, BENCH_RATE).
 */
import { noise } from '@chainsafe/libp2p-noise'
import { type Envelope, encodeEnvelope, topicFromString } from '@hush/envelope'
import { createHushNode, type HushNode } from '@hush/node'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { memory } from '@libp2p/memory'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import { cpus } from 'node:os'
import { randomRegularish } from '../packages/node/test/fixtures/topology.ts'

const N = Number(process.env.BENCH_NODES ?? 50)
const M = Number(process.env.BENCH_MESSAGES ?? 100)
const RATE = Number(process.env.BENCH_RATE ?? 5) // messages per second, a load every router keeps up with (deps.md §4)
const DEGREE = 6
const SEED = 42
const DATA_BYTES = 1000
/** Messages sent first and not counted, so both routers are measured warm (JIT, buffers, mesh). */
const WARMUP = 20
const EDGES = randomRegularish(N, DEGREE, SEED)
let run = 0

/** A libp2p `Metrics` that only counts the bytes received on each protocol's streams. */
function byteCounter(protocolPrefix: string): { metrics: any; bytes: () => number } {
  let bytes = 0
  const noop: any = new Proxy(function () {}, { get: (_t, p) => (p === 'then' ? undefined : noop), apply: () => noop })
  const metrics = new Proxy(
    {
      trackProtocolStream(stream: any) {
        if (typeof stream.protocol !== 'string' || !stream.protocol.startsWith(protocolPrefix)) return
        stream.addEventListener('message', (evt: any) => {
          bytes += evt.data.byteLength
        })
      },
      trackMultiaddrConnection() {},
      traceFunction: (_name: string, fn: unknown) => fn,
      createTrace: () => undefined,
    },
    { get: (target: any, p) => (p in target ? target[p] : p === 'then' ? undefined : () => noop) }
  )
  return { metrics, bytes: () => bytes }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]
}

interface Result {
  router: string
  p50: number
  p99: number
  bytesPerDelivery: number
  cpuUsPerDelivery: number
  deliveryRatio: number
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Envelope data prepared outside the timed part, the index in the first 4 bytes. */
function payloadData(): Uint8Array[] {
  return Array.from({ length: WARMUP + M }, (_, i) => {
    const data = new Uint8Array(DATA_BYTES)
    new DataView(data.buffer).setUint32(0, i)
    return data
  })
}

/** The same bytes as whole envelopes, for gossipsub's message data. */
function envelopes(): Uint8Array[] {
  const now = Math.floor(Date.now() / 1000)
  const topic = topicFromString('bench')
  return payloadData().map((data, i) => {
    const e: Envelope = { expiry: now + 600, ttl: 600, topic, data, nonce: BigInt(i) }
    return encodeEnvelope(e)
  })
}

async function measure(
  name: string,
  deliveredCount: () => number,
  latencies: number[],
  publish: (i: number) => void,
  bytes: () => number,
  reset: () => void
): Promise<Result> {
  for (let i = M; i < M + WARMUP; i++) {
    publish(i)
    await sleep(1000 / RATE)
  }
  await sleep(1000)
  reset()
  latencies.length = 0
  const bytesBefore = bytes()
  const cpuBefore = process.cpuUsage()
  for (let i = 0; i < M; i++) {
    publish(i)
    await sleep(1000 / RATE)
  }
  const deadline = Date.now() + 30_000
  while (deliveredCount() < M * (N - 1) && Date.now() < deadline) await sleep(50)
  await sleep(500)
  const cpu = process.cpuUsage(cpuBefore)
  const delivered = deliveredCount()
  const sorted = [...latencies].sort((a, b) => a - b)
  return {
    router: name,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    bytesPerDelivery: (bytes() - bytesBefore) / delivered,
    cpuUsPerDelivery: (cpu.user + cpu.system) / delivered,
    deliveryRatio: delivered / (M * (N - 1)),
  }
}

async function benchHush(): Promise<Result> {
  const counter = byteCounter('/shh/')
  const nodes: HushNode[] = []
  for (let i = 0; i < N; i++) {
    nodes.push(
      await createHushNode({
        transports: [memory()],
        listen: [`/memory/hush-bench-${process.pid}-${run}-${i}`],
        whisper: { minPow: 1e-9, ...(process.env.BENCH_BATCH_MS !== undefined && { batchIntervalMs: Number(process.env.BENCH_BATCH_MS) }) },
        libp2p: { metrics: () => counter.metrics, connectionManager: { inboundConnectionThreshold: 1e6, maxConnections: 1000 } },
      })
    )
  }
  await connectAll(nodes)
  const sentAt: number[] = []
  const latencies: number[] = []
  let delivered = 0
  nodes.forEach((node) =>
    node.services.shh.addEventListener('envelope', (evt) => {
      if (evt.detail.from === undefined) return
      const d = evt.detail.envelope.data
      if (d.length !== DATA_BYTES) return
      const t0 = sentAt[new DataView(d.buffer, d.byteOffset).getUint32(0)]
      if (t0 !== undefined) {
        latencies.push(performance.now() - t0)
        delivered++
      }
      // (warm-up envelopes are counted here too, then reset before the measured run)
    })
  )
  // Each sender posts through the public API: postEnvelope seals (with minPow 1e-9, nonce 0 already
  // passes, so sealing is one hash) and floods, the way an app's envelope enters the network.
  const data = payloadData()
  const topic = topicFromString('bench')
  const result = await measure(
    'hush flood',
    () => delivered,
    latencies,
    (i) => {
      sentAt[i] = performance.now()
      nodes[(i * 7) % N].services.shh.postEnvelope({ topic, data: data[i], ttlSeconds: 600 }).catch(() => {})
    },
    counter.bytes,
    () => {
      delivered = 0
    }
  )
  await Promise.all(nodes.map((n) => n.stop()))
  return result
}

async function benchGossipsub(signed: boolean): Promise<Result> {
  const counter = byteCounter('/meshsub/')
  const nodes: any[] = []
  for (let i = 0; i < N; i++) {
    nodes.push(
      await createLibp2p({
        addresses: { listen: [`/memory/gossip-bench-${process.pid}-${run}-${i}`] },
        transports: [memory()],
        connectionEncrypters: [noise()],
        streamMuxers: [yamux()],
        metrics: () => counter.metrics,
        connectionManager: { inboundConnectionThreshold: 1e6, maxConnections: 1000 },
        services: {
          identify: identify(),
          pubsub: gossipsub({ ...(signed ? {} : { globalSignaturePolicy: 'StrictNoSign' as const }), allowPublishToZeroTopicPeers: true }),
        },
      })
    )
  }
  await connectAll(nodes)
  for (const n of nodes) n.services.pubsub.subscribe('bench')
  await sleep(3000) // a few heartbeats to build the mesh
  const sentAt: number[] = []
  const latencies: number[] = []
  let delivered = 0
  nodes.forEach((node) =>
    node.services.pubsub.addEventListener('message', (evt: any) => {
      const i = new DataView(evt.detail.data.buffer, evt.detail.data.byteOffset).getUint32(0)
      latencies.push(performance.now() - sentAt[i])
      if (i < M) delivered++
    })
  )
  const payloads = envelopes().map((raw, i) => {
    // the same bytes as the envelope, with the index up front for the latency lookup
    const out = raw.slice()
    new DataView(out.buffer).setUint32(0, i)
    return out
  })
  const result = await measure(
    signed ? 'gossipsub (defaults, StrictSign)' : 'gossipsub StrictNoSign',
    () => delivered,
    latencies,
    (i) => {
      sentAt[i] = performance.now()
      nodes[(i * 7) % N].services.pubsub.publish('bench', payloads[i]).catch(() => {})
    },
    counter.bytes,
    () => {
      delivered = 0
    }
  )
  await Promise.all(nodes.map((n) => n.stop()))
  return result
}

async function connectAll(nodes: Array<{ dial: (ma: any, o?: any) => Promise<unknown>; getMultiaddrs: () => any[] }>): Promise<void> {
  for (let i = 0; i < EDGES.length; i += 25) {
    await Promise.all(EDGES.slice(i, i + 25).map(([a, b]) => nodes[a].dial(nodes[b].getMultiaddrs()[0], { signal: AbortSignal.timeout(30_000) })))
  }
  await sleep(500)
  run++
}

const fmt = (n: number, d = 1): string => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })

console.log(`network bench: ${N} nodes, ${EDGES.length} edges (degree ~${DEGREE}, seed ${SEED}), ${M} × ${DATA_BYTES} B at ${RATE}/s, ${cpus()[0]?.model ?? 'cpu'} ×${cpus().length}, Node ${process.version}\n`)
const results = [await benchHush(), await benchGossipsub(false), await benchGossipsub(true)]
console.log('| router | p50 ms | p99 ms | protocol bytes per delivery | CPU µs per delivery | delivery ratio |')
console.log('| --- | ---: | ---: | ---: | ---: | ---: |')
for (const r of results) {
  console.log(`| ${r.router} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(r.bytesPerDelivery, 0)} | ${fmt(r.cpuUsPerDelivery, 0)} | ${fmt(r.deliveryRatio, 3)} |`)
}
const [ours, nosign] = results
console.log(`\nours / gossipsub StrictNoSign: latency p50 ${fmt(ours.p50 / nosign.p50, 2)}×, p99 ${fmt(ours.p99 / nosign.p99, 2)}×, bytes ${fmt(ours.bytesPerDelivery / nosign.bytesPerDelivery, 2)}×, CPU ${fmt(ours.cpuUsPerDelivery / nosign.cpuUsPerDelivery, 2)}× (goal: ≤ 1 on latency and bytes)`)
console.log('\nSingle-node ingest through the full peer path and the duplicate-replay attack: bench/ingest.bench.ts.')
