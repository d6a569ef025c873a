import { encodeRlp, FULL_BLOOM, topicsToBloom, uintToBytes } from '@hush/envelope'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeCompletion, decodeHistoryRequest, encodeCompletion, encodeHistoryRequest, type HistoryRequest } from '../src/index.ts'

const topic = new Uint8Array([1, 2, 3, 4])
const key = new Uint8Array(36).fill(7)
const hash = new Uint8Array(32).fill(9)
const u = (n: number): Uint8Array => uintToBytes(n)
const empty = new Uint8Array(0)

describe('history request payloads', () => {
  it("read geth's form: 8 bytes (full bloom) or 72 and more (bloom, the rest ignored)", () => {
    const bloom = topicsToBloom([topic])
    const full = encodeHistoryRequest({ format: 'geth', from: 1000, to: 0xffff_ffff, bloom })
    expect(full).toHaveLength(72)
    expect([...full.subarray(0, 8)]).toEqual([0, 0, 3, 0xe8, 0xff, 0xff, 0xff, 0xff])
    expect(decodeHistoryRequest(full)).toEqual({ format: 'geth', from: 1000, to: 0xffff_ffff, bloom })
    const longer = new Uint8Array(80)
    longer.set(full)
    expect(decodeHistoryRequest(longer)).toEqual({ format: 'geth', from: 1000, to: 0xffff_ffff, bloom })
    expect(decodeHistoryRequest(encodeHistoryRequest({ format: 'geth', from: 5, to: 6 }))).toEqual({ format: 'geth', from: 5, to: 6, bloom: FULL_BLOOM })
  })

  it('round-trip the extended form with a bloom or topics, a limit and a cursor (property)', () => {
    const arb: fc.Arbitrary<HistoryRequest> = fc
      .record({
        from: fc.integer({ min: 0, max: 0xffff_ffff }),
        span: fc.integer({ min: 0, max: 1e6 }),
        filter: fc.oneof(fc.uint8Array({ minLength: 64, maxLength: 64 }), fc.array(fc.uint8Array({ minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 20 })),
        limit: fc.integer({ min: 1, max: 10_000 }),
        cursor: fc.option(fc.uint8Array({ minLength: 36, maxLength: 36 }), { nil: undefined }),
      })
      .map((r) => ({ format: 'extended' as const, from: r.from, to: Math.min(0xffff_ffff, r.from + r.span), filter: r.filter, limit: r.limit, cursor: r.cursor }))
    fc.assert(
      fc.property(arb, (request) => {
        expect(decodeHistoryRequest(encodeHistoryRequest(request))).toEqual(request)
      })
    )
  })

  it('refuse malformed payloads with InvalidHistoryRequestError (table)', () => {
    const cases: Array<[string, Uint8Array]> = [
      ['empty', empty],
      ['7 bytes', new Uint8Array(7)],
      ['9 bytes', new Uint8Array(9)],
      ['71 bytes', new Uint8Array(71)],
      ['geth range ending before it starts', new Uint8Array([0, 0, 0, 9, 0, 0, 0, 8])],
      ['extended range ending before it starts', encodeRlp([u(9), u(8), [topic], u(1), empty])],
      ['limit 0', encodeRlp([u(1), u(2), [topic], u(0), empty])],
      ['limit over 10,000', encodeRlp([u(1), u(2), [topic], u(10_001), empty])],
      ['bloom of 63 bytes', encodeRlp([u(1), u(2), new Uint8Array(63), u(1), empty])],
      ['empty topic list', encodeRlp([u(1), u(2), [], u(1), empty])],
      ['topic of 3 bytes', encodeRlp([u(1), u(2), [new Uint8Array(3)], u(1), empty])],
      ['cursor of 35 bytes', encodeRlp([u(1), u(2), [topic], u(1), new Uint8Array(35)])],
      ['from wider than 32 bits', encodeRlp([uintToBytes(2 ** 32), u(2 ** 32 + 1), [topic], u(1), empty])],
      ['from with a leading zero', encodeRlp([new Uint8Array([0, 1]), u(2), [topic], u(1), empty])],
      ['from as a list', encodeRlp([[u(1)], u(2), [topic], u(1), empty])],
    ]
    for (const [what, payload] of cases) {
      expect(() => decodeHistoryRequest(payload), what).toThrow(expect.objectContaining({ name: 'InvalidHistoryRequestError' }))
    }
    expect(() => decodeHistoryRequest('x' as unknown as Uint8Array)).toThrow(TypeError)
  })

  it('never throw anything but InvalidHistoryRequestError on arbitrary bytes (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 120 }), fc.uint8Array({ maxLength: 60 }).map((b) => encodeRlp([b, b, b, b, b]))), (bytes) => {
        try {
          const r = decodeHistoryRequest(bytes)
          expect(r.to).toBeGreaterThanOrEqual(r.from)
        } catch (err) {
          expect((err as Error).name).toBe('InvalidHistoryRequestError')
        }
      })
    )
  })

  it('refuse to encode bad requests, naming the field', () => {
    expect(() => encodeHistoryRequest({ format: 'geth', from: -1, to: 2 })).toThrow(expect.objectContaining({ name: 'RangeError', message: expect.stringContaining('request.from') }))
    expect(() => encodeHistoryRequest({ format: 'extended', from: 1, to: 2, filter: [], limit: 1, cursor: undefined })).toThrow(/request.filter/)
    expect(() => encodeHistoryRequest({ format: 'extended', from: 1, to: 2, filter: [topic], limit: 0, cursor: undefined })).toThrow(/request.limit/)
    expect(() => encodeHistoryRequest({ format: 'extended', from: 1, to: 2, filter: [topic], limit: 1, cursor: new Uint8Array(3) })).toThrow(/request.cursor/)
  })
})

describe('completion bodies', () => {
  it('round-trip (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.integer({ min: 0, max: 10_000 }), fc.option(fc.uint8Array({ minLength: 36, maxLength: 36 }), { nil: undefined }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (requestId, count, cursor, digest) => {
        expect(decodeCompletion(encodeCompletion({ requestId, count, cursor, digest }))).toEqual({ requestId, count, cursor, digest })
      })
    )
  })

  it('refuse malformed bodies with InvalidCompletionError (table and property)', () => {
    const cases: Array<[string, Uint8Array]> = [
      ['empty', empty],
      ['not a list', encodeRlp(hash)],
      ['3 items', encodeRlp([hash, u(1), empty])],
      ['nested list', encodeRlp([hash, [u(1)], empty, hash])],
      ['short id', encodeRlp([hash.subarray(1), u(1), empty, hash])],
      ['short digest', encodeRlp([hash, u(1), empty, hash.subarray(2)])],
      ['cursor of 5 bytes', encodeRlp([hash, u(1), new Uint8Array(5), hash])],
      ['count over 10,000', encodeRlp([hash, u(10_001), key, hash])],
      ['trailing bytes', new Uint8Array([...encodeRlp([hash, u(1), key, hash]), 0])],
    ]
    for (const [what, body] of cases) expect(() => decodeCompletion(body), what).toThrow(expect.objectContaining({ name: 'InvalidCompletionError' }))
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
        try {
          decodeCompletion(bytes)
        } catch (err) {
          expect((err as Error).name).toBe('InvalidCompletionError')
        }
      })
    )
  })
})

describe('docs/WIRE.md worked example', () => {
  it('is the extended payload for from 1000, to 2000, topics [01020304], limit 100, no cursor', () => {
    const payload = encodeHistoryRequest({ format: 'extended', from: 1000, to: 2000, filter: [topic], limit: 100, cursor: undefined })
    expect(Buffer.from(payload).toString('hex')).toBe('ce8203e88207d0c584010203046480')
  })
})
