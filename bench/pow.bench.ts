/**
 * @hush/pow benchmarks: nonce rates of the WASM kernel, the pure-TS path and `@noble/hashes` on one
 * core and on all cores, a native C baseline, seal times, the calibration check and abort latency.
 * Run after building: `npx tsc -b packages/pow && npx tsx bench/pow.bench.ts` (imports resolve to
 * `dist`). Prints Markdown (paste it into bench/README.md). `BENCH_RATE_MS` sets each rate run.
 *
 * It reaches into `@hush/envelope/keccak` (the subpath meant for pow) to time the raw kernels.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { type Envelope, encodeEnvelopeWithoutNonce } from '@hush/envelope'
import { createNonceSearch } from '@hush/envelope/keccak'
import { estimateSealTime, measureHashRate, powOf, sealEnvelope, sealEnvelopeAsync } from '@hush/pow'

const RATE_MS = Number(process.env.BENCH_RATE_MS ?? 1500)
const CORES = availableParallelism()

const envelope: Envelope = {
  expiry: 1_764_072_050,
  ttl: 50,
  topic: Uint8Array.of(0xde, 0xad, 0xbe, 0xef),
  data: new Uint8Array(1004).map((_, i) => (i * 31 + 7) & 0xff), // size() = 1024
  nonce: 0n,
}
const prefix = encodeEnvelopeWithoutNonce(envelope)

const table = (head: string[], rows: string[][]): string =>
  [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n')
const fmtRate = (r: number): string => (r >= 1e6 ? `${(r / 1e6).toFixed(2)} M/s` : `${(r / 1e3).toFixed(0)} k/s`)
const fmtMs = (ms: number): string => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1))
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length
const threads = (): number | undefined => {
  try {
    return Number(/Threads:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1])
  } catch {
    return undefined
  }
}

// ---- nonce rates, measured in workers (same harness for 1 and all cores) ----

type Kind = 'wasm' | 'ts' | 'noble'
const RATE_WORKER = `
const { parentPort, workerData: d } = require('node:worker_threads')
;(async () => {
  let step
  if (d.kind === 'noble') {
    // The naive way: hash prefix ‖ nonce from scratch for every nonce.
    const { keccak_256 } = await import(d.nobleUrl)
    const buf = new Uint8Array(d.prefix.length + 8)
    buf.set(d.prefix)
    const view = new DataView(buf.buffer)
    let nonce = BigInt(d.start)
    let best = 0
    step = (n) => {
      for (let i = 0; i < n; i++) {
        view.setBigUint64(d.prefix.length, nonce++)
        const h = keccak_256(buf)
        let lz = 0
        for (let j = 0; j < 32 && h[j] === 0; j++) lz += 8
        if (lz > best) best = lz
      }
    }
  } else {
    const { createNonceSearch } = await import(d.keccakUrl)
    const search = createNonceSearch(d.prefix, { backend: d.kind })
    let nonce = BigInt(d.start)
    step = (n) => { search.search(nonce, n); nonce += BigInt(n) }
  }
  step(2048)
  parentPort.once('message', () => {
    const batch = d.kind === 'wasm' ? 16384 : 256
    const t0 = performance.now()
    let tried = 0
    while (performance.now() - t0 < d.ms) { step(batch); tried += batch }
    parentPort.postMessage({ tried, ms: performance.now() - t0 })
  })
  parentPort.postMessage('ready')
})()
`

async function rateOn(kind: Kind, workers: number): Promise<number> {
  const pool = Array.from({ length: workers }, (_, i) => new Worker(RATE_WORKER, {
    eval: true,
    workerData: {
      kind,
      prefix,
      ms: RATE_MS,
      start: String(BigInt(i) << 48n),
      keccakUrl: import.meta.resolve('@hush/envelope/keccak'),
      nobleUrl: import.meta.resolve('@noble/hashes/sha3.js'),
    },
  }))
  try {
    await Promise.all(pool.map((w) => new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject) })))
    const results = pool.map((w) => new Promise<{ tried: number; ms: number }>((resolve) => w.once('message', resolve)))
    for (const w of pool) w.postMessage('go')
    return (await Promise.all(results)).reduce((sum, r) => sum + (r.tried * 1000) / r.ms, 0)
  } finally {
    await Promise.all(pool.map((w) => w.terminate()))
  }
}

/** The C baseline: compile bench/c/keccak_pow.c with `cc -O3`, check it agrees with WASM, time it. */
function cBaseline(): { rate: number; note: string } | { rate?: undefined; note: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hush-pow-bench-'))
  try {
    const exe = join(dir, 'keccak_pow')
    const src = fileURLToPath(new URL('./c/keccak_pow.c', import.meta.url))
    const cc = spawnSync('cc', ['-O3', '-o', exe, src], { encoding: 'utf8' })
    if (cc.error !== undefined || cc.status !== 0) return { note: `skipped: no C compiler (${cc.error?.message ?? cc.stderr.trim()})` }
    const hex = Buffer.from(prefix).toString('hex')
    const run = (start: bigint, count: number): string[] =>
      spawnSync(exe, [hex, String(start), String(count)], { encoding: 'utf8' }).stdout.trim().split(' ')
    const [, bits, nonce] = run(77n, 200_000)
    const wasm = createNonceSearch(prefix, { backend: 'wasm' }).search(77n, 200_000)
    if (Number(bits) !== wasm.bestBits || BigInt(nonce) !== wasm.bestNonce) throw new Error('C and WASM disagree')
    const count = 4_000_000
    const [tried, , , secs] = run(1n << 40n, count)
    return { rate: Number(tried) / Number(secs), note: 'cc -O3, same midstate method; agrees with WASM on 200k nonces' }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const out: string[] = []
const log = (s = ''): void => {
  out.push(s)
  console.log(s)
}

log(`## PoW (${cpus()[0]?.model ?? 'unknown CPU'}, ${CORES} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, load average ${loadavg()[0].toFixed(2)} at start)`)
log()
log(`Envelope: size() = 1024 bytes, RLP without nonce ${prefix.length} bytes (one Keccak permutation per nonce), TTL 50.`)
log()

const rates = new Map<string, number>()
for (const kind of ['wasm', 'ts', 'noble'] as const) {
  rates.set(`${kind}:1`, await rateOn(kind, 1))
  rates.set(`${kind}:all`, await rateOn(kind, CORES))
}
const c = cBaseline()
const wasm1 = rates.get('wasm:1') ?? 0
const rateRows = (['wasm', 'ts', 'noble'] as const).map((kind) => {
  const one = rates.get(`${kind}:1`) ?? 0
  const all = rates.get(`${kind}:all`) ?? 0
  const name = { wasm: '@hush WASM kernel (midstate)', ts: '@hush pure TS (midstate, keccakF1600 in TS)', noble: '@noble/hashes keccak_256 (full hash per nonce)' }[kind]
  return [name, fmtRate(one), fmtRate(all), `${(all / one).toFixed(2)}×`, `${(one / wasm1).toFixed(2)}`]
})
rateRows.push(['native C baseline', c.rate === undefined ? 'n/a' : fmtRate(c.rate), '–', '–', c.rate === undefined ? '–' : (c.rate / wasm1).toFixed(2)])
log(table(['nonce search', '1 core', `all ${CORES} cores`, 'scaling', 'vs WASM 1 core'], rateRows))
log()
log(`C baseline: ${c.note}.`)
if (c.rate !== undefined) log(`Our WASM single core = ${((wasm1 / c.rate) * 100).toFixed(0)}% of C (target ≥ 60%): ${wasm1 >= 0.6 * c.rate ? 'met' : 'NOT met'}.`)
const scaling = (rates.get('wasm:all') ?? 0) / wasm1
log(`WASM all cores = ${scaling.toFixed(2)}× single core on ${CORES} cores${CORES === 2 ? ` (target ≥ 1.9×): ${scaling >= 1.9 ? 'met' : 'NOT met'}` : ''}.`)
log()

// ---- seal times ----

const syncTimes: number[] = []
for (let i = 0; i < 100; i++) {
  const t0 = performance.now()
  sealEnvelope(envelope, { targetPow: 0.2 })
  syncTimes.push(performance.now() - t0)
}
const asyncTimes: number[] = []
for (let i = 0; i < 15; i++) {
  const t0 = performance.now()
  const r = await sealEnvelopeAsync(envelope, { targetPow: 0.2 })
  asyncTimes.push(performance.now() - t0)
  if (powOf(r.envelope) < 0.2) throw new Error('seal below target')
}
const startup: number[] = []
for (let i = 0; i < 10; i++) {
  const t0 = performance.now()
  await sealEnvelopeAsync(envelope, { targetPow: 1e-9 })
  startup.push(performance.now() - t0)
}
log(`Seal 1 KiB / TTL 50 / PoW 0.2 (${estimateSealTime({ envelope, targetPow: 0.2, hashRate: 1 }).leadingZeroBits} leading zero bits):`)
log()
log(table(['sealer', 'median ms', 'mean ms', 'runs'], [
  ['sealEnvelope (sync, 1 core)', fmtMs(median(syncTimes)), fmtMs(mean(syncTimes)), String(syncTimes.length)],
  [`sealEnvelopeAsync (${CORES} workers)`, fmtMs(median(asyncTimes)), fmtMs(mean(asyncTimes)), String(asyncTimes.length)],
  [`worker start-up alone (trivial target, ${CORES} workers)`, fmtMs(median(startup)), fmtMs(mean(startup)), String(startup.length)],
]))
log()

// ---- calibration: estimateSealTime vs measured ----

const hashRate = measureHashRate({ durationMs: 500 })
const calib = async (bits: number, runs: number, workers: number): Promise<string[]> => {
  const target = 2 ** bits / prefix.length / envelope.ttl
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    if (workers === 1) sealEnvelope(envelope, { targetPow: target })
    else await sealEnvelopeAsync(envelope, { targetPow: target, workers })
    times.push(performance.now() - t0 - (workers === 1 ? 0 : median(startup)))
  }
  const est = estimateSealTime({ envelope, targetPow: target, hashRate, workers })
  const m = median(times)
  return [
    `${bits} bits, ${workers === 1 ? 'sync, 1 core' : `${workers} workers (minus start-up)`}`,
    String(runs),
    fmtMs(est.medianMs),
    fmtMs(m),
    `${(((est.medianMs - m) / m) * 100).toFixed(0)}%`,
    fmtMs(est.expectedMs),
    fmtMs(mean(times)),
    `${(((est.expectedMs - mean(times)) / mean(times)) * 100).toFixed(0)}%`,
  ]
}
log(`estimateSealTime with measureHashRate() = ${fmtRate(hashRate)} (main thread, 1 core). The seal time is geometric, so the`)
log('prediction of the median (ln 2 × the expectation) is compared with the measured median, and the expectation with the measured mean:')
log()
log(table(['target', 'runs', 'predicted median ms', 'measured median ms', 'error', 'predicted mean ms', 'measured mean ms', 'error'], [
  await calib(16, 300, 1),
  await calib(18, 150, CORES),
]))
log()

// ---- abort latency ----

const latencies: number[] = []
const baseThreads = threads()
let leftover = 0
for (let i = 0; i < 5; i++) {
  const controller = new AbortController()
  const p = sealEnvelopeAsync(envelope, { targetPow: 2 ** 60 / prefix.length / 50, signal: controller.signal })
  await new Promise((resolve) => setTimeout(resolve, 300))
  const t0 = performance.now()
  controller.abort()
  await p.catch(() => undefined)
  latencies.push(performance.now() - t0)
  await new Promise((resolve) => setTimeout(resolve, 50))
  const now = threads()
  if (now !== undefined && baseThreads !== undefined) leftover = Math.max(leftover, now - baseThreads)
}
log(`Abort latency (abort() → rejection, every worker terminated), ${CORES} workers, 5 runs: median ${fmtMs(median(latencies))} ms, max ${fmtMs(Math.max(...latencies))} ms (bound: 50 ms).`)
log(baseThreads === undefined ? 'Thread count not available on this OS.' : `Threads above the pre-abort baseline afterwards: ${leftover} (no worker left running).`)
