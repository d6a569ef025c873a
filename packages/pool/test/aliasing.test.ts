/**
 * Issue 11: whatever the pool hands out must never read another envelope's bytes. The pool
 * stores envelopes in slabs it reuses, so anything it returns that still points into them
 * (entries from `prune`, `delete`, eviction, and entries held from `get` or `select`) would,
 * after the storage is reused, silently show other live envelopes. These tests churn enough
 * data (16 MiB) that full-size slabs are dropped and reused, then check every entry held
 * from before: its `raw` and `envelope`, where present, must still be its own envelope.
 */
import { decodeEnvelope } from '@hush/envelope'
import { describe, expect, it } from 'vitest'
import { createPool, hashKey, type Pool } from '../src/index.ts'
import { entryOf, hashOf } from './fixtures/entries.ts'

const NOW = 1_000
const BATCH = 16_000
const DATA_BYTES = 1024

/** The fields a returned entry may carry; an entry without `raw` or `envelope` has nothing to alias. */
interface Handed {
  key: string
  hash: Uint8Array
  expiry: number
  raw?: Uint8Array | undefined
  envelope?: { nonce: bigint; expiry: number } | undefined
}

/** Adds envelopes `first .. first + count - 1` (nonce and hash = n), all expiring at `expiry`. */
function addBatch(pool: Pool, first: number, count: number, expiry: number, rating = 1): void {
  for (let n = first; n < first + count; n++) {
    const r = pool.add(entryOf({ n, dataBytes: DATA_BYTES, expiry, ttl: expiry - NOW, rating }), NOW)
    if (r.status !== 'added') throw new Error(`add ${n}: ${r.status}`)
  }
}

/**
 * Counts the entries in `held` that read as some other envelope: `n` is the envelope each one
 * stands for (hash and nonce both hold it, see `entryOf`).
 */
function aliased(held: ReadonlyArray<{ n: number; entry: Handed }>): number {
  let wrong = 0
  for (const { n, entry } of held) {
    expect(entry.key).toBe(hashKey(hashOf(n)))
    expect(entry.hash).toEqual(hashOf(n))
    try {
      const raw = entry.raw
      const envelope = entry.envelope
      if (raw !== undefined && decodeEnvelope(raw).nonce !== BigInt(n)) wrong++
      else if (envelope !== undefined && envelope.nonce !== BigInt(n)) wrong++
    } catch {
      wrong++ // bytes that no longer decode: overwritten by something else
    }
  }
  return wrong
}

/** The `n` of a key made by `hashOf(n)`: its first four bytes, big-endian. */
const nOf = (key: string): number => [...key.slice(0, 4)].reduce((a, c) => a * 256 + c.charCodeAt(0), 0)

describe('entries handed out never alias other envelopes', () => {
  it('after prune and re-add, the pruned entries do not read the new envelopes', () => {
    const pool = createPool({ maxCount: 2 * BATCH, maxBytes: 1 << 30 })
    addBatch(pool, 0, BATCH, NOW + 5)
    const pruned = pool.prune(NOW + 6).map((entry) => ({ n: nOf(entry.key), entry: entry as Handed }))
    expect(pruned).toHaveLength(BATCH)
    addBatch(pool, BATCH, BATCH, NOW + 100)
    expect(aliased(pruned)).toBe(0)
  })

  it('entries evicted to make room, and deleted ones, do not read the newcomers', () => {
    const evicted: Array<{ n: number; entry: Handed }> = []
    const pool = createPool({
      maxCount: BATCH,
      maxBytes: 1 << 30,
      onEvict: (e) => evicted.push({ n: nOf(e.entry.key), entry: e.entry as Handed }),
    })
    addBatch(pool, 0, BATCH, NOW + 100, 1)
    for (let n = BATCH; n < 2 * BATCH; n++) {
      const r = pool.add(entryOf({ n, dataBytes: DATA_BYTES, expiry: NOW + 100, ttl: 100, rating: 2 }), NOW)
      if (r.status !== 'added') throw new Error(`add ${n}: ${r.status}`)
    }
    expect(evicted).toHaveLength(BATCH)
    const deleted = pool.delete(hashOf(BATCH))
    expect(deleted?.key).toBe(hashKey(hashOf(BATCH)))
    addBatch(pool, 2 * BATCH, BATCH, NOW + 100, 3)
    expect(aliased(evicted)).toBe(0)
    expect(aliased([{ n: BATCH, entry: deleted as Handed }])).toBe(0)
  })

  it('entries held from get, select and entries keep reading their own envelope, or nothing', () => {
    const pool = createPool({ maxCount: 2 * BATCH, maxBytes: 1 << 30 })
    addBatch(pool, 0, BATCH, NOW + 5)
    const got = pool.get(hashOf(7))
    const selected = pool.select().map((entry) => ({ n: nOf(entry.key), entry: entry as Handed }))
    const iterated = [...pool.entries({ limit: 100 })].map((entry) => ({ n: nOf(entry.key), entry: entry as Handed }))
    pool.prune(NOW + 6)
    addBatch(pool, BATCH, BATCH, NOW + 100)
    expect(aliased([{ n: 7, entry: got as Handed }, ...selected, ...iterated])).toBe(0)
  })
})
