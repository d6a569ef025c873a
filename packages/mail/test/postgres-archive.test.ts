/**
 * What only the PostgreSQL archive has: its init checks, pool ownership, totals kept by several
 * writers, tables side by side on one server, reopening, and its chunked SQL paths (bloom scan,
 * topic budget, prune). The behaviour both backends share is the conformance suite's.
 * One throwaway server for the file; each test uses its own table.
 */
import { bloomMatches, encodeEnvelope, keccak256, topicFromString, topicToBloom, topicsToBloom } from '@hush/envelope'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Archive, ArchiveClosedError, type ArchiveEntry, type HistoryQuery } from '../src/archive.ts'
import { compareKeys, encodeKey } from '../src/key.ts'
import { openPostgresArchive } from '../src/postgres-archive.ts'
import { type PostgresServer, startPostgres, uniqueTable } from './fixtures/postgres.ts'

const BASE_TIME = 1_700_000_000
const TOPICS = ['alpha', 'beta', 'gamma', 'delta'].map(topicFromString)

/** The entry of a real envelope: `n` tells it apart, it was sent at `time` on `topic`. */
function entry(n: number, time = BASE_TIME + Math.floor(n / 3), topic = TOPICS[n % TOPICS.length]): ArchiveEntry {
  const ttl = 60
  const data = new Uint8Array(8 + (n % 13))
  new DataView(data.buffer).setUint32(0, n)
  const raw = encodeEnvelope({ expiry: time + ttl, ttl, topic, data, nonce: BigInt(n) })
  return { time, hash: keccak256(raw), topic, raw }
}

const entries = (count: number, first = 0): ArchiveEntry[] => Array.from({ length: count }, (_, i) => entry(first + i))
const bytesOf = (list: readonly ArchiveEntry[]): number => list.reduce((sum, e) => sum + e.raw.length, 0)
const hex = (items: readonly Uint8Array[]): string[] => items.map((b) => Buffer.from(b).toString('hex'))
const sorted = (list: readonly ArchiveEntry[]): ArchiveEntry[] =>
  [...list].sort((a, b) => compareKeys(encodeKey(a.time, a.hash), encodeKey(b.time, b.hash)))

/** Every page of `query`, following cursors. */
async function allPages(archive: Archive, query: HistoryQuery): Promise<{ envelopes: Uint8Array[]; pages: number }> {
  const envelopes: Uint8Array[] = []
  let cursor: Uint8Array | undefined
  let pages = 0
  do {
    const page = await archive.query(cursor === undefined ? query : { ...query, cursor })
    envelopes.push(...page.envelopes)
    cursor = page.cursor
    pages++
  } while (cursor !== undefined)
  return { envelopes, pages }
}

let server: PostgresServer
const open: Archive[] = []

/** Opens an archive that the file's teardown closes. */
async function openArchive(table = uniqueTable()): Promise<Archive> {
  const archive = await openPostgresArchive({ connectionString: server.connectionString, table })
  open.push(archive)
  return archive
}

beforeAll(async () => {
  server = await startPostgres()
})

afterAll(async () => {
  await Promise.all(open.map((a) => a.close()))
  await server?.stop()
})

describe('openPostgresArchive init', () => {
  it.each(['', 'Hush', '1abc', 'a-b', 'a b', 'x"; drop table y; --', 'a'.repeat(42), 'ä'])('rejects table %j with a RangeError naming it', async (table) => {
    await expect(openPostgresArchive({ connectionString: 'postgres://127.0.0.1:1/x', table })).rejects.toThrow(RangeError)
    await expect(openPostgresArchive({ connectionString: 'postgres://127.0.0.1:1/x', table })).rejects.toThrow(JSON.stringify(table))
  })

  it('accepts the longest valid table name', async () => {
    const archive = await openArchive(`_${'a'.repeat(40)}`)
    expect(await archive.stats()).toEqual({ count: 0, bytes: 0 })
  })

  it('wants exactly one of connectionString and pool (TypeError)', async () => {
    const pool = new pg.Pool({ connectionString: server.connectionString })
    try {
      await expect(openPostgresArchive({})).rejects.toThrow(TypeError)
      await expect(openPostgresArchive({ connectionString: server.connectionString, pool })).rejects.toThrow(TypeError)
      await expect(openPostgresArchive({ pool: {} as pg.Pool })).rejects.toThrow(TypeError)
      await expect(openPostgresArchive({ connectionString: 42 as unknown as string })).rejects.toThrow(TypeError)
    } finally {
      await pool.end()
    }
  })

  it('rejects when the server cannot be reached', async () => {
    await expect(openPostgresArchive({ connectionString: 'postgres://postgres@127.0.0.1:1/postgres' })).rejects.toThrow()
  })

  it('defaults the table to hush_archive', async () => {
    const archive = await openPostgresArchive({ connectionString: server.connectionString })
    open.push(archive)
    await archive.put([entry(1)])
    const pool = new pg.Pool({ connectionString: server.connectionString })
    try {
      const r = await pool.query('SELECT count(*)::int AS n FROM hush_archive')
      expect(r.rows[0].n).toBe(1)
    } finally {
      await pool.end()
    }
  })
})

describe('pool ownership and close', () => {
  it('leaves a given pool open after close', async () => {
    const pool = new pg.Pool({ connectionString: server.connectionString })
    try {
      const archive = await openPostgresArchive({ pool, table: uniqueTable() })
      expect(archive.kind).toBe('postgres')
      await archive.put(entries(3))
      await archive.close()
      const r = await pool.query('SELECT 1 AS one')
      expect(r.rows[0].one).toBe(1)
    } finally {
      await pool.end()
    }
  })

  it('waits for calls in flight, is idempotent, then every method rejects with ArchiveClosedError', async () => {
    const archive = await openPostgresArchive({ connectionString: server.connectionString, table: uniqueTable() })
    const put = archive.put(entries(50))
    const closing = archive.close()
    expect(archive.close()).toBe(closing)
    await expect(put).resolves.toBe(50)
    await closing
    await archive.close()
    await expect(archive.put(entries(1))).rejects.toThrow(ArchiveClosedError)
    await expect(archive.query({ from: 0, to: 1, limit: 1 })).rejects.toThrow(ArchiveClosedError)
    await expect(archive.prune({ before: 1 })).rejects.toThrow(ArchiveClosedError)
    await expect(archive.stats()).rejects.toThrow(ArchiveClosedError)
  })
})

describe('totals with several writers', () => {
  it('stay right under 4 concurrent puts of overlapping entries', async () => {
    const archive = await openArchive()
    const all = entries(400)
    // Overlapping slices, one reversed and one with its own duplicates: every key lands once.
    const slices = [all.slice(0, 250), all.slice(100, 350).reverse(), all.slice(200, 400), [...all.slice(0, 50), ...all.slice(0, 50), ...all.slice(300, 400)]]
    const added = await Promise.all(slices.map((s) => archive.put(s)))
    expect(added.reduce((a, b) => a + b, 0)).toBe(400)
    expect(await archive.stats()).toEqual({ count: 400, bytes: bytesOf(all) })
    // And again, all at once: nothing new.
    expect(await Promise.all(slices.map((s) => archive.put(s)))).toEqual([0, 0, 0, 0])
    expect(await archive.stats()).toEqual({ count: 400, bytes: bytesOf(all) })
  })

  it('stay right with two archives writing one table and pruning beside the puts', async () => {
    const table = uniqueTable()
    const [a, b] = await Promise.all([openArchive(table), openArchive(table)])
    const all = entries(300)
    await Promise.all([a.put(all.slice(0, 200)), b.put(all.slice(100, 300)), a.prune({ before: BASE_TIME + 20 }), b.prune({ maxBytes: 5000 })])
    const stats = await a.stats()
    expect(await b.stats()).toEqual(stats)
    const page = await a.query({ from: 0, to: 2 ** 32 - 1, limit: 1000 })
    expect(stats).toEqual({ count: page.envelopes.length, bytes: page.envelopes.reduce((s, e) => s + e.length, 0) })
  })

  it('count duplicates inside one call once', async () => {
    const archive = await openArchive()
    const e = entry(7)
    expect(await archive.put([e, e, { ...e, raw: e.raw.slice() }])).toBe(1)
    expect(await archive.stats()).toEqual({ count: 1, bytes: e.raw.length })
  })
})

describe('tables and reopening', () => {
  it('keeps two archives on two tables of one server apart', async () => {
    const [a, b] = await Promise.all([openArchive(), openArchive()])
    await a.put(entries(10))
    await b.put(entries(4, 100))
    expect(await a.stats()).toEqual({ count: 10, bytes: bytesOf(entries(10)) })
    expect(await b.stats()).toEqual({ count: 4, bytes: bytesOf(entries(4, 100)) })
    const query = { from: 0, to: 2 ** 32 - 1, limit: 100 }
    expect(hex((await a.query(query)).envelopes)).toEqual(hex(sorted(entries(10)).map((e) => e.raw)))
    expect(hex((await b.query(query)).envelopes)).toEqual(hex(sorted(entries(4, 100)).map((e) => e.raw)))
    await a.prune({ maxBytes: 0 })
    expect((await a.stats()).count).toBe(0)
    expect((await b.stats()).count).toBe(4)
  })

  it('keeps data and totals when closed and reopened on the same table', async () => {
    const table = uniqueTable()
    const first = await openPostgresArchive({ connectionString: server.connectionString, table })
    const all = entries(120)
    await first.put(all)
    await first.prune({ before: BASE_TIME + 10 })
    const stats = await first.stats()
    const query = { from: 0, to: 2 ** 32 - 1, limit: 1000 }
    const before = await first.query(query)
    await first.close()

    const again = await openArchive(table)
    expect(await again.stats()).toEqual(stats)
    const after = await again.query(query)
    expect(hex(after.envelopes)).toEqual(hex(before.envelopes))
    expect(hex([after.digest])).toEqual(hex([before.digest]))
    expect(await again.put(all)).toBe(30)
    expect(await again.stats()).toEqual({ count: 120, bytes: bytesOf(all) })
  })

  it('rebuilds lost totals from the data when reopened', async () => {
    const table = uniqueTable()
    const first = await openArchive(table)
    await first.put(entries(25))
    const pool = new pg.Pool({ connectionString: server.connectionString })
    try {
      await pool.query(`DELETE FROM ${table}_stats`)
    } finally {
      await pool.end()
    }
    const again = await openArchive(table)
    expect(await again.stats()).toEqual({ count: 25, bytes: bytesOf(entries(25)) })
  })
})

describe('SQL paths', () => {
  // Many entries (more than a scan chunk and a prune chunk), few topics, several per second.
  const ALL = entries(2600)
  const SORTED = sorted(ALL)
  const FULL = { from: 0, to: 2 ** 32 - 1 }
  let archive: Archive

  beforeAll(async () => {
    archive = await openArchive()
    expect(await archive.put(ALL)).toBe(ALL.length)
  })

  it('pages a topic query with a cursor into every match exactly once', async () => {
    const topics = [TOPICS[1], TOPICS[3], TOPICS[1]]
    const want = SORTED.filter((e) => e.topic === TOPICS[1] || e.topic === TOPICS[3])
    const { envelopes, pages } = await allPages(archive, { ...FULL, topics, limit: 97 })
    expect(hex(envelopes)).toEqual(hex(want.map((e) => e.raw)))
    expect(pages).toBe(Math.ceil(want.length / 97))
  })

  it('ends a topic page at the scan budget, counting entries of every topic', async () => {
    const page = await archive.query({ ...FULL, topics: [TOPICS[0]], limit: 500, maxScan: 1000 })
    const scanned = SORTED.slice(0, 1000)
    expect(hex(page.envelopes)).toEqual(hex(scanned.filter((e) => e.topic === TOPICS[0]).map((e) => e.raw)))
    expect(hex([page.cursor as Uint8Array])).toEqual(hex([encodeKey(scanned[999].time, scanned[999].hash)]))
  })

  it('puts the cursor of a full topic page on the last entry before the next match', async () => {
    const page = await archive.query({ ...FULL, topics: [TOPICS[2]], limit: 3 })
    const i = SORTED.findIndex((e, k) => e.topic === TOPICS[2] && SORTED.slice(0, k).filter((x) => x.topic === TOPICS[2]).length === 3)
    expect(page.envelopes).toHaveLength(3)
    expect(hex([page.cursor as Uint8Array])).toEqual(hex([encodeKey(SORTED[i - 1].time, SORTED[i - 1].hash)]))
  })

  it('scans a bloom query in chunks, within the budget, and pages through every match', async () => {
    const bloom = topicsToBloom([TOPICS[0]])
    const want = SORTED.filter((e) => bloomMatches(bloom, topicToBloom(e.topic)))
    const { envelopes } = await allPages(archive, { ...FULL, bloom, limit: 10_000, maxScan: 10_000 })
    expect(hex(envelopes)).toEqual(hex(want.map((e) => e.raw)))
    const budgeted = await allPages(archive, { ...FULL, bloom, limit: 50, maxScan: 300 })
    expect(hex(budgeted.envelopes)).toEqual(hex(want.map((e) => e.raw)))
    const first = await archive.query({ ...FULL, bloom, limit: 300, maxScan: 300 })
    expect(first.envelopes.length).toBe(SORTED.slice(0, 300).filter((e) => bloomMatches(bloom, topicToBloom(e.topic))).length)
    expect(hex([first.cursor as Uint8Array])).toEqual(hex([encodeKey(SORTED[299].time, SORTED[299].hash)]))
  })

  it('answers a range with no lower bound and one ending mid-second', async () => {
    const to = SORTED[40].time
    const page = await archive.query({ from: 0, to, limit: 1000 })
    expect(hex(page.envelopes)).toEqual(hex(SORTED.filter((e) => e.time <= to).map((e) => e.raw)))
    expect(page.cursor).toBeUndefined()
    expect(page.envelopes[0]).toBeInstanceOf(Uint8Array)
    expect(Buffer.isBuffer(page.envelopes[0])).toBe(false)
  })

  it('prunes past the byte cap oldest first across chunks', async () => {
    const own = await openArchive()
    await own.put(ALL)
    const keep = 20_000
    const total = bytesOf(ALL)
    // LevelDB's rule: remove the oldest while the bytes removed so far are short of the excess.
    let cut = 0
    let n = 0
    while (cut < total - keep) cut += SORTED[n++].raw.length
    expect(await own.prune({ maxBytes: keep })).toEqual({ removed: n, bytes: cut })
    expect(await own.stats()).toEqual({ count: ALL.length - n, bytes: total - cut })
    const left = await own.query({ ...FULL, limit: 10_000 })
    expect(hex(left.envelopes)).toEqual(hex(SORTED.slice(n).map((e) => e.raw)))
  })
})
