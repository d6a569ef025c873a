/**
 * The shared archive: PostgreSQL through `pg`, for operators who run several mail-server nodes on
 * one database or who outgrow one machine's disk.
 *
 * Layout. One table `<table>(time bigint, hash bytea, topic bytea, raw bytea)` keyed by
 * `(time, hash)`: PostgreSQL compares that row with `bytea` bytewise, which is exactly the order
 * of the 36-byte archive key, so key ranges become row comparisons on the primary key. An index on
 * `(topic, time, hash)` serves topic queries. A one-row table `<table>_stats(count, bytes)` holds
 * the totals and is updated in the same transaction as every change, so it stays right with
 * several writers (several processes, or overlapping calls of one archive).
 *
 * Durability. Every `put` and `prune` is one transaction; it resolves once `COMMIT` returned, so
 * under the server's default `synchronous_commit = on` it is on disk.
 *
 * Concurrency. Calls run beside each other, each in its own transaction. `put` inserts in key
 * order and touches the totals last, and `prune` locks the totals first, so writers queue on the
 * keys or the totals row and never deadlock. A query reads one snapshot (`REPEATABLE READ`).
 *
 * Queries give the same pages and cursors as the LevelDB archive, scan budget included: a topic
 * query finds where the budget ends with one index scan (`OFFSET maxScan - 1`) and reads matches
 * up to there; a bloom query (which SQL cannot test) reads keys and topics in chunks and tests
 * them here, looking at no more than `maxScan` entries.
 */
import pg from 'pg'
import { type Archive, ArchiveClosedError, type ArchiveEntry, type ArchiveStats, type HistoryPage, type HistoryQuery, type PruneResult, type RetentionPolicy } from './archive.ts'
import { rangeDigest } from './digest.ts'
import { compareKeys, decodeKey, KEY_BYTES, writeKey } from './key.ts'
import { checkEntries, checkPolicy, type ResolvedQuery, resolveQuery } from './query.ts'

/** Settings of {@link openPostgresArchive}. Give exactly one of `connectionString` and `pool`. */
export interface PostgresArchiveInit {
  /** A libpq connection string; the archive makes its own pool and ends it on `close`. */
  readonly connectionString?: string
  /** A pool to use; the archive leaves it open on `close`. */
  readonly pool?: pg.Pool
  /**
   * The table's name (the totals live in `<table>_stats`): a lowercase SQL identifier,
   * `/^[a-z_][a-z0-9_]{0,40}$/`.
   * @default 'hush_archive'
   */
  readonly table?: string
}

const TABLE_NAME = /^[a-z_][a-z0-9_]{0,40}$/
/** Keys read per step of a bloom query's scan. */
const SCAN_CHUNK = 256
/** Entries removed per statement by `prune` while over `maxBytes`. */
const PRUNE_CHUNK = 1000
/** First half of the advisory lock that serialises schema creation (ASCII "hush"). */
const SCHEMA_LOCK = 0x6875_7368

/**
 * Opens an archive in a PostgreSQL database, creating its tables when missing.
 * @throws {TypeError} when not exactly one of `init.connectionString` and `init.pool` is given
 * @throws {RangeError} when `init.table` is not a valid table name (naming it)
 * @throws {Error} from `pg` when the server cannot be reached or the schema not created
 * @example
 * ```ts
 * const archive = await openPostgresArchive({ connectionString: 'postgres://mail@db/hush' })
 * await archive.put([{ time: envelope.expiry - envelope.ttl, hash, topic: envelope.topic, raw }])
 * const page = await archive.query({ from: 0, to: 2 ** 32 - 1, topics: [envelope.topic], limit: 100 })
 * await archive.close()
 * ```
 */
export async function openPostgresArchive(init: PostgresArchiveInit): Promise<Archive> {
  if (typeof init !== 'object' || init === null) throw new TypeError('init must be an object')
  const { connectionString, pool: given } = init
  if ((connectionString === undefined) === (given === undefined)) {
    throw new TypeError('init must have exactly one of connectionString and pool')
  }
  if (connectionString !== undefined && typeof connectionString !== 'string') throw new TypeError('init.connectionString must be a string')
  if (given !== undefined && !(given instanceof pg.Pool)) throw new TypeError('init.pool must be a pg.Pool')
  const table = init.table ?? 'hush_archive'
  if (typeof table !== 'string' || !TABLE_NAME.test(table)) {
    throw new RangeError(`init.table must match ${TABLE_NAME}, got ${JSON.stringify(table)}`)
  }
  const pool = given ?? new pg.Pool({ connectionString })
  // An idle client of our own pool that loses its server emits 'error' on the pool, which would
  // otherwise crash the process; the next call gets the error instead.
  if (given === undefined) pool.on('error', () => {})
  try {
    await createSchema(pool, table)
  } catch (err) {
    if (given === undefined) await pool.end()
    throw err
  }
  return new PostgresArchive(pool, given === undefined, table)
}

async function createSchema(pool: pg.Pool, table: string): Promise<void> {
  const t = `"${table}"`
  const stats = `"${table}_stats"`
  await transaction(pool, 'BEGIN', async (client) => {
    // Concurrent CREATE ... IF NOT EXISTS of one name can still collide in the catalogs.
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [SCHEMA_LOCK, table])
    await client.query(`CREATE TABLE IF NOT EXISTS ${t} (time bigint NOT NULL, hash bytea NOT NULL, topic bytea NOT NULL, raw bytea NOT NULL, PRIMARY KEY (time, hash))`)
    await client.query(`CREATE INDEX IF NOT EXISTS "${table}_topic" ON ${t} (topic, time, hash)`)
    await client.query(`CREATE TABLE IF NOT EXISTS ${stats} (count bigint NOT NULL, bytes bigint NOT NULL)`)
    // Totals from the data itself when the row is missing (a fresh table, or a lost totals table).
    await client.query(
      `INSERT INTO ${stats} (count, bytes) SELECT count(*), coalesce(sum(octet_length(raw)), 0) FROM ${t} WHERE NOT EXISTS (SELECT 1 FROM ${stats})`
    )
  })
}

type Client = pg.PoolClient

interface KeyRow {
  time: string
  hash: Buffer
}

class PostgresArchive implements Archive {
  readonly kind = 'postgres' as const
  private readonly pool: pg.Pool
  private readonly ownsPool: boolean
  private readonly t: string
  private readonly totals: string
  private readonly pending = new Set<Promise<unknown>>()
  private closing: Promise<void> | undefined

  constructor(pool: pg.Pool, ownsPool: boolean, table: string) {
    this.pool = pool
    this.ownsPool = ownsPool
    this.t = `"${table}"`
    this.totals = `"${table}_stats"`
  }

  put(entries: readonly ArchiveEntry[]): Promise<number> {
    return this.run(() => checkEntries(entries), async () => {
      // Distinct keys in key order: one count per key, and overlapping puts take row locks in
      // the same order (no deadlock). Copies now: the caller may reuse its buffers.
      const byKey = new Map<string, { key: Uint8Array; entry: ArchiveEntry }>()
      for (const entry of entries) {
        const key = new Uint8Array(KEY_BYTES)
        writeKey(key, 0, entry.time, entry.hash)
        const id = Buffer.from(key.buffer).toString('latin1')
        if (!byKey.has(id)) byKey.set(id, { key, entry })
      }
      const sorted = [...byKey.values()].sort((a, b) => compareKeys(a.key, b.key)).map((x) => x.entry)
      if (sorted.length === 0) return 0
      const params = [sorted.map((e) => e.time), sorted.map((e) => Buffer.from(e.hash)), sorted.map((e) => Buffer.from(e.topic)), sorted.map((e) => Buffer.from(e.raw))]
      return transaction(this.pool, 'BEGIN', async (client) => {
        const inserted = await client.query<{ n: number }>(
          `INSERT INTO ${this.t} (time, hash, topic, raw) SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::bytea[], $4::bytea[]) ON CONFLICT DO NOTHING RETURNING octet_length(raw) AS n`,
          params
        )
        const added = inserted.rows.length
        if (added > 0) {
          const bytes = inserted.rows.reduce((sum, row) => sum + row.n, 0)
          await client.query(`UPDATE ${this.totals} SET count = count + $1, bytes = bytes + $2`, [added, bytes])
        }
        return added
      })
    })
  }

  query(query: HistoryQuery): Promise<HistoryPage> {
    let q: ResolvedQuery
    return this.run(
      () => {
        q = resolveQuery(query)
      },
      () =>
        transaction(this.pool, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', (client) =>
          q.topics !== undefined || query.bloom === undefined ? this.sqlPage(client, q) : this.scanPage(client, q)
        )
    )
  }

  prune(policy: RetentionPolicy): Promise<PruneResult> {
    return this.run(() => checkPolicy(policy), () =>
      transaction(this.pool, 'BEGIN', async (client) => {
        // Lock the totals first: prunes run one at a time, and `bytes` stays exact while we cut.
        const totals = await client.query<{ bytes: string }>(`SELECT bytes FROM ${this.totals} FOR UPDATE`)
        let held = totals.rows.length === 0 ? 0 : Number(totals.rows[0].bytes)
        let removed = 0
        let bytes = 0
        const cut = async (sql: string, values: unknown[]): Promise<number> => {
          const r = await client.query<{ removed: number; bytes: string }>(
            `WITH d AS (${sql} RETURNING octet_length(${this.t}.raw) AS n) SELECT count(*)::int AS removed, coalesce(sum(n), 0)::bigint AS bytes FROM d`,
            values
          )
          const b = Number(r.rows[0].bytes)
          removed += r.rows[0].removed
          bytes += b
          held -= b
          return r.rows[0].removed
        }
        if (policy.before !== undefined) await cut(`DELETE FROM ${this.t} WHERE time < $1`, [policy.before])
        if (policy.maxBytes !== undefined) {
          // Oldest first, in chunks: each chunk removes entries while the bytes removed before
          // each one are still short of the excess (LevelDB's rule, entry by entry).
          while (held > policy.maxBytes) {
            const n = await cut(
              `DELETE FROM ${this.t} USING (
                 SELECT time, hash FROM (
                   SELECT time, hash, sum(n) OVER (ORDER BY time, hash ROWS UNBOUNDED PRECEDING) - n AS before
                   FROM (SELECT time, hash, octet_length(raw) AS n FROM ${this.t} ORDER BY time, hash LIMIT $1) oldest
                 ) running WHERE before < $2
               ) pick WHERE ${this.t}.time = pick.time AND ${this.t}.hash = pick.hash`,
              [PRUNE_CHUNK, held - policy.maxBytes]
            )
            if (n === 0) break
          }
        }
        if (removed > 0) await client.query(`UPDATE ${this.totals} SET count = count - $1, bytes = bytes - $2`, [removed, bytes])
        return { removed, bytes }
      })
    )
  }

  stats(): Promise<ArchiveStats> {
    return this.run(undefined, async () => {
      const r = await this.pool.query<{ count: string; bytes: string }>(`SELECT count, bytes FROM ${this.totals}`)
      return r.rows.length === 0 ? { count: 0, bytes: 0 } : { count: Number(r.rows[0].count), bytes: Number(r.rows[0].bytes) }
    })
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled([...this.pending])
      if (this.ownsPool) await this.pool.end()
    })()
    return this.closing
  }

  /**
   * A page with the topic test in SQL (or none). Same answer as LevelDB's scan: the budget ends at
   * the `maxScan`-th key of the range, the page is the first `limit` matches up to there, and when
   * one more match follows, the cursor is the key just before it (the last key LevelDB looked at).
   */
  private async sqlPage(client: Client, q: ResolvedQuery): Promise<HistoryPage> {
    const filtered = q.topics !== undefined
    // Unfiltered with maxScan > limit, the budget cannot end the page before the limit does.
    const budgetEnd = filtered || q.maxScan === q.limit ? await this.keyAt(client, q, q.maxScan) : undefined
    const values: unknown[] = []
    let where = range(values, q.after, budgetEnd ?? q.through)
    if (filtered) {
      values.push(q.topics?.map(toBuffer))
      where += ` AND topic = ANY($${values.length}::bytea[])`
    }
    values.push(q.limit + 1)
    const r = await client.query<KeyRow & { raw: Buffer }>(
      `SELECT time, hash, raw FROM ${this.t} WHERE ${where} ORDER BY time, hash LIMIT $${values.length}`,
      values
    )
    const rows = r.rows.slice(0, q.limit)
    let cursor: Uint8Array | undefined
    if (r.rows.length > q.limit) {
      cursor = filtered ? await this.keyBefore(client, r.rows[q.limit]) : keyOfRow(rows[rows.length - 1])
    } else {
      cursor = budgetEnd
    }
    return page(rows.map((row) => copy(row.raw)), rows.map((row) => copy(row.hash)), cursor)
  }

  /** A bloom page: LevelDB's loop over keys and topics read in chunks, then the matches' bytes. */
  private async scanPage(client: Client, q: ResolvedQuery): Promise<HistoryPage> {
    const found: KeyRow[] = []
    let scanned = 0
    let lower = q.after
    let last: Uint8Array | undefined
    let cursor: Uint8Array | undefined
    outer: for (;;) {
      const want = Math.min(SCAN_CHUNK, q.maxScan - scanned + 1)
      const values: unknown[] = []
      const where = range(values, lower, q.through)
      values.push(want)
      const r = await client.query<KeyRow & { topic: Buffer }>(
        `SELECT time, hash, topic FROM ${this.t} WHERE ${where} ORDER BY time, hash LIMIT $${values.length}`,
        values
      )
      for (const row of r.rows) {
        const key = keyOfRow(row)
        const match = q.matches(row.topic)
        if (match && found.length === q.limit) {
          // A further match exists: the next page starts right after what this one looked at.
          cursor = last
          break outer
        }
        scanned++
        last = key
        if (match) found.push(row)
        if (scanned === q.maxScan) {
          cursor = key
          break outer
        }
      }
      if (r.rows.length < want || last === undefined) break
      lower = last
    }
    if (found.length === 0) return page([], [], cursor)
    const raws = await client.query<{ raw: Buffer }>(
      `SELECT t.raw FROM unnest($1::bigint[], $2::bytea[]) WITH ORDINALITY AS k(time, hash, i) JOIN ${this.t} t ON t.time = k.time AND t.hash = k.hash ORDER BY k.i`,
      [found.map((row) => row.time), found.map((row) => row.hash)]
    )
    return page(raws.rows.map((row) => copy(row.raw)), found.map((row) => copy(row.hash)), cursor)
  }

  /** The key of the `n`-th entry (from 1) of the query's range, or `undefined` when it holds fewer. */
  private async keyAt(client: Client, q: ResolvedQuery, n: number): Promise<Uint8Array | undefined> {
    const values: unknown[] = []
    const where = range(values, q.after, q.through)
    values.push(n - 1)
    const r = await client.query<KeyRow>(`SELECT time, hash FROM ${this.t} WHERE ${where} ORDER BY time, hash OFFSET $${values.length} LIMIT 1`, values)
    return r.rows.length === 0 ? undefined : keyOfRow(r.rows[0])
  }

  /** The key of the entry just before `row` (one exists: the page's last entry). */
  private async keyBefore(client: Client, row: KeyRow): Promise<Uint8Array> {
    const r = await client.query<KeyRow>(
      `SELECT time, hash FROM ${this.t} WHERE (time, hash) < ($1::bigint, $2::bytea) ORDER BY time DESC, hash DESC LIMIT 1`,
      [row.time, row.hash]
    )
    return keyOfRow(r.rows[0])
  }

  /** Runs `check` now (its error rejects), then `body`, tracked so `close` can wait for it. */
  private run<T>(check: (() => void) | undefined, body: () => Promise<T>): Promise<T> {
    if (this.closing !== undefined) return Promise.reject(new ArchiveClosedError())
    try {
      check?.()
    } catch (err) {
      return Promise.reject(err)
    }
    const result = body()
    this.pending.add(result)
    const done = (): void => {
      this.pending.delete(result)
    }
    result.then(done, done)
    return result
  }
}

/**
 * Runs `body` in one transaction on one client of `pool`: commits when it resolves, rolls back
 * when it throws. A client whose rollback failed (its connection is gone) is discarded.
 */
async function transaction<T>(pool: pg.Pool, begin: string, body: (client: Client) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  let broken: Error | undefined
  try {
    await client.query(begin)
    const result = await body(client)
    await client.query('COMMIT')
    return result
  } catch (err) {
    await client.query('ROLLBACK').catch((e: unknown) => {
      broken = e instanceof Error ? e : new Error(String(e))
    })
    throw err
  } finally {
    client.release(broken)
  }
}

/** SQL for keys in (`after`, `through`], adding its parameters to `values`; `after` may be empty. */
function range(values: unknown[], after: Uint8Array, through: Uint8Array): string {
  let sql = ''
  if (after.length > 0) {
    const a = decodeKey(after)
    values.push(a.time, toBuffer(a.hash))
    sql = `(time, hash) > ($${values.length - 1}::bigint, $${values.length}::bytea) AND `
  }
  const b = decodeKey(through)
  values.push(b.time, toBuffer(b.hash))
  return `${sql}(time, hash) <= ($${values.length - 1}::bigint, $${values.length}::bytea)`
}

function page(envelopes: Uint8Array[], hashes: Uint8Array[], cursor: Uint8Array | undefined): HistoryPage {
  return { envelopes, hashes, cursor, digest: rangeDigest(hashes) }
}

function keyOfRow(row: KeyRow): Uint8Array {
  const key = new Uint8Array(KEY_BYTES)
  writeKey(key, 0, Number(row.time), row.hash)
  return key
}

/** A plain Uint8Array copy of a `pg` Buffer (which may be a view into a shared pool slab). */
function copy(buf: Buffer): Uint8Array {
  return new Uint8Array(buf)
}

/** A Buffer view of bytes, which `pg` sends as `bytea` (inside arrays too). */
function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}
