/**
 * The scale model (issue 16): what a Hush flood node and a gossipsub node cost at 10k, 100k and 1M
 * nodes, fed by the measured per-message costs in `measured.json` (and the network bench's points in
 * `network.json` when that file exists), with the assumptions of `assumptions.ts`. Prints Markdown.
 *
 * Run: `npx tsc -b && npx tsx bench/model/model.bench.ts` (BENCH_MODEL_NETWORK=path for another
 * network points file).
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import {
  CHANGES,
  ENVELOPE_DATA_BYTES,
  MODEL_DEGREE,
  MODEL_NODES,
  MODEL_SEED,
  PHONE,
  PHONE_CORE_FACTOR,
  PHONE_UNMETERED,
  SECONDS_PER_MONTH,
  USER_RATES,
  type UserRate,
  WAN_LINK_MS,
} from './assumptions.ts'
import { benchGraph, type FloodCheck, fitAndPredict, floodCheck } from './check.ts'
import { ringWithChords } from './graph.ts'
import { type HopStats, hopStats } from './hops.ts'
import { type MeasuredPoint, readMeasuredInputs, readNetworkMeasurements } from './measured.ts'
import { perHopMs, wireBytes } from './per-delivery.ts'
import { sealCost } from './pow-cost.ts'
import { breakEvenTable, bytes, checkTable, comparisonTable, detailTable, floodCheckTable, fmt, type PerHop, table, WAN_NOTE } from './report.ts'
import { buildVariants, type Variant } from './variants.ts'

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url))
const inputs = readMeasuredInputs(here('./measured.json'))
const networkFile = process.env.BENCH_MODEL_NETWORK ?? here('./network.json')
if (existsSync(networkFile)) {
  const network = readNetworkMeasurements(networkFile)
  const key = (p: MeasuredPoint): string => `${p.router}/${p.nodes}/${p.envelopeBytes}`
  const fresh = new Set(network.points.map(key))
  inputs.points = [...inputs.points.filter((p) => !fresh.has(key(p))), ...network.points]
  console.log(`network points: ${networkFile} (${network.measuredAt}, ${network.machine})`)
}

// Hop counts: the bench's own graphs for measured sizes, ring-plus-chords graphs (typed arrays) for the rest.
const hopCache = new Map<string, HopStats>()
function hopsOf(nodes: number, degree: number, bench: boolean): HopStats {
  const k = `${nodes}/${degree}/${bench}`
  let s = hopCache.get(k)
  if (s === undefined) {
    const graph = bench ? benchGraph(nodes, degree, MODEL_SEED) : ringWithChords(nodes, degree, MODEL_SEED)
    s = hopStats(graph, bench ? nodes : 16, MODEL_SEED)
    hopCache.set(k, s)
  }
  return s
}
const benchP50Hops = (nodes: number, degree = MODEL_DEGREE): number => hopsOf(nodes, degree, true).p50
const modelHops = (nodes: number): HopStats => (nodes <= 2000 ? hopsOf(nodes, MODEL_DEGREE, true) : hopsOf(nodes, MODEL_DEGREE, false))

const { costs } = inputs
console.log(`# Scale model (issue 16)\n`)
console.log(`Measured inputs: measured.json (${inputs.measuredAt}; ${inputs.machine}).\n`)
console.log(
  table(
    ['input', 'value', 'unit', 'source'],
    Object.entries(costs).map(([name, c]) => [name, fmt(c.value, c.value < 10 ? 2 : 0), c.unit, c.source]),
    [false, true, false, false]
  )
)
console.log(`\nPoW: ${inputs.powFormula}.`)
console.log(
  `\nStated: one node per user; phone budget ${fmt((PHONE.linkBytesPerSecond * 8) / 1e6)} Mbit/s each way, ${bytes(PHONE.monthlyBytes)} a month (down + up, ${fmt(SECONDS_PER_MONTH / 86400)} days), ` +
    `${bytes(PHONE.poolBytes)} of RAM for the pool, ${fmt(100 * PHONE.cpuCoreShare)}% of one phone core; a phone core does ${PHONE_CORE_FACTOR}× the measured core's work; ${WAN_NOTE}; ` +
    `overlay degree ${MODEL_DEGREE}; changes: ${JSON.stringify(CHANGES)}.\n`
)

console.log('## Checked against the measured points\n')
console.log(checkTable(fitAndPredict(inputs.points, (n, d) => benchP50Hops(n, d))))
const floodRows: (FloodCheck & { measured: string })[] = []
const floodSizes = new Set([20, 50, ...inputs.points.filter((p) => p.nodes <= 1000).map((p) => p.nodes)])
for (const n of [...floodSizes].sort((a, b) => a - b)) {
  const plain = inputs.points.filter((p) => p.nodes === n && (p.router === 'naive-flood' || (p.router === 'hush' && p.envelopeBytes < costs.noticeMinBytes.value)))
  const measured = plain
    .map((p) =>
      p.copiesPerDelivery !== null
        ? `${fmt(p.copiesPerDelivery, 3)} (${p.router}, ${p.envelopeBytes} B, counted)`
        : p.bytesPerDelivery !== null
          ? `${fmt(p.bytesPerDelivery / wireBytes(inputs, p.envelopeBytes), 2)} (${p.router}, ${p.envelopeBytes} B, bytes ÷ wire size, framing included)`
          : ''
    )
    .filter((s) => s !== '')
  floodRows.push({ ...floodCheck(benchGraph(n, MODEL_DEGREE, MODEL_SEED), 20), measured: measured.join('; ') || '–' })
}
console.log('\nCopies of an envelope per delivery in a flood without notices, on the bench graphs (randomRegularish(N, 6, 42)):\n')
console.log(floodCheckTable(floodRows))

const hushHop = perHopMs(inputs, 'hush', (n) => benchP50Hops(n))
const gossipHop = perHopMs(inputs, 'gossipsub-nosign', (n) => benchP50Hops(n))
const perHop: PerHop = { hush: hushHop.value + WAN_LINK_MS, 'gossipsub-nosign': gossipHop.value + WAN_LINK_MS }
console.log(
  `\nPer hop: Hush ${fmt(perHop.hush, 1)} ms (${hushHop.source} + ${WAN_LINK_MS} ms WAN), gossipsub ${fmt(perHop['gossipsub-nosign'], 1)} ms (${gossipHop.source} + ${WAN_LINK_MS} ms WAN).`
)
const hushHopMost = perHopMs(inputs, 'hush', (n) => benchP50Hops(n), 'most nodes')
const gossipHopMost = perHopMs(inputs, 'gossipsub-nosign', (n) => benchP50Hops(n), 'most nodes')
console.log(
  `At the most nodes measured (all of them on one event loop, an upper bound): Hush ${fmt(hushHopMost.value, 1)} ms (${hushHopMost.source}), gossipsub ${fmt(gossipHopMost.value, 1)} ms (${gossipHopMost.source}) of processing per hop.\n`
)

console.log('## Hops on a random degree-6 graph\n')
console.log(
  table(
    ['nodes', 'hops p50', 'hops p99', 'mean', 'max seen', 'pairs sampled', 'unreached'],
    MODEL_NODES.map((n) => {
      const h = modelHops(n)
      return [fmt(n), String(h.p50), String(h.p99), fmt(h.mean, 2), String(h.max), fmt(h.pairs), fmt(h.unreached)]
    })
  )
)

for (const dataBytes of ENVELOPE_DATA_BYTES) {
  const variantsAt = (rate: UserRate): Variant[] => buildVariants({ inputs, dataBytes, degree: MODEL_DEGREE, perUserRate: rate.perSecond })
  const seal = sealCost(dataBytes, costs.ttlSeconds.value, costs.minPow.value, costs.nonceRatePerCore.value * PHONE_CORE_FACTOR)
  const [hush, gossip] = variantsAt(USER_RATES[0])
  console.log(`\n## ${dataBytes} B envelopes\n`)
  console.log(`Bytes per delivery: Hush ${fmt(hush.model.bytesPerDelivery)} (${hush.bytesSource}); gossipsub ${fmt(gossip.model.bytesPerDelivery)} (${gossip.bytesSource}).`)
  console.log(`CPU per delivery: Hush ${fmt(hush.model.cpuUsPerDelivery, 1)} µs, gossipsub ${fmt(gossip.model.cpuUsPerDelivery, 1)} µs of the measured core.`)
  console.log(`PoW per message on the phone: ${seal.bits} bits at PoW ${costs.minPow.value}, TTL ${costs.ttlSeconds.value} s: ${fmt(seal.expectedMs)} ms expected, ${fmt(seal.medianMs)} ms median.\n`)
  for (const [i, name] of [[0, 'Full Hush flood node'], [1, 'gossipsub node, one topic']] as const) {
    console.log(`### ${name}\n`)
    console.log(detailTable({ variantAt: (r) => variantsAt(r)[i], nodes: MODEL_NODES, rates: USER_RATES, seal: i === 0 ? seal : undefined, hopsAt: modelHops, perHop }))
    console.log()
  }
  console.log('### Flood, gossipsub, shards and light nodes side by side (download per node, data per month, ✓ = fits the phone)\n')
  console.log(comparisonTable(variantsAt, MODEL_NODES, USER_RATES))
  console.log('\n### Latency p50 / p99 ms by kind of node (hops × per-hop latency)\n')
  console.log(
    table(
      ['nodes', ...variantsAt(USER_RATES[0]).map((v) => v.name)],
      MODEL_NODES.map((n) => [
        fmt(n),
        ...variantsAt(USER_RATES[0]).map((v) => {
          const h = modelHops(v.overlayNodes(n))
          return `${fmt((h.p50 + v.extraHops) * perHop[v.router])} / ${fmt((h.p99 + v.extraHops) * perHop[v.router])}`
        }),
      ])
    )
  )
  console.log(`\n### Break-even: the largest network a phone node fits in (the limit that binds), ${bytes(PHONE.monthlyBytes)} a month\n`)
  console.log(breakEvenTable(variantsAt, USER_RATES, PHONE))
  console.log('\n### Break-even on an unmetered connection (link, pool RAM and CPU only)\n')
  console.log(breakEvenTable(variantsAt, USER_RATES, PHONE_UNMETERED))
}
