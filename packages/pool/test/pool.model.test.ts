/**
 * Model test: random sequences of add / advance time / prune / select / delete / hasSeen, run on
 * the real pool and on the array-based reference model (fixtures/reference-model.ts), compared
 * after every step, with the pool's invariants checked throughout. The pool runs on small slabs
 * (256 B to 4 KiB), so its raw byte storage compacts and gives large envelopes their own buffers
 * all the time; every pooled entry's raw bytes are checked after every step.
 */
import { topicsToBloom } from '@hush/envelope'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { hashKey, type PoolEntry } from '../src/index.ts'
import type { BoundedPool } from '../src/pool.ts'
import { entryOf, hashOf } from './fixtures/entries.ts'
import { RecordingPool, type RecordedAdd } from './fixtures/recording-pool.ts'
import { ReferenceModel, type ModelSettings } from './fixtures/reference-model.ts'

const TOPICS = [
  new Uint8Array([1, 2, 3, 4]),
  new Uint8Array([0xde, 0xad, 0xbe, 0xef]),
  new Uint8Array([0, 1, 0, 0]),
  new Uint8Array([9, 9, 9, 9]),
]
const PEERS = [undefined, 'peer-a', 'peer-b', 'peer-c'] as const
const KEYS = 48

/** Small pools: every rule is hit often; most settings keep every peer heap (large envelopes). */
const arbSettings: fc.Arbitrary<ModelSettings> = fc.record({
  maxBytes: fc.integer({ min: 60, max: 900 }),
  maxCount: fc.integer({ min: 1, max: 10 }),
  peerShare: fc.constantFrom(0.25, 0.5, 0.75, 1),
  maxEnvelopeBytes: fc.integer({ min: 40, max: 400 }),
  futureAllowanceSeconds: fc.integer({ min: 0, max: 10 }),
  minPow: fc.option(fc.constantFrom(0.5, 1, 2), { nil: undefined }),
  seenAllowanceSeconds: fc.integer({ min: 0, max: 20 }),
})

/**
 * Larger pools whose envelopes are at most a quarter of the peer byte quota: peer heaps are built
 * at half the quota and dropped below a quarter (see `peer-load.ts`).
 */
const arbLazySettings: fc.Arbitrary<ModelSettings> = fc.record({
  maxBytes: fc.integer({ min: 2_000, max: 6_000 }),
  maxCount: fc.integer({ min: 8, max: 24 }),
  peerShare: fc.constantFrom(0.5, 0.75, 1),
  maxEnvelopeBytes: fc.integer({ min: 40, max: 250 }),
  futureAllowanceSeconds: fc.integer({ min: 0, max: 10 }),
  minPow: fc.option(fc.constantFrom(0.5, 1, 2), { nil: undefined }),
  seenAllowanceSeconds: fc.integer({ min: 0, max: 20 }),
})

type Command =
  | { kind: 'add'; n: number; rating: number; pow: number; expiryIn: number; ttl: number; dataBytes: number; peer: number; topic: number }
  | { kind: 'tick'; seconds: number }
  | { kind: 'prune' }
  | { kind: 'select'; topics: number[] | null; minPow: number | null; limit: number | null; exclude: number[]; withNow: boolean }
  | { kind: 'delete'; n: number }

/** Add commands: any key, rating and topic, with the other fields drawn from `fields`. */
function arbAdd(fields: {
  pow: fc.Arbitrary<number>
  expiryIn: fc.Arbitrary<number>
  ttl: fc.Arbitrary<number>
  dataBytes: fc.Arbitrary<number>
  peer: fc.Arbitrary<number>
}): fc.Arbitrary<Command> {
  return fc.record({
    kind: fc.constant('add' as const),
    n: fc.nat({ max: KEYS - 1 }),
    rating: fc.oneof(fc.integer({ min: 0, max: 4 }), fc.double({ min: 0, max: 5, noNaN: true })),
    ...fields,
    topic: fc.nat({ max: TOPICS.length - 1 }),
  })
}

const arbCommand: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 6,
    arbitrary: arbAdd({
      pow: fc.constantFrom(0, 0.5, 1, 2, 3),
      expiryIn: fc.integer({ min: -3, max: 8 }),
      ttl: fc.integer({ min: 0, max: 25 }),
      dataBytes: fc.integer({ min: 0, max: 260 }),
      peer: fc.nat({ max: PEERS.length - 1 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('tick' as const), seconds: fc.integer({ min: 0, max: 6 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('prune' as const) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('select' as const),
      topics: fc.option(fc.subarray([0, 1, 2, 3]), { nil: null }),
      minPow: fc.option(fc.constantFrom(0.5, 1, 2), { nil: null }),
      limit: fc.option(fc.nat({ max: 6 }), { nil: null }),
      exclude: fc.array(fc.nat({ max: KEYS - 1 }), { maxLength: 4 }),
      withNow: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), n: fc.nat({ max: KEYS - 1 }) }) }
)

/**
 * Commands for the lazy run: mostly adds from two peers with long lives, so peers reach their
 * quota, and bursts of deletes and time, so they drain below a quarter of it again.
 */
const arbLazyCommand: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 12,
    arbitrary: arbAdd({
      pow: fc.constantFrom(0, 1, 2),
      expiryIn: fc.integer({ min: 0, max: 30 }),
      ttl: fc.integer({ min: 20, max: 30 }),
      dataBytes: fc.integer({ min: 0, max: 200 }),
      peer: fc.constantFrom(1, 2),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tick' as const), seconds: fc.integer({ min: 0, max: 12 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('prune' as const) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('delete' as const), n: fc.nat({ max: KEYS - 1 }) }) }
)

function evictedOf(result: RecordedAdd): Array<[string, string]> | undefined {
  return 'evicted' in result ? result.records.map((e) => [e.entry.key, e.reason]) : undefined
}

const sorted = <T>(xs: T[]): T[] => [...xs].sort()

describe('pool against the reference model', () => {
  it('agrees on every outcome and keeps its invariants', () => {
    fc.assert(fc.property(arbSettings, fc.constantFrom(256, 1024, 4096), fc.array(arbCommand, { minLength: 10, maxLength: 60, size: 'max' }), run), { numRuns: 200 })
  })

  it('agrees with peer heaps built and dropped as peers cross half and a quarter of their quota', () => {
    fc.assert(fc.property(arbLazySettings, fc.constantFrom(256, 4096), fc.array(arbLazyCommand, { minLength: 60, maxLength: 200, size: 'max' }), run), { numRuns: 60 })
  })
})

/** Runs `commands` on the real pool and on the model, comparing them after every step. */
function run(settings: ModelSettings, slabBytes: number, commands: Command[]): void {
  {
    {
        const pool = new RecordingPool({
          maxBytes: settings.maxBytes,
          maxCount: settings.maxCount,
          peerShare: settings.peerShare,
          maxEnvelopeBytes: settings.maxEnvelopeBytes,
          futureAllowanceSeconds: settings.futureAllowanceSeconds,
          minPow: settings.minPow,
          seen: { allowanceSeconds: settings.seenAllowanceSeconds },
        }, { slabBytes })
        const model = new ReferenceModel(settings)
        const raws = new Map<string, Uint8Array>()
        const keys = Array.from({ length: KEYS }, (_, n) => hashKey(hashOf(n)))
        let now = 1_000
        for (const c of commands) {
          switch (c.kind) {
            case 'add': {
              const init = entryOf({
                n: c.n, rating: c.rating, pow: c.pow, expiry: now + c.expiryIn, ttl: c.ttl,
                dataBytes: c.dataBytes, peer: PEERS[c.peer], topic: TOPICS[c.topic],
              })
              const result = pool.add(init, now)
              const expected = model.add(keys[c.n], init, now)
              expect(result.status).toBe(expected.status)
              const evicted = evictedOf(result)
              expect(evicted === undefined ? undefined : sorted(evicted.map(String))).toEqual(
                expected.evicted === undefined ? undefined : sorted(expected.evicted.map(String))
              )
              if (result.status === 'added') {
                expect(pool.get(keys[c.n])?.key).toBe(keys[c.n])
                raws.set(keys[c.n], init.raw)
              }
              break
            }
            case 'tick':
              now += c.seconds
              break
            case 'prune': {
              const removed = pool.prune(now).map((e) => e.key)
              expect(sorted(removed)).toEqual(sorted(model.prune(now)))
              // No expired entry survives a prune.
              expect(pool.select().every((e) => e.expiry >= now)).toBe(true)
              break
            }
            case 'select': {
              const options = {
                ...(c.topics === null ? {} : { bloom: topicsToBloom(c.topics.map((t) => TOPICS[t])) }),
                ...(c.minPow === null ? {} : { minPow: c.minPow }),
                ...(c.limit === null ? {} : { limit: c.limit }),
                exclude: new Set(c.exclude.map((n) => keys[n])),
                ...(c.withNow ? { now } : {}),
              }
              const got = pool.select(options)
              expect(got.map((e) => e.key)).toEqual(model.select(options))
              for (let i = 1; i < got.length; i++) expect(got[i - 1].rating).toBeGreaterThanOrEqual(got[i].rating)
              break
            }
            case 'delete': {
              const deleted = pool.delete(hashOf(c.n))
              expect(deleted?.key).toBe(model.delete(keys[c.n]) ? keys[c.n] : undefined)
              break
            }
          }
          checkInvariants(pool, model, keys, now)
          checkRaws(pool, model, keys, raws)
        }
    }
  }
}

/** Every pooled entry's bytes are the raw bytes it was added with, and the slabs are consistent. */
function checkRaws(pool: BoundedPool, model: ReferenceModel, keys: string[], raws: Map<string, Uint8Array>): void {
  const slots: number[] = []
  for (const key of keys) {
    if (!model.has(key)) {
      expect(pool.getRaw(key)).toBeUndefined()
      continue
    }
    expect(pool.getRaw(key)).toEqual(raws.get(key))
    slots.push(pool.slotFor(key))
  }
  pool.table.raws.verify(slots)
}

function checkInvariants(pool: BoundedPool, model: ReferenceModel, keys: string[], now: number): void {
  const s = pool.settings
  const all: PoolEntry[] = pool.select()
  expect(pool.size).toBe(model.entries.length)
  expect(pool.bytes).toBe(model.bytes)
  expect(pool.size).toBeLessThanOrEqual(s.maxCount)
  expect(pool.bytes).toBeLessThanOrEqual(s.maxBytes)
  expect(all.length).toBe(pool.size)
  expect(all.reduce((sum, e) => sum + e.bytes, 0)).toBe(pool.bytes)
  for (const peer of PEERS) {
    if (peer === undefined) continue
    const mine = all.filter((e) => e.peer === peer)
    expect(mine.length).toBeLessThanOrEqual(s.maxPeerCount)
    expect(mine.reduce((sum, e) => sum + e.bytes, 0)).toBeLessThanOrEqual(s.maxPeerBytes)
  }
  for (const key of keys) {
    expect(pool.has(key)).toBe(model.has(key))
    expect(pool.get(key)?.key).toBe(model.has(key) ? key : undefined)
    expect(pool.hasSeen(key, now)).toBe(model.has(key) || model.seenHas(key, now))
  }
  const stats = pool.stats()
  expect(stats.count).toBe(pool.size)
  expect(stats.bytes).toBe(pool.bytes)
}
