/**
 * Mail archive bench (issue 12): the archive backends side by side on the same envelopes.
 *
 * - Archive rate: 1 KiB-data envelopes put in batches of 1000, each batch durable before the next
 *   (LevelDB: fsynced; PostgreSQL: committed), with the process CPU per envelope (the target, ≥ 50k
 *   envelopes/s on one core for LevelDB, is about CPU: envelopes per CPU-second).
 * - Page latency at N archived envelopes (1M by default): pages of 100 from random start times,
 *   on one topic of four and on all topics, p50 and p99.
 * - Disk bytes per envelope: the store's files on disk divided by the count.
 *
 * PostgreSQL runs on a throwaway cluster the bench starts on 127.0.0.1 (as the tests do: needs
 * Debian's postgresql package, which `.ci/run` installs); disk bytes there are the table's and its
 * indexes' relation sizes.
 *
 * Run: `npx tsc -b && npx tsx bench/mail.bench.ts` (BENCH_MAIL_ENTRIES, BENCH_MAIL_QUERIES).
 */
import { execFileSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { encodeEnvelope, keccak256 } from '@hush/envelope'
import { type Archive, type ArchiveEntry, openLevelArchive, openPostgresArchive } from '@hush/mail'
// The tests' throwaway server: a fresh cluster on 127.0.0.1, fsync on (one piece of code for both).
import { startPostgres } from '../packages/mail/test/fixtures/postgres.ts'

const ENTRIES = Number(process.env.BENCH_MAIL_ENTRIES ?? 1_000_000)
const QUERIES = Number(process.env.BENCH_MAIL_QUERIES ?? 300)
const BATCH = 1000
const DATA_BYTES = 1024
const START = 1_764_000_000
/** One envelope sent per 10 ms of archive time: 1M envelopes span about 2.8 hours. */
const PER_SECOND = 100
const TOPICS = [0, 1, 2, 3].map((i) => new Uint8Array([0x6d, 0x61, 0x69, i]))

const fmt = (n: number, d = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })

/** Envelope n: sent at START + n / PER_SECOND, on topic n mod 4, 1 KiB of data numbered n. */
function entryOf(n: number): ArchiveEntry {
  const data = new Uint8Array(DATA_BYTES)
  const view = new DataView(data.buffer)
  for (let i = 0; i < DATA_BYTES; i += 4) view.setUint32(i, Math.imul(n + 1, 2654435761 + i) >>> 0)
  const time = START + Math.floor(n / PER_SECOND)
  const topic = TOPICS[n % TOPICS.length]
  const raw = encodeEnvelope({ expiry: time + 3600, ttl: 3600, topic, data, nonce: BigInt(n) })
  return { time, hash: keccak256(raw), topic, raw }
}

interface Result {
  backend: string
  putPerSecond: number
  putPerCpuSecond: number
  p50Topic: number
  p99Topic: number
  p50All: number
  p99All: number
  diskPerEnvelope: number
}

const quantile = (xs: number[], q: number): number => xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]

async function run(backend: string, archive: Archive, diskBytes: () => number): Promise<Result> {
  // Fill, timing every batch; entries are built outside the timed part.
  let putMs = 0
  let putCpuUs = 0
  for (let n = 0; n < ENTRIES; n += BATCH) {
    const batch: ArchiveEntry[] = []
    for (let i = n; i < Math.min(ENTRIES, n + BATCH); i++) batch.push(entryOf(i))
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    await archive.put(batch)
    putMs += performance.now() - t0
    const cpu = process.cpuUsage(cpu0)
    putCpuUs += cpu.user + cpu.system
  }
  const span = Math.floor(ENTRIES / PER_SECOND)
  const pageMs = async (topics: Uint8Array[] | undefined): Promise<number[]> => {
    const out: number[] = []
    for (let q = 0; q < QUERIES; q++) {
      const from = START + Math.floor(((q * 7919) % 1000) / 1000 * Math.max(1, span - 60))
      const t0 = performance.now()
      const page = await archive.query({ from, to: START + span, limit: 100, ...(topics === undefined ? {} : { topics }) })
      out.push(performance.now() - t0)
      if (page.envelopes.length !== 100) throw new Error(`page of ${page.envelopes.length}, expected 100`)
    }
    return out
  }
  const topicMs = await pageMs([TOPICS[1]])
  const allMs = await pageMs(undefined)
  return {
    backend,
    putPerSecond: ENTRIES / (putMs / 1000),
    putPerCpuSecond: ENTRIES / (putCpuUs / 1e6),
    p50Topic: quantile(topicMs, 0.5),
    p99Topic: quantile(topicMs, 0.99),
    p50All: quantile(allMs, 0.5),
    p99All: quantile(allMs, 0.99),
    diskPerEnvelope: diskBytes() / ENTRIES,
  }
}

const du = (path: string): number => Number(execFileSync('du', ['-sb', path], { encoding: 'utf8' }).split('\t')[0])

console.log(`mail bench: ${fmt(ENTRIES)} envelopes of ${DATA_BYTES} B data, ${cpus()[0]?.model ?? 'cpu'} ×${cpus().length}, Node ${process.version}, load ${loadavg()[0].toFixed(2)}\n`)
const results: Result[] = []
{
  const dir = await mkdtemp(join(tmpdir(), 'hush-mail-bench-'))
  const path = join(dir, 'archive')
  const archive = await openLevelArchive({ path })
  results.push(await run('LevelDB (classic-level, sync writes)', archive, () => du(path)))
  await archive.close()
  await rm(dir, { recursive: true, force: true })
}
{
  const server = await startPostgres()
  try {
    const archive = await openPostgresArchive({ connectionString: server.connectionString, table: 'bench_archive' })
    const size = async (): Promise<number> => {
      const pg = await import('pg')
      const client = new pg.default.Client({ connectionString: server.connectionString })
      await client.connect()
      const r = await client.query("select pg_total_relation_size('bench_archive') + pg_total_relation_size('bench_archive_stats') as bytes")
      await client.end()
      return Number(r.rows[0].bytes)
    }
    const r = await run('PostgreSQL 15 (one transaction per batch)', archive, () => 0)
    results.push({ ...r, diskPerEnvelope: (await size()) / ENTRIES })
    await archive.close()
  } finally {
    await server.stop()
  }
}

console.log(`Archive: batches of ${BATCH}, each durable before the next. Pages: limit 100 from ${QUERIES} start times spread over the range.\n`)
console.log('| backend | archived envelopes/s | envelopes per CPU-second | page of 100, one topic of 4: p50 / p99 ms | page of 100, all topics: p50 / p99 ms | disk bytes per envelope |')
console.log('| --- | ---: | ---: | ---: | ---: | ---: |')
for (const r of results) {
  console.log(`| ${r.backend} | ${fmt(r.putPerSecond)} | ${fmt(r.putPerCpuSecond)} | ${fmt(r.p50Topic, 2)} / ${fmt(r.p99Topic, 2)} | ${fmt(r.p50All, 2)} / ${fmt(r.p99All, 2)} | ${fmt(r.diskPerEnvelope)} |`)
}
const level = results[0]
console.log(`\ngoals: LevelDB archive ≥ 50,000 envelopes per CPU-second: ${level.putPerCpuSecond >= 50_000 ? 'met' : 'not met'}; page of 100 at ${fmt(ENTRIES)} p50 ≤ 5 ms: ${results.every((r) => r.p50Topic <= 5 && r.p50All <= 5) ? 'met' : 'not met'}`)
