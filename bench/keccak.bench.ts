/**
 * Keccak-256 throughput: @hush/envelope's `keccak256` (the AssemblyScript WASM sponge) and its
 * pure-TS fallback against `@noble/hashes` `keccak_256`, side by side in one run. Issue 2's target: ≥ 3× noble on a 1 KiB
 * envelope. Run after building: `npx tsc -b packages/envelope && npx tsx bench/keccak.bench.ts`.
 * `BENCH_TIME_MS` sets the time per task.
 */
import { cpus } from 'node:os'
import { keccak256 } from '@hush/envelope'
import { keccak256Backend } from '@hush/envelope/keccak'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { Bench } from 'tinybench'
import { keccak256Ts } from '../packages/envelope/src/keccak-ts.ts'

const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 400)
const SIZES: [string, number][] = [
  ['32 B', 32],
  ['1 KiB', 1024],
  ['64 KiB', 65536],
  ['1 MiB', 1 << 20],
]

const inputOf = (n: number): Uint8Array => new Uint8Array(n).map((_, i) => (i * 131 + 7) & 0xff)
const table = (head: string[], rows: string[][]): string =>
  [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n')

if (keccak256Backend() !== 'wasm') throw new Error('keccak256 is not on the WASM kernel here')

const rows: string[][] = []
let ratio1k = 0
for (const [label, n] of SIZES) {
  const data = inputOf(n)
  if (Buffer.compare(keccak256(data), keccak_256(data)) !== 0) throw new Error(`digest mismatch at ${label}`)
  if (Buffer.compare(keccak256Ts(data), keccak_256(data)) !== 0) throw new Error(`TS digest mismatch at ${label}`)
  const bench = new Bench({ time: TIME_MS, warmupTime: 100 })
  bench.add('wasm', () => keccak256(data)).add('ts', () => keccak256Ts(data)).add('noble', () => keccak_256(data))
  await bench.run()
  const period = (name: string): number => {
    const r = bench.getTask(name)?.result
    if (r === undefined || r.state !== 'completed') throw new Error(`${name} did not complete`)
    return r.period // ms per op
  }
  const [w, ts, nb] = [period('wasm'), period('ts'), period('noble')]
  const mbps = (ms: number): string => ((n / (ms / 1000)) / 1e6).toFixed(0)
  if (n === 1024) ratio1k = nb / w
  rows.push([
    label,
    `${(w * 1000).toFixed(2)} µs`,
    `${mbps(w)} MB/s`,
    `${(ts * 1000).toFixed(2)} µs`,
    `${mbps(ts)} MB/s`,
    `${(nb * 1000).toFixed(2)} µs`,
    `${mbps(nb)} MB/s`,
    `${(nb / w).toFixed(1)}×`,
    `${(nb / ts).toFixed(1)}×`,
  ])
}

console.log(`## Keccak-256 (${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)})\n`)
console.log(table(['input', 'keccak256 (WASM)', 'MB/s', 'TS fallback', 'MB/s', '@noble/hashes keccak_256', 'MB/s', 'WASM vs noble', 'TS vs noble'], rows))
console.log(`\n1 KiB envelope: WASM is ${ratio1k.toFixed(1)}× noble (target ≥ 3×): ${ratio1k >= 3 ? 'met' : 'NOT met'}`)
