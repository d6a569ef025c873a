/**
 * The archive contract (src/archive.ts), run against every backend on a real store: ordering,
 * ranges, filters, paging exactly once under a scan budget, digests, retention, totals, restart,
 * closing, malformed calls, and a property test against a reference model.
 */
import { topicsToBloom } from '@hush/envelope'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { type Archive, type ArchiveEntry, type HistoryQuery, MAX_PAGE_LIMIT, rangeDigest } from '../src/index.ts'
import { type Backend, levelBackend, postgresBackend } from './fixtures/backends.ts'
import { entryOf, expected, held, hex, TOPICS } from './fixtures/entries.ts'

const backends: Backend[] = [levelBackend(), postgresBackend()]
afterAll(async () => {
  await Promise.all(backends.map((b) => b.dispose()))
})

describe('archive backends side by side', () => {
  it('give the same pages and digests for the same envelopes, and a different digest for the page missing one', async () => {
    const [level, postgres] = await Promise.all(backends.map((b) => b.open()))
    const entries = Array.from({ length: 120 }, (_, n) => entryOf(n, 1000 + (n % 30)))
    await level.archive.put(entries)
    await postgres.archive.put(entries.filter((_, n) => n !== 77)) // this server dropped one
    const query = { ...SPAN, limit: 10 }
    let cursor: Uint8Array | undefined
    let differing = 0
    for (let pages = 0; pages < 20; pages++) {
      const [a, b] = await Promise.all([level.archive.query({ ...query, cursor }), postgres.archive.query({ ...query, cursor })])
      const missing = a.hashes.some((h) => hex([h])[0] === hex([entries[77].hash])[0])
      expect(hex([a.digest])[0] === hex([b.digest])[0]).toBe(!missing)
      if (missing) differing++
      // Follow the complete archive; a page of the other one from the same cursor is the same page less its loss.
      if (a.cursor === undefined) break
      cursor = a.cursor
    }
    expect(differing).toBe(1)
  })
})

/** Every page of `query` from its start, following cursors to the end (bounded). */
async function allPages(archive: Archive, query: HistoryQuery): Promise<{ raws: Uint8Array[]; hashes: Uint8Array[]; pages: number }> {
  const raws: Uint8Array[] = []
  const hashes: Uint8Array[] = []
  let cursor: Uint8Array | undefined
  for (let pages = 1; pages <= 10_000; pages++) {
    const page = await archive.query({ ...query, cursor })
    expect(page.envelopes.length).toBeLessThanOrEqual(query.limit)
    expect(hex([page.digest])).toEqual(hex([rangeDigest(page.hashes)]))
    raws.push(...page.envelopes)
    hashes.push(...page.hashes)
    if (page.cursor === undefined) return { raws, hashes, pages }
    cursor = page.cursor
  }
  throw new Error('paging did not end')
}

const SPAN = { from: 1000, to: 2000 }

describe.each(backends)('archive contract: $name', (backend) => {
  it('stores entries once and counts them: new ones only, duplicates within and across calls skipped', async () => {
    const { archive } = await backend.open()
    const a = entryOf(1, 1500)
    const b = entryOf(2, 1500)
    expect(await archive.put([a, b, a])).toBe(2)
    expect(await archive.put([b, entryOf(3, 1600)])).toBe(1)
    expect(await archive.put([])).toBe(0)
    expect(await archive.stats()).toEqual({ count: 3, bytes: a.raw.length + b.raw.length + entryOf(3, 1600).raw.length })
  })

  it('returns a range in key order (time, then hash bytes) with inclusive bounds, hashes and the digest', async () => {
    const { archive } = await backend.open()
    const entries = [999, 1000, 1000, 1000, 1500, 2000, 2000, 2001].map((t, n) => entryOf(n, t))
    await archive.put(entries.slice().reverse())
    const page = await archive.query({ ...SPAN, limit: 100 })
    const want = expected(held(entries), SPAN)
    expect(want).toHaveLength(6)
    expect(hex(page.envelopes)).toEqual(hex(want.map((e) => e.raw)))
    expect(hex(page.hashes)).toEqual(hex(want.map((e) => e.hash)))
    expect(page.cursor).toBeUndefined()
    expect(hex([page.digest])).toEqual(hex([rangeDigest(want.map((e) => e.hash))]))
  })

  it('filters by topics and by bloom as geth matches them', async () => {
    const { archive } = await backend.open()
    const entries = Array.from({ length: 40 }, (_, n) => entryOf(n, 1000 + n))
    await archive.put(entries)
    const all = held(entries)
    for (const filter of [{ topics: [TOPICS[1]] }, { topics: [TOPICS[0], TOPICS[2], TOPICS[0]] }, { bloom: topicsToBloom([TOPICS[3]]) }]) {
      const page = await archive.query({ ...SPAN, ...filter, limit: 100 })
      expect(hex(page.envelopes)).toEqual(hex(expected(all, { ...SPAN, ...filter }).map((e) => e.raw)))
    }
  })

  it('pages through a range exactly once, also when the scan budget ends pages early', async () => {
    const { archive } = await backend.open()
    const entries = Array.from({ length: 230 }, (_, n) => entryOf(n, 1000 + (n % 50)))
    await archive.put(entries)
    const all = held(entries)
    for (const query of [
      { ...SPAN, limit: 7 },
      { ...SPAN, limit: 1 },
      { ...SPAN, limit: 50, topics: [TOPICS[2]] },
      { ...SPAN, limit: 3, bloom: topicsToBloom([TOPICS[1]]), maxScan: 5 },
      { ...SPAN, limit: 1, topics: [TOPICS[3]], maxScan: 1 },
    ] satisfies HistoryQuery[]) {
      const got = await allPages(archive, query)
      expect(hex(got.raws)).toEqual(hex(expected(all, query).map((e) => e.raw)))
    }
  })

  it('gives a page ended by the scan budget a cursor, and no page more than maxScan entries looked at', async () => {
    const { archive } = await backend.open()
    // 100 entries on topic 0, then one on topic 1: a query for topic 1 with a budget of 10.
    const entries = [...Array.from({ length: 100 }, (_, n) => entryOf(n * 4, 1000 + n, TOPICS[0])), entryOf(1, 1500, TOPICS[1])]
    await archive.put(entries)
    const query = { ...SPAN, bloom: topicsToBloom([TOPICS[1]]), limit: 5, maxScan: 10 }
    const first = await archive.query(query)
    expect(first.envelopes).toHaveLength(0)
    expect(first.cursor).toBeDefined()
    const got = await allPages(archive, query)
    expect(hex(got.raws)).toEqual(hex([entries[100].raw]))
    expect(got.pages).toBeGreaterThanOrEqual(11)
  })

  it('prunes by age, then the oldest while over the byte bound, keeping the totals', async () => {
    const { archive } = await backend.open()
    const entries = Array.from({ length: 60 }, (_, n) => entryOf(n, 1000 + n, TOPICS[n % 4], 10 + n))
    await archive.put(entries)
    const all = held(entries)
    const byAge = await archive.prune({ before: 1010 })
    const old = all.filter((e) => e.time < 1010)
    expect(byAge).toEqual({ removed: old.length, bytes: old.reduce((s, e) => s + e.raw.length, 0) })
    const left = all.filter((e) => e.time >= 1010)
    const total = left.reduce((s, e) => s + e.raw.length, 0)
    const maxBytes = total - 500
    // The fewest oldest entries whose removal brings the total to maxBytes or below.
    let drop = 0
    let dropped = 0
    while (total - dropped > maxBytes) dropped += left[drop++].raw.length
    expect(await archive.prune({ maxBytes })).toEqual({ removed: drop, bytes: dropped })
    expect(await archive.stats()).toEqual({ count: left.length - drop, bytes: total - dropped })
    const page = await archive.query({ from: 0, to: 0xffff_ffff, limit: MAX_PAGE_LIMIT })
    expect(hex(page.envelopes)).toEqual(hex(left.slice(drop).map((e) => e.raw)))
    expect(await archive.prune({ before: 0, maxBytes: 10 ** 12 })).toEqual({ removed: 0, bytes: 0 })
    // Exactly at the bound after removing one entry: one goes, not two.
    const rest = left.slice(drop)
    const restBytes = total - dropped
    expect(await archive.prune({ maxBytes: restBytes - rest[0].raw.length })).toEqual({ removed: 1, bytes: rest[0].raw.length })
  })

  it('prunes thousands of 1 KiB entries by age and by bytes in one call (several write batches)', async () => {
    const { archive } = await backend.open()
    const entries = Array.from({ length: 2500 }, (_, n) => entryOf(n, 1000 + Math.floor(n / 3), TOPICS[n % 4], 1024))
    for (let i = 0; i < entries.length; i += 500) await archive.put(entries.slice(i, i + 500))
    const old = entries.filter((e) => e.time < 1700)
    expect(await archive.prune({ before: 1700 })).toEqual({ removed: old.length, bytes: old.reduce((s, e) => s + e.raw.length, 0) })
    const rest = held(entries).filter((e) => e.time >= 1700)
    const restBytes = rest.reduce((s, e) => s + e.raw.length, 0)
    const keep = rest.slice(-10)
    const maxBytes = keep.reduce((s, e) => s + e.raw.length, 0)
    expect(await archive.prune({ maxBytes })).toEqual({ removed: rest.length - 10, bytes: restBytes - maxBytes })
    expect(await archive.stats()).toEqual({ count: 10, bytes: maxBytes })
  })

  it('keeps entries and totals across close and reopen', async () => {
    const { archive, reopen } = await backend.open()
    const entries = Array.from({ length: 25 }, (_, n) => entryOf(n, 1000 + n))
    await archive.put(entries)
    await archive.close()
    const again = await reopen()
    expect(await again.stats()).toEqual({ count: 25, bytes: entries.reduce((s, e) => s + e.raw.length, 0) })
    const page = await again.query({ ...SPAN, limit: 100 })
    expect(hex(page.envelopes)).toEqual(hex(held(entries).map((e) => e.raw)))
    expect(await again.put(entries)).toBe(0)
  })

  it('rejects every call after close with ArchiveClosedError, and close is idempotent', async () => {
    const { archive } = await backend.open()
    const pending = archive.put([entryOf(1, 1500)])
    await archive.close()
    expect(await pending).toBe(1)
    await archive.close()
    for (const call of [() => archive.put([entryOf(2, 1500)]), () => archive.query({ ...SPAN, limit: 1 }), () => archive.prune({}), () => archive.stats()]) {
      await expect(call()).rejects.toMatchObject({ name: 'ArchiveClosedError' })
    }
  })

  it('refuses malformed entries (naming the field) and stores nothing of that call', async () => {
    const { archive } = await backend.open()
    const good = entryOf(1, 1500)
    const cases: Array<[unknown, string, string]> = [
      [null, 'TypeError', 'entries[1]'],
      [{ ...good, time: -1 }, 'RangeError', 'entries[1].time'],
      [{ ...good, time: 2 ** 32 }, 'RangeError', 'entries[1].time'],
      [{ ...good, time: 1.5 }, 'TypeError', 'entries[1].time'],
      [{ ...good, hash: good.hash.subarray(1) }, 'RangeError', 'entries[1].hash'],
      [{ ...good, hash: 'x' }, 'TypeError', 'entries[1].hash'],
      [{ ...good, topic: new Uint8Array(5) }, 'RangeError', 'entries[1].topic'],
      [{ ...good, raw: new Uint8Array(0) }, 'RangeError', 'entries[1].raw'],
      [{ ...good, raw: new Uint8Array([0xc0]) }, 'RangeError', 'entries[1].raw'],
      [{ ...good, topic: TOPICS[3] }, 'RangeError', 'entries[1].topic'],
      [{ ...good, raw: [1, 2] }, 'TypeError', 'entries[1].raw'],
    ]
    for (const [bad, name, field] of cases) {
      const call = archive.put([entryOf(2, 1500), bad as ArchiveEntry])
      await expect(call).rejects.toMatchObject({ name })
      await expect(call).rejects.toThrow(field)
    }
    await expect(archive.put('x' as unknown as ArchiveEntry[])).rejects.toMatchObject({ name: 'TypeError' })
    expect(await archive.stats()).toEqual({ count: 0, bytes: 0 })
    expect(await archive.put([good])).toBe(1)
  })

  it('refuses malformed queries and policies, naming the field', async () => {
    const { archive } = await backend.open()
    const cases: Array<[unknown, string, string]> = [
      [null, 'TypeError', 'query'],
      [{ ...SPAN, limit: 0 }, 'RangeError', 'query.limit'],
      [{ ...SPAN, limit: MAX_PAGE_LIMIT + 1 }, 'RangeError', 'query.limit'],
      [{ ...SPAN, limit: 5, maxScan: 4 }, 'RangeError', 'query.maxScan'],
      [{ from: 10, to: 9, limit: 1 }, 'RangeError', 'query.to'],
      [{ from: -1, to: 9, limit: 1 }, 'RangeError', 'query.from'],
      [{ from: 0, to: 2 ** 32, limit: 1 }, 'RangeError', 'query.to'],
      [{ from: '0', to: 9, limit: 1 }, 'TypeError', 'query.from'],
      [{ ...SPAN, limit: 1, topics: [] }, 'RangeError', 'query.topics'],
      [{ ...SPAN, limit: 1, topics: [new Uint8Array(3)] }, 'RangeError', 'query.topics[0]'],
      [{ ...SPAN, limit: 1, topics: TOPICS, bloom: topicsToBloom(TOPICS) }, 'TypeError', 'both'],
      [{ ...SPAN, limit: 1, bloom: new Uint8Array(63) }, 'RangeError', 'query.bloom'],
      [{ ...SPAN, limit: 1, cursor: new Uint8Array(35) }, 'RangeError', 'query.cursor'],
      [{ ...SPAN, limit: 1, cursor: 'abc' }, 'TypeError', 'query.cursor'],
    ]
    for (const [bad, name, field] of cases) {
      const call = archive.query(bad as HistoryQuery)
      await expect(call).rejects.toMatchObject({ name })
      await expect(call).rejects.toThrow(field)
    }
    await expect(archive.prune({ before: -5 })).rejects.toMatchObject({ name: 'RangeError' })
    await expect(archive.prune({ maxBytes: 0.5 })).rejects.toMatchObject({ name: 'TypeError' })
  })

  it('answers like the reference model for random contents and queries (property)', async () => {
    const { archive } = await backend.open()
    const stored: ArchiveEntry[] = []
    const arbEntry = fc.record({ n: fc.integer({ min: 0, max: 400 }), dt: fc.integer({ min: 0, max: 30 }), topic: fc.integer({ min: 0, max: 3 }) })
    const arbQuery = fc.record({
      from: fc.integer({ min: 995, max: 1030 }),
      span: fc.integer({ min: 0, max: 40 }),
      limit: fc.integer({ min: 1, max: 12 }),
      scanExtra: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
      filter: fc.option(fc.oneof(fc.subarray([0, 1, 2, 3], { minLength: 1 }).map((t) => ({ topics: t.map((i) => TOPICS[i]) })), fc.subarray([0, 1, 2, 3]).map((t) => ({ bloom: topicsToBloom(t.map((i) => TOPICS[i])) }))), { nil: undefined }),
    })
    await fc.assert(
      fc.asyncProperty(fc.array(arbEntry, { maxLength: 25 }), arbQuery, async (batch, q) => {
        const entries = batch.map((b) => entryOf(b.n, 1000 + b.dt, TOPICS[b.topic]))
        await archive.put(entries)
        stored.push(...entries)
        const query: HistoryQuery = { from: q.from, to: q.from + q.span, limit: q.limit, ...q.filter, ...(q.scanExtra === undefined ? {} : { maxScan: q.limit + q.scanExtra }) }
        const got = await allPages(archive, query)
        expect(hex(got.raws)).toEqual(hex(expected(held(stored), query).map((e) => e.raw)))
      }),
      { numRuns: 40 }
    )
  })
})
