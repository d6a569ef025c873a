import { decodeEnvelope, topicsToBloom } from '@hush/envelope'
import { describe, expect, it, vi } from 'vitest'
import { createPool, hashKey, keyToHash, type AddResult } from '../src/index.ts'
import { BoundedPool } from '../src/pool.ts'
import { entryOf, hashOf } from './fixtures/entries.ts'
import { RecordingPool, type RecordedAdd } from './fixtures/recording-pool.ts'

const NOW = 1_000
const statusOf = (r: AddResult): string => r.status
const evictedKeys = (r: RecordedAdd): string[] => (r.records.map((e) => `${e.reason}:${e.entry.key === hashKey(hashOf(0)) ? 0 : [...keyToHash(e.entry.key)][3]}`))

describe('add outcomes', () => {
  it('adds, and reports the entry with its fields', () => {
    const pool = createPool()
    const r = pool.add(entryOf({ n: 1, rating: 2.5, pow: 3, dataBytes: 100, peer: 'a', expiry: NOW + 50 }), NOW)
    expect(r.status).toBe('added')
    if (r.status !== 'added') return
    expect(r.evicted).toBe(0)
    const entry = pool.get(hashOf(1))
    expect(entry).toMatchObject({ key: hashKey(hashOf(1)), pow: 3, rating: 2.5, arrival: NOW, expiry: NOW + 50, bytes: 120, peer: 'a' })
    expect(entry?.hash).toEqual(hashOf(1))
    expect(pool.size).toBe(1)
    expect(pool.bytes).toBe(120)
  })

  it('keeps an explicit arrival time, and its own copy of the raw bytes instead of the caller\'s objects', () => {
    const pool = createPool()
    const init = entryOf({ n: 1, arrival: 990 })
    const raw = init.raw.slice()
    pool.add(init, NOW)
    init.raw.fill(0) // the caller may reuse its buffer
    const entry = pool.get(hashOf(1))
    expect(entry?.arrival).toBe(990)
    expect(entry?.peer).toBeUndefined()
    expect(entry?.raw).toEqual(raw)
    expect(entry?.raw?.buffer).not.toBe(init.raw.buffer)
    // The entry's bytes are its own copy, not a view into the pool's slab; getRaw is the view.
    expect(entry?.raw?.buffer).not.toBe(pool.getRaw(hashOf(1))?.buffer)
    expect(entry?.raw?.byteLength).toBe(entry?.raw?.buffer.byteLength)
    expect(entry?.raw).toBe(entry?.raw)
    expect(entry?.envelope).not.toBe(init.envelope)
    expect(entry?.envelope).toEqual(decodeEnvelope(raw))
    // The lazily decoded envelope's fields are views into that copy.
    expect(entry?.envelope?.data.buffer).toBe(entry?.raw?.buffer)
    expect(entry?.envelope?.topic.buffer).toBe(entry?.raw?.buffer)
    expect(entry?.envelope).toBe(entry?.envelope)
    expect(pool.getRaw(hashOf(1))).toEqual(raw)
    expect(pool.getRaw(hashKey(hashOf(1)))).toEqual(raw)
    expect(pool.getRaw(hashOf(2))).toBeUndefined()
  })

  it('reports duplicates: pooled, then remembered after delete, prune and eviction', () => {
    const pool = createPool({ maxCount: 1, seen: { allowanceSeconds: 20 } })
    pool.add(entryOf({ n: 1, expiry: NOW + 5 }), NOW)
    expect(pool.add(entryOf({ n: 1, expiry: NOW + 5 }), NOW).status).toBe('duplicate')
    pool.delete(hashOf(1))
    expect(pool.has(hashOf(1))).toBe(false)
    expect(pool.hasSeen(hashOf(1), NOW)).toBe(true)
    expect(pool.add(entryOf({ n: 1, expiry: NOW + 5 }), NOW).status).toBe('duplicate')
    // Evicted by rating: still a duplicate.
    pool.add(entryOf({ n: 2, rating: 1, expiry: NOW + 5 }), NOW)
    expect(pool.add(entryOf({ n: 3, rating: 2, expiry: NOW + 5 }), NOW).status).toBe('added')
    expect(pool.add(entryOf({ n: 2, rating: 1, expiry: NOW + 5 }), NOW).status).toBe('duplicate')
    // Pruned: a duplicate until expiry + 20 s, then forgotten.
    expect(pool.prune(NOW + 6).map((e) => e.key)).toEqual([hashKey(hashOf(3))])
    expect(pool.hasSeen(hashOf(3), NOW + 25)).toBe(true)
    expect(pool.hasSeen(hashOf(3), NOW + 26)).toBe(false)
    pool.prune(NOW + 26)
    expect(pool.seen.size).toBe(0)
  })

  it('refuses expired envelopes (expiry < now) but takes expiry == now', () => {
    const pool = createPool()
    expect(pool.add(entryOf({ n: 1, expiry: NOW - 1, ttl: 10 }), NOW).status).toBe('expired')
    expect(pool.add(entryOf({ n: 2, expiry: NOW, ttl: 10 }), NOW).status).toBe('added')
  })

  it('refuses envelopes sent beyond the future allowance', () => {
    const pool = createPool({ futureAllowanceSeconds: 10 })
    // sent = expiry − ttl
    expect(pool.add(entryOf({ n: 1, expiry: NOW + 60, ttl: 50 }), NOW).status).toBe('added')
    expect(pool.add(entryOf({ n: 2, expiry: NOW + 61, ttl: 50 }), NOW).status).toBe('future')
  })

  it('refuses envelopes too large for the envelope limit, the byte bound or a peer quota', () => {
    const pool = createPool({ maxEnvelopeBytes: 1_000, maxBytes: 800, peerShare: 0.5 })
    expect(pool.add(entryOf({ n: 1, dataBytes: 981 }), NOW).status).toBe('too-large')
    expect(pool.add(entryOf({ n: 2, dataBytes: 781 }), NOW).status).toBe('too-large')
    expect(pool.add(entryOf({ n: 3, dataBytes: 781 - 400, peer: 'a' }), NOW).status).toBe('too-large')
    expect(pool.add(entryOf({ n: 4, dataBytes: 380, peer: 'a' }), NOW).status).toBe('added')
    expect(pool.add(entryOf({ n: 5, dataBytes: 380 }), NOW).status).toBe('added')
    expect(pool.bytes).toBe(800)
  })

  it('refuses PoW below minPow only when minPow is set', () => {
    expect(createPool({ minPow: 0.5 }).add(entryOf({ n: 1, pow: 0.4 }), NOW).status).toBe('low-pow')
    expect(createPool({ minPow: 0.5 }).add(entryOf({ n: 1, pow: 0.5 }), NOW).status).toBe('added')
    expect(createPool().add(entryOf({ n: 1, pow: 0 }), NOW).status).toBe('added')
  })

  it('when full, evicts expired entries first', () => {
    const pool = new RecordingPool({ maxCount: 2 })
    pool.add(entryOf({ n: 1, rating: 5, expiry: NOW + 1, ttl: 5 }), NOW)
    pool.add(entryOf({ n: 2, rating: 5, expiry: NOW + 9 }), NOW)
    const r = pool.add(entryOf({ n: 3, rating: 1, expiry: NOW + 9 }), NOW + 2)
    expect(statusOf(r)).toBe('added')
    expect(evictedKeys(r)).toEqual(['expired:1'])
    expect(pool.stats().evictions).toEqual({ expired: 1, rating: 0, 'peer-quota': 0 })
  })

  it('when full, sweeps every expired entry at once, and none when the earliest expiry left early', () => {
    const pool = new RecordingPool({ maxCount: 4 })
    pool.add(entryOf({ n: 1, rating: 1, expiry: NOW + 1, ttl: 5 }), NOW)
    pool.add(entryOf({ n: 2, rating: 5.5, expiry: NOW + 3, ttl: 5 }), NOW)
    pool.add(entryOf({ n: 3, rating: 5, expiry: NOW + 9 }), NOW)
    pool.add(entryOf({ n: 4, rating: 7, expiry: NOW + 2, ttl: 5 }), NOW)
    // Entry 1, the earliest to expire, leaves before it expires.
    expect(pool.delete(hashOf(1))?.expiry).toBe(NOW + 1)
    pool.add(entryOf({ n: 5, rating: 6, expiry: NOW + 9 }), NOW)
    // Full at NOW + 2: nothing has expired yet (entry 4 expires at NOW + 2), so the rating decides.
    expect(evictedKeys(pool.add(entryOf({ n: 6, rating: 6, expiry: NOW + 9 }), NOW + 2))).toEqual(['rating:3'])
    // Full at NOW + 4: entries 2 and 4 have expired, and both go.
    const r = pool.add(entryOf({ n: 7, rating: 6, expiry: NOW + 9 }), NOW + 4)
    expect(evictedKeys(r).sort()).toEqual(['expired:2', 'expired:4'])
    expect(pool.prune(NOW + 9)).toEqual([])
    expect(pool.size).toBe(3)
  })

  it('when full, evicts the lowest rating, and refuses a newcomer rated below everything', () => {
    const pool = new RecordingPool({ maxCount: 3 })
    for (const [n, rating] of [[1, 3], [2, 1], [3, 2]]) pool.add(entryOf({ n, rating }), NOW)
    const r = pool.add(entryOf({ n: 4, rating: 1.5 }), NOW)
    expect(evictedKeys(r)).toEqual(['rating:2'])
    expect(pool.add(entryOf({ n: 5, rating: 1 }), NOW)).toEqual({ status: 'full', evicted: 0, records: [] })
    expect(pool.select().map((e) => e.rating)).toEqual([3, 2, 1.5])
  })

  it('breaks rating ties by expiry: the earlier expiry loses; a full tie refuses the newcomer', () => {
    const pool = new RecordingPool({ maxCount: 1 })
    pool.add(entryOf({ n: 1, rating: 1, expiry: NOW + 10 }), NOW)
    expect(pool.add(entryOf({ n: 2, rating: 1, expiry: NOW + 10 }), NOW).status).toBe('full')
    expect(pool.add(entryOf({ n: 3, rating: 1, expiry: NOW + 9 }), NOW).status).toBe('full')
    expect(evictedKeys(pool.add(entryOf({ n: 4, rating: 1, expiry: NOW + 11 }), NOW))).toEqual(['rating:1'])
  })

  it('frees bytes by evicting as many low-rated entries as a large newcomer needs, or none', () => {
    const pool = new RecordingPool({ maxBytes: 300 })
    for (const n of [1, 2, 3]) pool.add(entryOf({ n, rating: n, dataBytes: 80 }), NOW) // 100 bytes each
    expect(pool.add(entryOf({ n: 4, rating: 1.5, dataBytes: 180 }), NOW).status).toBe('full')
    expect(pool.size).toBe(3)
    const r = pool.add(entryOf({ n: 5, rating: 9, dataBytes: 180 }), NOW)
    expect(evictedKeys(r)).toEqual(['rating:1', 'rating:2'])
    expect(pool.bytes).toBe(300)
  })

  it('holds a peer to its quota: its own lowest entry makes room, or the newcomer is refused', () => {
    const pool = new RecordingPool({ maxCount: 8, peerShare: 0.25 }) // 2 entries per peer
    pool.add(entryOf({ n: 1, rating: 2, peer: 'a' }), NOW)
    pool.add(entryOf({ n: 2, rating: 3, peer: 'a' }), NOW)
    pool.add(entryOf({ n: 3, rating: 0.5, peer: 'b' }), NOW)
    expect(pool.add(entryOf({ n: 4, rating: 1, peer: 'a' }), NOW)).toEqual({ status: 'peer-quota', evicted: 0, records: [] })
    expect(evictedKeys(pool.add(entryOf({ n: 5, rating: 4, peer: 'a' }), NOW))).toEqual(['peer-quota:1'])
    expect(pool.select().filter((e) => e.peer === 'a').map((e) => e.rating)).toEqual([4, 3])
    expect(pool.has(hashOf(3))).toBe(true)
    // Own envelopes have no quota.
    for (let n = 10; n < 14; n++) expect(pool.add(entryOf({ n, rating: 1 }), NOW).status).toBe('added')
    expect(pool.stats().peers).toBe(2)
  })

  it('grows its storage past the initial capacity and shrinks back to empty', () => {
    const pool = createPool({ maxCount: 5_000 })
    for (let n = 0; n < 5_000; n++) expect(pool.add(entryOf({ n, rating: n % 97, expiry: NOW + (n % 13), dataBytes: 0 }), NOW).status).toBe('added')
    expect(pool.add(entryOf({ n: 9_999, rating: -1, dataBytes: 0 }), NOW).status).toBe('full')
    const all = pool.select()
    expect(all).toHaveLength(5_000)
    for (let i = 1; i < all.length; i++) expect(all[i - 1].rating).toBeGreaterThanOrEqual(all[i].rating)
    expect(pool.prune(NOW + 13)).toHaveLength(5_000)
    expect(pool.size).toBe(0)
    expect(pool.bytes).toBe(0)
  })
})

describe('onEvict', () => {
  it('hands over each eviction in order once the add is done, with the pool already consistent', () => {
    const seen: Array<{ key: string; reason: string; held: boolean; size: number }> = []
    const pool: ReturnType<typeof createPool> = createPool({
      maxCount: 3,
      onEvict: (e) => seen.push({ key: e.entry.key, reason: e.reason, held: pool.has(e.entry.key), size: pool.size }),
    })
    pool.add(entryOf({ n: 1, rating: 5, expiry: NOW + 1, ttl: 5 }), NOW)
    pool.add(entryOf({ n: 2, rating: 1 }), NOW)
    pool.add(entryOf({ n: 3, rating: 2 }), NOW)
    // At NOW + 2 entry 1 has expired: it goes first, and then there is room.
    expect(pool.add(entryOf({ n: 4, rating: 9 }), NOW + 2)).toEqual({ status: 'added', evicted: 1 })
    expect(pool.add(entryOf({ n: 5, rating: 9 }), NOW + 2)).toEqual({ status: 'added', evicted: 1 })
    expect(seen).toEqual([
      { key: hashKey(hashOf(1)), reason: 'expired', held: false, size: 3 },
      { key: hashKey(hashOf(2)), reason: 'rating', held: false, size: 3 },
    ])
  })

  it('reports the expired entries swept by an add that is then refused', () => {
    const reasons: string[] = []
    const pool = createPool({ maxCount: 2, onEvict: (e) => reasons.push(e.reason) })
    pool.add(entryOf({ n: 1, rating: 5, expiry: NOW + 1, ttl: 5 }), NOW)
    pool.add(entryOf({ n: 2, rating: 5 }), NOW)
    pool.add(entryOf({ n: 3, rating: 6 }), NOW + 2) // sweeps entry 1
    expect(pool.add(entryOf({ n: 4, rating: 1 }), NOW + 2)).toEqual({ status: 'full', evicted: 0 })
    expect(reasons).toEqual(['expired'])
  })

  it('makes no eviction records without a listener: the add only counts them', () => {
    const pool = new BoundedPool({ maxCount: 2 })
    const record = vi.spyOn(pool as unknown as { record: (slot: number) => unknown }, 'record')
    for (let n = 1; n <= 10; n++) pool.add(entryOf({ n, rating: n }), NOW)
    expect(pool.stats().evictions.rating).toBe(8)
    expect(record).not.toHaveBeenCalled()
    pool.prune(NOW + 1_000) // prune returns its records: it still makes them
    expect(record).toHaveBeenCalledTimes(2)
  })

  it('leaves the pool whole when the listener throws: the error reaches the caller of add', () => {
    const pool = createPool({ maxCount: 2, onEvict: () => { throw new Error('listener failed') } })
    pool.add(entryOf({ n: 1, rating: 1 }), NOW)
    pool.add(entryOf({ n: 2, rating: 2 }), NOW)
    expect(() => pool.add(entryOf({ n: 3, rating: 3 }), NOW)).toThrow('listener failed')
    expect(pool.size).toBe(2)
    expect(pool.has(hashOf(3))).toBe(true)
    expect(pool.has(hashOf(1))).toBe(false)
    expect(pool.select().map((e) => e.rating)).toEqual([3, 2])
  })

  it('refuses a listener that is not a function, naming it', () => {
    expect(() => createPool({ onEvict: 'log' as never })).toThrow(new TypeError('init.onEvict must be a function'))
  })
})

describe('select, entries, delete, prune, stats', () => {
  const topicA = new Uint8Array([1, 2, 3, 4])
  const topicB = new Uint8Array([0xde, 0xad, 0xbe, 0xef])
  const fill = () => {
    const pool = createPool()
    pool.add(entryOf({ n: 1, rating: 1, pow: 1, topic: topicA, expiry: NOW + 5 }), NOW)
    pool.add(entryOf({ n: 2, rating: 3, pow: 0.1, topic: topicB, expiry: NOW + 50 }), NOW)
    pool.add(entryOf({ n: 3, rating: 2, pow: 2, topic: topicB, expiry: NOW + 50 }), NOW)
    return pool
  }
  const ns = (entries: { key: string }[]): number[] => entries.map((e) => [...keyToHash(e.key)][3])

  it('returns forwarding order and applies every filter', () => {
    const pool = fill()
    expect(ns(pool.select())).toEqual([2, 3, 1])
    expect(ns(pool.select({ limit: 2 }))).toEqual([2, 3])
    expect(ns(pool.select({ limit: 0 }))).toEqual([])
    expect(ns(pool.select({ minPow: 1 }))).toEqual([3, 1])
    expect(ns(pool.select({ bloom: topicsToBloom([topicA]) }))).toEqual([1])
    expect(ns(pool.select({ bloom: topicsToBloom([topicB]) }))).toEqual([2, 3])
    expect(ns(pool.select({ exclude: new Set([hashKey(hashOf(2))]) }))).toEqual([3, 1])
    expect(ns(pool.select({ exclude: (e) => e.pow < 1 }))).toEqual([3, 1])
    expect(ns(pool.select({ now: NOW + 6 }))).toEqual([2, 3])
    expect(ns([...pool.entries({ minPow: 1 })])).toEqual([3, 1])
  })

  it('selects by exact topics, combined with the other filters', () => {
    const pool = fill()
    expect(ns(pool.select({ topics: [topicA] }))).toEqual([1])
    expect(ns(pool.select({ topics: [topicB] }))).toEqual([2, 3])
    expect(ns(pool.select({ topics: [topicB, topicA] }))).toEqual([2, 3, 1])
    expect(ns(pool.select({ topics: [new Uint8Array(4)] }))).toEqual([])
    expect(ns(pool.select({ topics: [topicB], minPow: 1 }))).toEqual([3])
    expect(() => pool.select({ topics: [new Uint8Array(3)] })).toThrow(/options\.topics/)
    expect(() => pool.select({ topics: topicA as never })).toThrow(/options\.topics/)
  })

  it('deletes by hash or key and prunes only expiry < now', () => {
    const pool = fill()
    expect(pool.delete(hashKey(hashOf(2)))?.rating).toBe(3)
    expect(pool.delete(hashOf(2))).toBeUndefined()
    expect(pool.prune(NOW + 5)).toEqual([])
    expect(ns(pool.prune(NOW + 6))).toEqual([1])
    expect(pool.select().every((e) => e.expiry >= NOW + 6)).toBe(true)
    expect(pool.stats()).toEqual({
      count: 1,
      bytes: 100,
      peers: 0,
      seen: 2,
      adds: { added: 3, duplicate: 0, expired: 0, future: 0, 'too-large': 0, 'low-pow': 0, 'peer-quota': 0, full: 0 },
      evictions: { expired: 1, rating: 0, 'peer-quota': 0 },
      deleted: 1,
    })
  })
})

describe('argument checks', () => {
  it('throws TypeError/RangeError naming the setting', () => {
    expect(() => createPool({ maxBytes: 0 })).toThrow(/init\.maxBytes/)
    expect(() => createPool({ maxCount: 1.5 })).toThrow(TypeError)
    expect(() => createPool({ peerShare: 0 })).toThrow(/init\.peerShare/)
    expect(() => createPool({ peerShare: 1.5 })).toThrow(RangeError)
    expect(() => createPool({ maxEnvelopeBytes: 11 * 1024 * 1024 })).toThrow(/init\.maxEnvelopeBytes/)
    expect(() => createPool({ futureAllowanceSeconds: -1 })).toThrow(/init\.futureAllowanceSeconds/)
    expect(() => createPool({ minPow: Number.NaN })).toThrow(/init\.minPow/)
    expect(() => createPool({ seen: { maxCount: -1 } })).toThrow(/init\.maxCount/)
    expect(() => createPool(null as never)).toThrow(TypeError)
  })

  it('throws naming the entry field or now', () => {
    const pool = createPool()
    const good = entryOf({ n: 1 })
    const cases: [unknown, RegExp][] = [
      [null, /entry must/],
      [{ ...good, envelope: null }, /entry\.envelope must/],
      [{ ...good, envelope: { ...good.envelope, expiry: -1 } }, /entry\.envelope\.expiry/],
      [{ ...good, envelope: { ...good.envelope, ttl: 2 ** 32 } }, /entry\.envelope\.ttl/],
      [{ ...good, envelope: { ...good.envelope, topic: new Uint8Array(3) } }, /entry\.envelope\.topic/],
      [{ ...good, envelope: { ...good.envelope, data: 'x' } }, /entry\.envelope\.data/],
      [{ ...good, raw: undefined }, /entry\.raw must be a Uint8Array/],
      [{ ...good, raw: good.raw.subarray(1) }, /entry\.raw must be the RLP/],
      [{ ...good, raw: entryOf({ n: 1, dataBytes: 200 }).raw }, /entry\.raw must be the RLP/],
      [{ ...good, hash: new Uint8Array(31) }, /entry\.hash/],
      [{ ...good, pow: -1 }, /entry\.pow/],
      [{ ...good, rating: Number.NaN }, /entry\.rating/],
      [{ ...good, arrival: Number.POSITIVE_INFINITY }, /entry\.arrival/],
      [{ ...good, peer: 7 }, /entry\.peer/],
    ]
    for (const [entry, message] of cases) expect(() => pool.add(entry as never, NOW)).toThrow(message)
    expect(() => pool.add(good, -1)).toThrow(/now/)
    expect(() => pool.add(good, Number.NaN)).toThrow(TypeError)
    expect(() => pool.prune(Number.NaN)).toThrow(/now/)
    expect(() => pool.has(new Uint8Array(4))).toThrow(RangeError)
    expect(pool.size).toBe(0)
  })

  it('throws naming the select option', () => {
    const pool = createPool()
    expect(() => pool.select({ bloom: new Uint8Array(63) })).toThrow(/options\.bloom/)
    expect(() => pool.select({ limit: -1 })).toThrow(/options\.limit/)
    expect(() => pool.select({ minPow: Number.NaN })).toThrow(/options\.minPow/)
    expect(() => pool.select({ now: -5 })).toThrow(/options\.now/)
    expect(() => pool.select({ exclude: [] as never })).toThrow(/options\.exclude/)
  })
})

describe('raw byte storage', () => {
  it('hands out the raw bytes of every entry through adds, evictions, deletes, prunes and compaction', () => {
    // 1 KiB slabs: a few entries each, so compaction runs often; 2 KiB entries get buffers of their own.
    const pool = new RecordingPool({ maxCount: 40, maxBytes: 1_000_000 }, { slabBytes: 1024 })
    const held = new Map<number, Uint8Array>()
    let next = 0
    for (let round = 0; round < 30; round++) {
      for (let i = 0; i < 7; i++) {
        const n = next++
        const dataBytes = n % 11 === 0 ? 2_000 : 20 + ((n * 37) % 90)
        const init = entryOf({ n, dataBytes, rating: (n * 7919) % 101, expiry: NOW + 1 + (n % 9) })
        const r = pool.add(init, NOW)
        if (r.status === 'added') {
          held.set(n, init.raw)
          for (const e of r.records) {
            const gone = [...keyToHash(e.entry.key)].slice(0, 4).reduce((a, b) => a * 256 + b, 0)
            expect(held.has(gone)).toBe(true)
            expect(pool.getRaw(e.entry.key)).toBeUndefined()
            expect('raw' in e.entry).toBe(false) // a record: key and numbers, no bytes
            held.delete(gone)
          }
        }
      }
      for (const n of [...held.keys()].filter((k) => k % 5 === round % 5)) {
        const entry = pool.get(hashOf(n))
        expect(pool.delete(hashOf(n))?.key).toBe(hashKey(hashOf(n)))
        expect(entry?.raw).toBeUndefined() // first read after it left: nothing, never other bytes
        held.delete(n)
      }
      const t = pool.table
      t.raws.verify([...held.keys()].map((n) => pool.slotFor(hashOf(n))))
      for (const [n, raw] of held) expect(pool.getRaw(hashOf(n))).toEqual(raw)
    }
    expect(pool.table.raws.movedBytes).toBeGreaterThan(0)
    const pruned = pool.prune(NOW + 100)
    expect(new Set(pruned.map((e) => e.key))).toEqual(new Set([...held.keys()].map((n) => hashKey(hashOf(n)))))
    expect(pool.size).toBe(0)
    expect(pool.table.raws.liveBytes).toBe(0)
  })

  it('selects by the topic it recorded at add, without decoding', () => {
    const pool = createPool()
    const topic = new Uint8Array([0xde, 0xad, 0xbe, 0xef])
    pool.add(entryOf({ n: 1, topic }), NOW)
    pool.add(entryOf({ n: 2 }), NOW)
    const got = pool.select({ bloom: topicsToBloom([topic]) })
    expect(got.map((e) => e.key)).toEqual([hashKey(hashOf(1))])
    expect(got[0].envelope?.topic).toEqual(topic)
  })
})

describe('the seen cache shares the pool\'s hash index', () => {
  it('keeps seen records and pooled entries apart for pool.seen', () => {
    const pool = createPool({ seen: { allowanceSeconds: 20 } })
    pool.add(entryOf({ n: 1, expiry: NOW + 5 }), NOW)
    // A pooled hash is not a seen record until the caller adds one.
    expect(pool.seen.has(hashOf(1), NOW)).toBe(false)
    expect(pool.seen.size).toBe(0)
    expect(pool.seen.delete(hashOf(1))).toBe(false)
    expect(pool.has(hashOf(1))).toBe(true)
    pool.seen.add(hashOf(1), NOW + 100)
    expect(pool.seen.has(hashOf(1), NOW + 120)).toBe(true)
    expect(pool.seen.size).toBe(1)
    // Leaving the pool keeps the later of the two expiries.
    expect(pool.prune(NOW + 6).map((e) => e.key)).toEqual([hashKey(hashOf(1))])
    expect(pool.hasSeen(hashOf(1), NOW + 120)).toBe(true)
    expect(pool.seen.size).toBe(1)
    // Clearing the seen cache forgets the records but not what the pool holds.
    pool.add(entryOf({ n: 2, expiry: NOW + 50 }), NOW)
    pool.seen.add(hashOf(2), NOW + 50)
    pool.seen.clear()
    expect(pool.seen.size).toBe(0)
    expect(pool.has(hashOf(2))).toBe(true)
    expect(pool.get(hashOf(2))?.raw).toEqual(entryOf({ n: 2, expiry: NOW + 50 }).raw)
    expect(pool.hasSeen(hashOf(1), NOW)).toBe(false)
    expect(pool.add(entryOf({ n: 1, expiry: NOW + 50 }), NOW).status).toBe('added')
    // Deleting a seen record of a pooled hash leaves the entry in place.
    pool.seen.add(hashOf(1), NOW + 60)
    expect(pool.seen.delete(hashOf(1))).toBe(true)
    expect(pool.has(hashOf(1))).toBe(true)
    expect(pool.delete(hashOf(1))?.key).toBe(hashKey(hashOf(1)))
    expect(pool.seen.has(hashOf(1), NOW + 70)).toBe(true) // its own expiry + 20 s
    expect(pool.seen.has(hashOf(1), NOW + 71)).toBe(false)
  })

  it('re-admits a hash whose seen record lapsed but was not pruned, even when that add evicts it', () => {
    // maxCount 1 for the seen cache: remembering the evicted hash forgets the lapsed record.
    const pool = createPool({ maxCount: 1, seen: { maxCount: 1, allowanceSeconds: 0 } })
    pool.add(entryOf({ n: 1, rating: 1, expiry: NOW + 1, ttl: 1 }), NOW)
    expect(pool.delete(hashOf(1))).toBeDefined() // seen until NOW + 1
    pool.add(entryOf({ n: 2, rating: 1, expiry: NOW + 50 }), NOW)
    // At NOW + 2 the record of 1 has lapsed (not pruned); re-adding 1 evicts 2, whose record
    // pushes out 1's: the newcomer must still get an index id of its own.
    const r = pool.add(entryOf({ n: 1, rating: 2, expiry: NOW + 50 }), NOW + 2)
    expect(r.status).toBe('added')
    expect(pool.has(hashOf(1))).toBe(true)
    expect(pool.has(hashOf(2))).toBe(false)
    expect(pool.hasSeen(hashOf(2), NOW + 2)).toBe(true)
    expect(pool.get(hashOf(1))?.key).toBe(hashKey(hashOf(1)))
  })

  it('works with the seen cache disabled', () => {
    const pool = createPool({ maxCount: 2, seen: { maxCount: 0 } })
    for (let n = 0; n < 50; n++) expect(pool.add(entryOf({ n, rating: n }), NOW).status).toBe('added')
    expect(pool.size).toBe(2)
    expect(pool.seen.size).toBe(0)
    expect(pool.add(entryOf({ n: 3, rating: 100 }), NOW).status).toBe('added') // forgotten at once
    expect(pool.select().map((e) => e.rating)).toEqual([100, 49])
  })
})

describe('peer heaps kept only near the quota', () => {
  it('evicts a peer\'s own lowest entries at its quota, whether its heap was built early or late', () => {
    // 64 entries, 16 per peer; 100-byte envelopes against a 2,500-byte peer quota.
    const pool = new RecordingPool({ maxCount: 64, maxBytes: 10_000, peerShare: 0.25, maxEnvelopeBytes: 600 })
    for (let n = 0; n < 7; n++) pool.add(entryOf({ n, rating: 10 + n, peer: 'a' }), NOW) // under half: no heap
    const load = (): { heap: unknown; count: number } => (pool as unknown as { peers: Map<string, { heap: unknown; count: number }> }).peers.get('a') as never
    expect(load().heap).toBeUndefined()
    pool.add(entryOf({ n: 7, rating: 5, peer: 'a' }), NOW) // half the count quota: built
    expect(load().heap).toBeDefined()
    for (let n = 8; n < 16; n++) pool.add(entryOf({ n, rating: 10 + n, peer: 'a' }), NOW)
    // At its quota: its lowest (n = 7, rating 5) goes, not the pool's lowest (peer b's).
    pool.add(entryOf({ n: 100, rating: 1, peer: 'b' }), NOW)
    const r = pool.add(entryOf({ n: 16, rating: 30, peer: 'a' }), NOW)
    expect(evictedKeys(r)).toEqual(['peer-quota:7'])
    expect(pool.add(entryOf({ n: 17, rating: 2, peer: 'a' }), NOW)).toEqual({ status: 'peer-quota', evicted: 0, records: [] })
    // Draining below a quarter drops the heap only after as many operations as the build scanned.
    for (let n = 0; n <= 16; n++) pool.delete(hashOf(n))
    expect(load()).toBeUndefined() // no entries left: the load itself is gone
    for (let n = 200; n < 203; n++) pool.add(entryOf({ n, rating: 1, peer: 'a' }), NOW)
    expect(load().heap).toBeUndefined()
  })

  it('keeps every peer heap when envelopes may be large next to the quota', () => {
    const pool = new BoundedPool({ maxCount: 64, maxBytes: 2_000, peerShare: 0.25 }) // 500-byte quota, 1 MiB envelopes
    pool.add(entryOf({ n: 1, peer: 'a' }), NOW)
    expect((pool as unknown as { peers: Map<string, { heap: unknown }> }).peers.get('a')?.heap).toBeDefined()
  })
})

describe('select and entries at scale', () => {
  const fill = (count: number) => {
    const pool = createPool({ maxCount: count, maxBytes: 1 << 30 })
    for (let n = 0; n < count; n++) {
      // Few distinct ratings and expiries, so ties are settled by expiry and insertion order.
      pool.add(entryOf({ n, rating: (n * 7919) % 13, expiry: NOW + 10 + ((n * 31) % 7), pow: n % 3, dataBytes: 0, topic: new Uint8Array([n % 5, 0, 0, 0]) }), NOW)
    }
    return pool
  }

  it('returns the same order for every limit as a full sort', () => {
    const pool = fill(3_000)
    const all = pool.select()
    for (let i = 1; i < all.length; i++) {
      const [a, b] = [all[i - 1], all[i]]
      expect(a.rating > b.rating || (a.rating === b.rating && a.expiry >= b.expiry)).toBe(true)
    }
    const keys = all.map((e) => e.key)
    for (const limit of [1, 2, 10, 64, 700, 749, 751, 2_999, 3_000]) {
      expect(pool.select({ limit }).map((e) => e.key)).toEqual(keys.slice(0, limit))
    }
    const exclude = new Set(keys.filter((_, i) => i % 3 === 0))
    const filtered = all.filter((e) => !exclude.has(e.key) && e.pow >= 1).map((e) => e.key)
    expect(pool.select({ limit: 40, exclude, minPow: 1 }).map((e) => e.key)).toEqual(filtered.slice(0, 40))
    expect(pool.select({ limit: 40, exclude: (e) => exclude.has(e.key), minPow: 1 }).map((e) => e.key)).toEqual(filtered.slice(0, 40))
  })

  it('entries() yields what matched at the call and is still pooled, never what came later', () => {
    const pool = fill(100)
    const it = pool.entries({ minPow: 1 })
    const expected = pool.select({ minPow: 1 }).map((e) => e.key)
    const first = it.next()
    expect(first.done).toBe(false)
    if (first.done === true) return
    expect(first.value.key).toBe(expected[0])
    // Remove the next one, add newcomers: the iterator skips the one and never shows the others.
    pool.delete(keyToHash(expected[1]))
    for (let n = 1_000; n < 1_010; n++) pool.add(entryOf({ n, rating: 99, pow: 2, dataBytes: 0 }), NOW)
    const rest = [...it].map((e) => e.key)
    // The newcomers evicted some matches (the pool is full): those are skipped too.
    const stillPooled = expected.slice(2).filter((key) => pool.has(key))
    expect(stillPooled.length).toBeLessThan(expected.length - 2)
    expect(rest).toEqual(stillPooled)
    // Still pooled, so its bytes are there to copy, however late they are first read.
    expect(first.value.envelope?.expiry).toBe(first.value.expiry)
    expect(first.value.raw).toEqual(pool.getRaw(first.value.key))
  })
})
