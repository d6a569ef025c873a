/**
 * The embedded archive: LevelDB through `classic-level`, as geth's example mail server used.
 *
 * Layout. Each envelope is one record: key `0x01 ‖ time (uint32 BE) ‖ hash`, value its canonical
 * RLP. One more record, key `0x00`, holds the entry count and envelope bytes (two float64), and is
 * written in the same batch as every change, so it is never out of step with the data.
 *
 * Durability. Every `put` and `prune` is one LevelDB batch, written with `sync: true` by default
 * (LevelDB appends the batch to its log and fsyncs it before the call resolves): what `put`
 * resolved for survives `kill -9` and power loss. `sync: false` trades that for speed (a crash of
 * the process still loses nothing once the OS has the write; a crash of the machine may lose the
 * last writes). Callers batch: one `put` of 1000 envelopes costs one fsync.
 *
 * Concurrency. Writes (`put`, `prune`) run one at a time in call order; reads run beside them on
 * LevelDB's snapshots. One process owns a database directory (LevelDB locks it).
 */
import { mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import { ClassicLevel } from 'classic-level'
import { type Archive, ArchiveClosedError, type ArchiveEntry, type ArchiveStats, type HistoryPage, type HistoryQuery, type PruneResult, type RetentionPolicy } from './archive.ts'
import { rangeDigest } from './digest.ts'
import { KEY_BYTES, writeKey } from './key.ts'
import { checkEntries, checkPolicy, resolveQuery } from './query.ts'
import { topicOfRaw } from './raw-topic.ts'

/** Settings of {@link openLevelArchive}. */
export interface LevelArchiveInit {
  /** The database directory (created with its parents when missing). */
  readonly path: string
  /**
   * Whether each write is fsynced before it resolves (see the module comment).
   * @default true
   */
  readonly sync?: boolean
}

type Db = ClassicLevel<Uint8Array, Uint8Array>

const DATA = 0x01
const STATS_KEY = new Uint8Array([0x00])
/** Records read per step of an iterator. */
const READ_CHUNK = 256
/** Records removed per batch by `prune`. */
const PRUNE_CHUNK = 1000
const VIEW = { keyEncoding: 'view', valueEncoding: 'view' } as const

/**
 * Opens (creating when missing) a LevelDB archive.
 * @throws {TypeError} when `init.path` is not a non-empty string or `init.sync` not a boolean
 * @example
 * ```ts
 * const archive = await openLevelArchive({ path: './mail' })
 * await archive.put([{ time: envelope.expiry - envelope.ttl, hash, topic: envelope.topic, raw }])
 * const page = await archive.query({ from: 0, to: 2 ** 32 - 1, topics: [envelope.topic], limit: 100 })
 * await archive.close()
 * ```
 */
export async function openLevelArchive(init: LevelArchiveInit): Promise<Archive> {
  if (typeof init !== 'object' || init === null) throw new TypeError('init must be an object')
  if (typeof init.path !== 'string' || init.path === '') throw new TypeError('init.path must be a non-empty string')
  if (init.sync !== undefined && typeof init.sync !== 'boolean') throw new TypeError('init.sync must be a boolean')
  await mkdir(dirname(init.path), { recursive: true })
  const db: Db = new ClassicLevel<Uint8Array, Uint8Array>(init.path, VIEW)
  await db.open()
  const stats = await db.get(STATS_KEY)
  const totals = stats === undefined ? { count: 0, bytes: 0 } : decodeStats(stats)
  return new LevelArchive(db, init.sync ?? true, totals)
}

class LevelArchive implements Archive {
  readonly kind = 'leveldb' as const
  private readonly db: Db
  private readonly sync: boolean
  private count: number
  private bytes: number
  /** The write queue: each write starts when the one before it settled. */
  private tail: Promise<unknown> = Promise.resolve()
  private readonly reads = new Set<Promise<unknown>>()
  private closed = false
  private closing: Promise<void> | undefined

  constructor(db: Db, sync: boolean, totals: ArchiveStats) {
    this.db = db
    this.sync = sync
    this.count = totals.count
    this.bytes = totals.bytes
  }

  put(entries: readonly ArchiveEntry[]): Promise<number> {
    if (this.closed) return Promise.reject(new ArchiveClosedError())
    try {
      checkEntries(entries)
    } catch (err) {
      return Promise.reject(err)
    }
    // Keys and copies now: the caller may reuse its buffers once `put` returned.
    const keys: Uint8Array[] = []
    const raws: Uint8Array[] = []
    const inCall = new Set<string>()
    for (const e of entries) {
      const key = new Uint8Array(1 + KEY_BYTES)
      key[0] = DATA
      writeKey(key, 1, e.time, e.hash)
      const id = latin1(key)
      if (inCall.has(id)) continue
      inCall.add(id)
      keys.push(key)
      raws.push(new Uint8Array(e.raw))
    }
    return this.write(async () => {
      if (keys.length === 0) return 0
      const held = await this.db.getMany(keys, { ...VIEW, fillCache: false })
      const ops: Array<{ type: 'put'; key: Uint8Array; value: Uint8Array }> = []
      let added = 0
      let bytes = 0
      for (let i = 0; i < keys.length; i++) {
        if (held[i] !== undefined) continue
        ops.push({ type: 'put', key: keys[i], value: raws[i] })
        added++
        bytes += raws[i].length
      }
      if (added === 0) return 0
      ops.push({ type: 'put', key: STATS_KEY, value: encodeStats(this.count + added, this.bytes + bytes) })
      await this.db.batch(ops, { ...VIEW, sync: this.sync })
      this.count += added
      this.bytes += bytes
      return added
    })
  }

  query(query: HistoryQuery): Promise<HistoryPage> {
    if (this.closed) return Promise.reject(new ArchiveClosedError())
    let q: ReturnType<typeof resolveQuery>
    try {
      q = resolveQuery(query)
    } catch (err) {
      return Promise.reject(err)
    }
    return this.read(async () => {
      const filtered = q.topics !== undefined || query.bloom !== undefined
      const envelopes: Uint8Array[] = []
      const hashes: Uint8Array[] = []
      const it = this.db.iterator({ ...VIEW, gt: dataKey(q.after), lte: dataKey(q.through), fillCache: false })
      let scanned = 0
      let last: Uint8Array | undefined
      let cursor: Uint8Array | undefined
      try {
        outer: for (;;) {
          const chunk = await it.nextv(Math.min(READ_CHUNK, q.maxScan - scanned + 1))
          if (chunk.length === 0) break
          for (const [key, value] of chunk) {
            const topic = filtered ? topicOfRaw(value) : undefined
            const match = !filtered || (topic !== undefined && q.matches(topic))
            if (match && envelopes.length === q.limit) {
              // A further match exists: the next page starts right after what this one looked at.
              cursor = last
              break outer
            }
            scanned++
            last = key
            if (match) {
              // Plain copies: LevelDB hands out Buffers, whose `slice` is a view.
              envelopes.push(new Uint8Array(value))
              hashes.push(new Uint8Array(key.subarray(5)))
            }
            if (scanned === q.maxScan) {
              cursor = key
              break outer
            }
          }
        }
      } finally {
        await it.close()
      }
      return {
        envelopes,
        hashes,
        cursor: cursor === undefined ? undefined : new Uint8Array(cursor.subarray(1)),
        digest: rangeDigest(hashes),
      }
    })
  }

  prune(policy: RetentionPolicy): Promise<PruneResult> {
    if (this.closed) return Promise.reject(new ArchiveClosedError())
    try {
      checkPolicy(policy)
    } catch (err) {
      return Promise.reject(err)
    }
    return this.write(async () => {
      const result = { removed: 0, bytes: 0 }
      if (policy.before !== undefined) await this.removeOldest(dataKey(startOf(policy.before)), undefined, result)
      if (policy.maxBytes !== undefined) await this.removeOldest(END, policy.maxBytes, result)
      return result
    })
  }

  async stats(): Promise<ArchiveStats> {
    if (this.closed) throw new ArchiveClosedError()
    return { count: this.count, bytes: this.bytes }
  }

  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing
    this.closed = true
    this.closing = (async () => {
      await this.tail.catch(() => {})
      await Promise.allSettled([...this.reads])
      await this.db.close()
    })()
    return this.closing
  }

  /**
   * Removes the oldest records with keys below `lt`: all of them, or, when `maxBytes` is given,
   * only while the envelope bytes held exceed it. Adds what it removed to `out`.
   */
  private async removeOldest(lt: Uint8Array, maxBytes: number | undefined, out: { removed: number; bytes: number }): Promise<void> {
    for (;;) {
      const excess = maxBytes === undefined ? Infinity : this.bytes - maxBytes
      if (excess <= 0) return
      const it = this.db.iterator({ ...VIEW, gt: STATS_KEY, lt, limit: PRUNE_CHUNK, fillCache: false })
      const ops: Array<{ type: 'del'; key: Uint8Array } | { type: 'put'; key: Uint8Array; value: Uint8Array }> = []
      let bytes = 0
      try {
        // `nextv` may return fewer records than asked (it also stops at a byte budget), so only an
        // empty step means there is nothing left below `lt`.
        for (const [key, value] of await it.nextv(PRUNE_CHUNK)) {
          if (bytes >= excess) break
          ops.push({ type: 'del', key })
          bytes += value.length
        }
      } finally {
        await it.close()
      }
      const count = ops.length
      if (count === 0) return
      ops.push({ type: 'put', key: STATS_KEY, value: encodeStats(this.count - count, this.bytes - bytes) })
      await this.db.batch(ops, { ...VIEW, sync: this.sync })
      this.count -= count
      this.bytes -= bytes
      out.removed += count
      out.bytes += bytes
    }
  }

  private write<T>(run: () => Promise<T>): Promise<T> {
    const result = this.tail.then(run, run)
    this.tail = result.catch(() => {})
    return result
  }

  private read<T>(run: () => Promise<T>): Promise<T> {
    const result = run()
    this.reads.add(result)
    const done = (): void => {
      this.reads.delete(result)
    }
    result.then(done, done)
    return result
  }
}

/** The LevelDB key of an archive key (or of the empty "before everything" key). */
function dataKey(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + key.length)
  out[0] = DATA
  out.set(key, 1)
  return out
}

/** The smallest archive key of `time` (all-zero hash). */
function startOf(time: number): Uint8Array {
  const key = new Uint8Array(KEY_BYTES)
  writeKey(key, 0, time, ZERO_HASH)
  return key
}

const ZERO_HASH = new Uint8Array(32)
/** Above every data key. */
const END = new Uint8Array([DATA + 1])

function encodeStats(count: number, bytes: number): Uint8Array {
  const out = new Uint8Array(16)
  const view = new DataView(out.buffer)
  view.setFloat64(0, count)
  view.setFloat64(8, bytes)
  return out
}

function decodeStats(value: Uint8Array): ArchiveStats {
  if (value.length !== 16) throw new Error(`archive totals record is ${value.length} bytes, expected 16: the database is not a Hush archive`)
  const view = new DataView(value.buffer, value.byteOffset, 16)
  return { count: view.getFloat64(0), bytes: view.getFloat64(8) }
}

/** A string with one character per byte, for a set of keys. */
function latin1(bytes: Uint8Array): string {
  let s = ''
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i])
  return s
}
