/**
 * @hush/pool benchmarks: add, select and prune at 10k, 100k and 1M entries, and memory per entry
 * for 100k × 1 KiB envelopes (after filling, after churn of equal sizes, and after churn of mixed
 * sizes that leaves holes only compaction reclaims). The evicting add is timed twice: first right
 * after the fill (issue 11's figure, while the seen cache still grows), then once the seen cache
 * is full, as in a long flood. It ends with issue 11's two figures side by side: the evicting add
 * rate at 100k entries and the memory after churn. Run after building:
 * `npx tsc -b packages/pool && node --expose-gc --import tsx bench/pool.bench.ts`
 * (plain `npx tsx bench/pool.bench.ts` works too: the script enables `gc` itself when needed).
 * Prints Markdown tables (paste them into bench/README.md). `BENCH_TIME_MS` sets the time per task;
 * `BENCH_POOL_SIZES=10000,100000` limits the sizes.
 *
 * Entries are real envelopes with their canonical bytes (encoded, then decoded strictly, so `data`
 * and `topic` are views into `raw`, as in the node); the pool copies `raw` into its slabs. 10k and
 * 100k carry 1 KiB of data, 1M carries 64 B to stay in memory. Hashes in the timed loops are a
 * counter written into a reused 32-byte array (the pool copies its key), so no two adds collide;
 * ratings come from a fixed PRNG.
 */
import { cpus } from 'node:os'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { decodeEnvelope, encodeEnvelope, type Envelope, keccak256, topicsToBloom } from '@hush/envelope'
import { createPool, DEFAULT_SEEN_MAX_COUNT, type Pool, type PoolEntryInit } from '@hush/pool'
import { Bench, type Task } from 'tinybench'
import { seededRandom } from '../packages/node/test/fixtures/topology.ts'

const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 400)
const SIZES = (process.env.BENCH_POOL_SIZES ?? '10000,100000,1000000').split(',').map(Number)
const ADD_BATCH = 1000
const PRUNE_BATCH = 1000
const NOW = 1_764_072_000
const FAR_EXPIRY = NOW + 3600
const PEERS = Array.from({ length: 16 }, (_, i) => `peer-${i}`)
const TOPICS = Array.from({ length: 64 }, (_, i) => new Uint8Array([i, i * 7, i * 13, i * 29]))
/** A peer watching 8 of the 64 topics. */
const PEER_BLOOM = topicsToBloom(TOPICS.slice(0, 8))
const TARGET_ADD_OPS = 500_000
const TARGET_MEMORY_RATIO = 1.3

/** An envelope and its canonical bytes, as the node hands them to the pool. */
interface Received {
  envelope: Envelope
  raw: Uint8Array
}

/**
 * A real envelope sent 5 s before `NOW` and expiring at `expiry`: encoded and decoded, so its
 * fields are views into its own canonical bytes `raw`.
 */
function makeEnvelope(i: number, dataBytes: number, expiry: number): Received {
  const ttl = expiry - (NOW - 5)
  const data = new Uint8Array(dataBytes)
  for (let j = 0; j < 8 && j < dataBytes; j++) data[j] = (i >>> (8 * (j & 3))) & 0xff
  const raw = encodeEnvelope({ expiry, ttl, topic: TOPICS[i % TOPICS.length], data, nonce: BigInt(i) })
  return { envelope: decodeEnvelope(raw), raw }
}

/** A reused hash buffer holding a counter: unique keys without allocating in the timed loop. */
function counterHash(buf: Uint8Array, n: number): Uint8Array {
  buf[0] = n & 0xff
  buf[1] = (n >>> 8) & 0xff
  buf[2] = (n >>> 16) & 0xff
  buf[3] = (n >>> 24) & 0xff
  buf[4] = 0x5a
  return buf
}

/** Mean time per iteration in µs of a finished task. */
function periodUs(task: Task | undefined): number {
  const r = task?.result
  if (r === undefined || r.state !== 'completed') {
    throw new Error(`task ${task?.name} did not complete`, { cause: r?.state === 'errored' ? r.error : r?.state })
  }
  return r.period * 1000
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')
const fmtUs = (us: number): string => (us < 10 ? us.toFixed(2) : us < 100 ? us.toFixed(1) : us.toFixed(0))
const table = (head: string[], rows: string[][]): string =>
  [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n')

interface SizeResult {
  size: number
  dataBytes: number
  addRoomOps: number
  addOps: number
  /** Evicting adds once the seen cache is full (see the 'add (seen cache full)' task). */
  addSteadyOps: number
  addAccepted: number
  selectTopUs: number
  selectBloomUs: number
  selectSyncMs: number
  pruneOps: number
}

async function benchSize(size: number): Promise<SizeResult> {
  const dataBytes = size >= 1_000_000 ? 64 : 1024
  const random = seededRandom(size)
  // A ring of real envelopes shared by the timed adds (the pool copies their bytes).
  const ring: Received[] = Array.from({ length: 4096 }, (_, i) => makeEnvelope(i, dataBytes, FAR_EXPIRY))
  const pool: Pool = createPool({ maxCount: size, maxBytes: 8 * 1024 * 1024 * 1024, maxEnvelopeBytes: 1024 * 1024 })

  // Fill with distinct real envelopes and their real hashes.
  for (let i = 0; i < size; i++) {
    const { envelope, raw } = makeEnvelope(i, dataBytes, FAR_EXPIRY - (i % 600))
    const init: PoolEntryInit = { envelope, raw, hash: keccak256(raw), pow: 1, rating: random(), peer: PEERS[i % PEERS.length] }
    pool.add(init, NOW)
  }
  if (pool.size !== size) throw new Error(`fill: pool holds ${pool.size}, expected ${size}`)

  // add: the pool is full, every newcomer rates above the old minimum, so each add evicts one.
  const hash = new Uint8Array(32)
  let counter = 0
  let accepted = 0
  const bench = new Bench({ time: TIME_MS, warmupTime: 100, iterations: 10, warmupIterations: 2 })
  // add with room: the pool holds `size` entries and has room to spare; each timed batch is
  // deleted again (untimed) after its iteration, so the pool stays at `size`.
  const roomPool: Pool = createPool({ maxCount: 2 * size + 10 * ADD_BATCH, maxBytes: 8 * 1024 * 1024 * 1024, maxEnvelopeBytes: 1024 * 1024 })
  for (let i = 0; i < size; i++) {
    roomPool.add({ ...ring[i & 4095], hash: counterHash(hash, 0x4000_0000 + i), pow: 1, rating: random(), peer: PEERS[i & 15] }, NOW)
  }
  let roomCounter = 0
  const roomBatch = new Uint8Array(32 * ADD_BATCH)
  bench.add('add (room)', () => {
    for (let i = 0; i < ADD_BATCH; i++) {
      const n = roomCounter++
      const h = counterHash(roomBatch.subarray(32 * i, 32 * i + 32), n)
      const r = ring[n & 4095]
      if (roomPool.add({ envelope: r.envelope, raw: r.raw, hash: h, pow: 1, rating: random(), peer: PEERS[n & 15] }, NOW).status !== 'added') {
        throw new Error('add (room) was refused')
      }
    }
  }, {
    afterEach() {
      for (let i = 0; i < ADD_BATCH; i++) roomPool.delete(roomBatch.subarray(32 * i, 32 * i + 32))
    },
  })
  const addBatch = (): void => {
    for (let i = 0; i < ADD_BATCH; i++) {
      const n = counter++
      const r = ring[n & 4095]
      const result = pool.add({ envelope: r.envelope, raw: r.raw, hash: counterHash(hash, n), pow: 1, rating: 1 + n / size + random(), peer: PEERS[n & 15] }, NOW)
      if (result.status === 'added') accepted++
    }
  }
  // The issue 11 figure: the first evictions after the fill, while the seen cache still grows
  // (from the pool's own ids to those plus 200k seen records: its arrays are copied as they grow).
  bench.add('add', addBatch)
  // The same once the seen cache is full, as in a long flood: each eviction then also forgets one
  // seen record, and nothing grows. Not a target; printed beside it.
  bench.add('add (seen cache full)', addBatch, {
    beforeAll() {
      while (pool.seen.size < DEFAULT_SEEN_MAX_COUNT) addBatch()
    },
  })
  bench.add('select top 64', () => pool.select({ limit: 64 }))
  bench.add('select bloom top 64', () => pool.select({ bloom: PEER_BLOOM, minPow: 0.2, limit: 64 }))
  bench.add('select bloom all (on-connect sync)', () => pool.select({ bloom: PEER_BLOOM, minPow: 0.2 }))
  // prune: each iteration first (untimed) adds PRUNE_BATCH entries expiring at NOW + 1, then times
  // prune(NOW + 2), which removes exactly those among `size` entries.
  let pruneCounter = 1 << 30
  bench.add('prune', () => {
    if (pool.prune(NOW + 2).length !== PRUNE_BATCH) throw new Error('prune removed an unexpected number')
  }, {
    beforeEach() {
      for (let i = 0; i < PRUNE_BATCH; i++) {
        const n = pruneCounter++
        pool.add({ ...makeEnvelope(n, 0, NOW + 1), hash: counterHash(hash, n), pow: 1, rating: 1e9, peer: PEERS[n & 15] }, NOW)
      }
    },
  })
  await bench.run()
  const addAccepted = accepted / counter
  return {
    size,
    dataBytes,
    addRoomOps: (ADD_BATCH * 1e6) / periodUs(bench.getTask('add (room)')),
    addOps: (ADD_BATCH * 1e6) / periodUs(bench.getTask('add')),
    addSteadyOps: (ADD_BATCH * 1e6) / periodUs(bench.getTask('add (seen cache full)')),
    addAccepted,
    selectTopUs: periodUs(bench.getTask('select top 64')),
    selectBloomUs: periodUs(bench.getTask('select bloom top 64')),
    selectSyncMs: periodUs(bench.getTask('select bloom all (on-connect sync)')) / 1000,
    pruneOps: (PRUNE_BATCH * 1e6) / periodUs(bench.getTask('prune')),
  }
}

/** `gc` from `--expose-gc`, or enabled at run time when the flag was not given. */
function getGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc
  if (existing !== undefined) return existing
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
}

function heapAndBuffers(gc: () => void): number {
  gc()
  gc()
  const m = process.memoryUsage()
  return m.heapUsed + m.arrayBuffers
}

interface MemoryResult {
  count: number
  /** Σ raw.length held after the mixed-size churn. */
  mixedRawBytes: number
  mixedPerEntry: number
  /** Σ raw.length: the encoded envelope bytes held. */
  rawBytes: number
  /** Σ size() (20 + data length), the pool's own byte count. */
  sizeBytes: number
  totalPerEntry: number
  churnPerEntry: number
  churnAdds: number
  envelopePerEntry: number
}

/**
 * Memory for `count` × 1 KiB envelopes: growth of heapUsed + arrayBuffers after a forced GC.
 * `total` is everything the full pool keeps alive (slabs, keys, tables, heaps), from adds of
 * envelopes and raw buffers that the bench drops right after each add, so only the pool's own
 * memory remains. `churn` is the same after `count / 2` more adds into the full pool, each
 * evicting the lowest-rated entry (random with respect to slab position): the slabs' worst case,
 * reclaimed by compaction. `envelope` is what the decoded envelope objects alone would cost (the
 * pool no longer keeps them).
 */
function measureMemory(count: number): MemoryResult {
  const gc = getGc()
  const random = seededRandom(7)
  const base = heapAndBuffers(gc)
  let pool: Pool | undefined = createPool({ maxCount: count, maxBytes: 1024 * 1024 * 1024 })
  let rawBytes = 0
  for (let i = 0; i < count; i++) {
    const { envelope, raw } = makeEnvelope(i, 1024, FAR_EXPIRY - (i % 600))
    rawBytes += raw.length
    pool.add({ envelope, raw, hash: keccak256(raw), pow: 1.5, rating: random(), peer: PEERS[i % PEERS.length] }, NOW)
  }
  const full = heapAndBuffers(gc)
  // Read `pool` after each measurement: optimised code may otherwise treat it as dead before the GC.
  if (pool.size !== count) throw new Error('memory: pool did not take every envelope')
  const sizeBytes = pool.bytes
  const churnAdds = count / 2
  for (let i = count; i < count + churnAdds; i++) {
    const { envelope, raw } = makeEnvelope(i, 1024, FAR_EXPIRY - (i % 600))
    const r = pool.add({ envelope, raw, hash: keccak256(raw), pow: 1.5, rating: 1 + random(), peer: PEERS[i % PEERS.length] }, NOW)
    if (r.status !== 'added' || r.evicted !== 1) throw new Error('memory: churn add did not evict one entry')
  }
  const churned = heapAndBuffers(gc)
  if (pool.size !== count) throw new Error('memory: churn changed the pool size')
  pool = undefined
  // Mixed sizes: the same fill, then churn whose data lengths vary from 512 B to 1.5 KiB, so
  // freed rooms rarely fit the next newcomer's size class and compaction must reclaim them.
  pool = createPool({ maxCount: count, maxBytes: 1024 * 1024 * 1024 })
  for (let i = 0; i < count; i++) {
    const { envelope, raw } = makeEnvelope(i, 1024, FAR_EXPIRY - (i % 600))
    pool.add({ envelope, raw, hash: keccak256(raw), pow: 1.5, rating: random(), peer: PEERS[i % PEERS.length] }, NOW)
  }
  for (let i = count; i < count + churnAdds; i++) {
    const { envelope, raw } = makeEnvelope(i, 512 + Math.floor(random() * 1024), FAR_EXPIRY - (i % 600))
    const r = pool.add({ envelope, raw, hash: keccak256(raw), pow: 1.5, rating: 1 + random(), peer: PEERS[i % PEERS.length] }, NOW)
    if (r.status !== 'added' || r.evicted < 1) throw new Error('memory: mixed churn add did not evict')
  }
  const mixed = heapAndBuffers(gc)
  let mixedRawBytes = 0
  for (const entry of pool.entries()) mixedRawBytes += (pool.getRaw(entry.key) as Uint8Array).length
  const mixedCount = pool.size
  pool = undefined
  const emptyAgain = heapAndBuffers(gc)
  const envelopes: Envelope[] = Array.from({ length: count }, (_, i) => makeEnvelope(i, 1024, FAR_EXPIRY).envelope)
  const withEnvelopes = heapAndBuffers(gc)
  if (envelopes.length !== count) throw new Error('memory: envelopes went missing')
  return {
    count,
    mixedRawBytes,
    mixedPerEntry: (mixed - emptyAgain) / mixedCount,
    rawBytes,
    sizeBytes,
    totalPerEntry: (full - base) / count,
    churnPerEntry: (churned - base) / count,
    churnAdds,
    envelopePerEntry: (withEnvelopes - emptyAgain) / count,
  }
}

const results: SizeResult[] = []
for (const size of SIZES) results.push(await benchSize(size))
const memory = measureMemory(100_000)

console.log(`\n@hush/pool — ${new Date().toISOString().slice(0, 10)}, ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}\n`)
console.log(
  table(
    ['entries (data)', 'add ops/s (room)', 'add ops/s (full, evicting)', 'same, seen cache full', 'accepted', 'select top 64 µs', 'select bloom top 64 µs', 'select bloom all ms', 'prune entries/s'],
    results.map((r) => [
      `${fmt(r.size)} (${r.dataBytes} B)`,
      fmt(r.addRoomOps),
      fmt(r.addOps),
      fmt(r.addSteadyOps),
      `${(r.addAccepted * 100).toFixed(0)}%`,
      fmtUs(r.selectTopUs),
      fmtUs(r.selectBloomUs),
      r.selectSyncMs.toFixed(1),
      fmt(r.pruneOps),
    ])
  )
)
const raw = memory.rawBytes / memory.count
const size = memory.sizeBytes / memory.count
console.log(`\nMemory, ${fmt(memory.count)} × 1 KiB envelopes (raw RLP ${raw.toFixed(0)} B each; size() ${size.toFixed(0)} B):\n`)
console.log(
  table(
    ['what', 'bytes per entry', '× raw RLP', '× size()'],
    [
      ['pool total, full (slabs, keys, tables, heaps)', fmt(memory.totalPerEntry), (memory.totalPerEntry / raw).toFixed(2), (memory.totalPerEntry / size).toFixed(2)],
      [`pool total after ${fmt(memory.churnAdds)} evicting adds (random victims, equal sizes)`, fmt(memory.churnPerEntry), (memory.churnPerEntry / raw).toFixed(2), (memory.churnPerEntry / size).toFixed(2)],
      [
        `pool total after ${fmt(memory.churnAdds)} evicting adds of 512 B to 1.5 KiB (compaction)`,
        '–',
        (memory.mixedPerEntry / (memory.mixedRawBytes / memory.count)).toFixed(2),
        '–',
      ],
      ['for comparison: a decoded envelope object alone', fmt(memory.envelopePerEntry), (memory.envelopePerEntry / raw).toFixed(2), (memory.envelopePerEntry / size).toFixed(2)],
    ]
  )
)

// Issue 11's two required figures, side by side from this one run.
const add100k = results.find((r) => r.size === 100_000)
const fullRatio = memory.totalPerEntry / raw
const churnRatio = memory.churnPerEntry / raw
const mixedRatio = memory.mixedPerEntry / (memory.mixedRawBytes / memory.count)
const met = (ok: boolean): string => (ok ? 'yes' : 'NO')
console.log('\nTargets (issue 11):\n')
console.log(
  table(
    ['target', 'measured', 'met'],
    [
      ...(add100k === undefined
        ? []
        : [
            [`add at 100k entries (1 KiB), every add evicting ≥ ${fmt(TARGET_ADD_OPS)} ops/s`, `${fmt(add100k.addOps)} ops/s`, met(add100k.addOps >= TARGET_ADD_OPS)],
            [`(not a target) the same once the seen cache is full`, `${fmt(add100k.addSteadyOps)} ops/s`, '–'],
            [`add at 100k entries (1 KiB), with room ≥ ${fmt(TARGET_ADD_OPS)} ops/s`, `${fmt(add100k.addRoomOps)} ops/s`, met(add100k.addRoomOps >= TARGET_ADD_OPS)],
          ]),
      [`memory after churn (100k × 1 KiB + 50k evicting adds) ≤ ${TARGET_MEMORY_RATIO}× raw`, `${churnRatio.toFixed(2)}×`, met(churnRatio <= TARGET_MEMORY_RATIO)],
      [`memory full (100k × 1 KiB) ≤ ${TARGET_MEMORY_RATIO}× raw`, `${fullRatio.toFixed(2)}×`, met(fullRatio <= TARGET_MEMORY_RATIO)],
      [`(not a target) memory after mixed-size churn`, `${mixedRatio.toFixed(2)}×`, '–'],
    ]
  )
)
