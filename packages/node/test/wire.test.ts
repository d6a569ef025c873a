import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { type RlpItem, encodeEnvelope, encodeRlp, topicToBloom, uintToBytes } from '@hush/envelope'
import { decodeRlp as decodeRlpStrict } from '@hush/envelope'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  decodeFrame,
  encodeBloomFrame,
  encodeMessagesFrame,
  encodeP2PCompleteFrame,
  encodeP2PFrame,
  encodePowFrame,
  encodeStatusFrame,
  messagesFrameSize,
  powFromBytes,
  powToBytes,
} from '../src/wire.ts'

const isInvalidFrame = expect.objectContaining({ name: 'InvalidFrameError' })

describe('wire worked examples (design.md §2)', () => {
  it('status: PoW 0.2, full node, not light, clock 1764072000000, max 1 MiB', () => {
    const frame = encodeStatusFrame({
      minPow: 0.2,
      bloom: undefined,
      isLight: false,
      clockMs: 1764072000000,
      maxSizeBytes: 1024 * 1024,
    })
    expect(frame.length).toBe(0x1a)
    expect(bytesToHex(frame)).toBe('d980d706883fc999999999999a808086019abae28a0083100000')
    expect(decodeFrame(frame)).toEqual({
      code: 0,
      status: { version: 6, minPow: 0.2, bloom: undefined, isLight: false, clockMs: 1764072000000, maxSizeBytes: 1048576 },
    })
  })
  it('messages frame with one envelope', () => {
    const env = encodeEnvelope({ expiry: 1764072050, ttl: 50, topic: hexToBytes('deadbeef'), data: hexToBytes('010203'), nonce: 7n })
    const frame = encodeMessagesFrame([env])
    expect(bytesToHex(frame)).toBe('d301d1d08469259a723284deadbeef8301020307')
    expect(frame.length).toBe(messagesFrameSize(env.length))
    expect(decodeFrame(frame)).toEqual({ code: 1, envelopes: [env] })
  })
  it('PoW requirement 0.2', () => {
    expect(bytesToHex(encodePowFrame(0.2))).toBe('ca02883fc999999999999a')
    expect(decodeFrame(encodePowFrame(0.2))).toEqual({ code: 2, minPow: 0.2 })
  })
  it('a geth status (spec §7.2: body cc 06 88 3fc999999999999a 80 80) reads with defaults', () => {
    const geth = hexToBytes('ce80cc06883fc999999999999a8080')
    expect(decodeFrame(geth)).toEqual({
      code: 0,
      status: { version: 6, minPow: 0.2, bloom: undefined, isLight: false, clockMs: undefined, maxSizeBytes: 1048576 },
    })
  })
})

describe('wire round trips', () => {
  it('status frames round-trip; extra trailing items are ignored', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.option(fc.uint8Array({ minLength: 64, maxLength: 64 }), { nil: undefined }),
        fc.boolean(),
        fc.option(fc.integer({ min: 1, max: 2 ** 50 }), { nil: undefined }),
        fc.integer({ min: 1, max: 10 * 1024 * 1024 }),
        (minPow, bloom, isLight, clockMs, maxSizeBytes) => {
          const status = { minPow, bloom, isLight, clockMs, maxSizeBytes }
          const decoded = decodeFrame(encodeStatusFrame(status))
          expect(decoded).toEqual({ code: 0, status: { version: 6, ...status, minPow: minPow === 0 ? 0 : minPow } })
        }
      )
    )
    const withExtras = encodeRlp([new Uint8Array(0), [Uint8Array.of(6), powToBytes(1), new Uint8Array(0), new Uint8Array(0), new Uint8Array(0), uintToBytes(5000), Uint8Array.of(9), [Uint8Array.of(1)]]])
    expect(decodeFrame(withExtras)).toMatchObject({ code: 0, status: { minPow: 1, maxSizeBytes: 5000 } })
  })
  it('missing status items take geth defaults', () => {
    expect(decodeFrame(encodeRlp([new Uint8Array(0), [Uint8Array.of(6)]]))).toEqual({
      code: 0,
      status: { version: 6, minPow: 0.2, bloom: undefined, isLight: false, clockMs: undefined, maxSizeBytes: 1048576 },
    })
  })
  it('PoW bit patterns round-trip and 0.0 is the empty string', () => {
    expect(powToBytes(0)).toEqual(new Uint8Array(0))
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e300, noNaN: true }), (pow) => {
        expect(powFromBytes(powToBytes(pow))).toBe(pow === 0 ? 0 : pow)
      })
    )
  })
  it('bloom and p2p frames round-trip', () => {
    const bloom = topicToBloom(hexToBytes('deadbeef'))
    expect(decodeFrame(encodeBloomFrame(bloom))).toEqual({ code: 3, bloom })
    const env = encodeEnvelope({ expiry: 1, ttl: 1, topic: new Uint8Array(4), data: new Uint8Array(70), nonce: 1n })
    expect(decodeFrame(encodeP2PFrame(127, env))).toEqual({ code: 127, envelope: env })
    expect(decodeFrame(encodeP2PFrame(126, env))).toEqual({ code: 126, envelope: env })
    expect(() => encodeBloomFrame(new Uint8Array(3))).toThrow(RangeError)
  })
  it('messages frames of many envelopes round-trip and match their computed size', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }), (datas) => {
        const envs = datas.map((data, i) => encodeEnvelope({ expiry: i, ttl: 1, topic: new Uint8Array(4), data, nonce: 0n }))
        const frame = encodeMessagesFrame(envs)
        expect(frame.length).toBe(messagesFrameSize(envs.reduce((n, e) => n + e.length, 0)))
        expect(decodeFrame(frame)).toEqual({ code: 1, envelopes: envs })
      })
    )
  })
  it('unknown codes decode as unknown', () => {
    expect(decodeFrame(encodeRlp([Uint8Array.of(42), new Uint8Array(3)]))).toEqual({ code: 42, unknown: true })
  })
})

describe('decodeFrame rejects malformed frames', () => {
  const e = new Uint8Array(0)
  const cases: [string, Uint8Array][] = [
    ['empty', e],
    ['a string, not a list', encodeRlp(Uint8Array.of(1, 2))],
    ['one item', encodeRlp([Uint8Array.of(1)])],
    ['three items', encodeRlp([Uint8Array.of(1), [], []])],
    ['code is a list', encodeRlp([[], []])],
    ['code wider than a byte', encodeRlp([Uint8Array.of(1, 0), []])],
    ['code as a prefixed single byte', hexToBytes('c38101c0')],
    ['trailing bytes', Uint8Array.of(...encodePowFrame(1), 0)],
    ['status body not a list', encodeRlp([e, Uint8Array.of(6)])],
    ['status without version', encodeRlp([e, []])],
    ['status version 5', encodeRlp([e, [Uint8Array.of(5)]])],
    ['status NaN PoW', encodeRlp([e, [Uint8Array.of(6), powToBytes(Number.NaN)]])],
    ['status infinite PoW', encodeRlp([e, [Uint8Array.of(6), powToBytes(Number.POSITIVE_INFINITY)]])],
    ['status negative PoW', encodeRlp([e, [Uint8Array.of(6), powToBytes(-1)]])],
    ['status bloom of 63 bytes', encodeRlp([e, [Uint8Array.of(6), powToBytes(1), new Uint8Array(63)]])],
    ['status item is a list', encodeRlp([e, [Uint8Array.of(6), []]])],
    ['messages body not a list', encodeRlp([Uint8Array.of(1), Uint8Array.of(1)])],
    ['PoW requirement a list', encodeRlp([Uint8Array.of(2), []])],
    ['PoW requirement of 9 bytes', encodeRlp([Uint8Array.of(2), new Uint8Array(9).fill(1)])],
    ['bloom of 65 bytes', encodeRlp([Uint8Array.of(3), new Uint8Array(65)])],
    ['bloom a list', encodeRlp([Uint8Array.of(3), []])],
    ['p2p message not a list', encodeRlp([Uint8Array.of(127), Uint8Array.of(1)])],
    ['truncated messages frame', encodeMessagesFrame([new Uint8Array(10).fill(0x80)]).subarray(0, 5)],
    ['p2p complete body a string', encodeRlp([Uint8Array.of(125), Uint8Array.of(1, 2, 3)])],
    ['p2p complete body empty string', encodeRlp([Uint8Array.of(125), e])],
    ['p2p complete body over 4096 bytes', encodeRlp([Uint8Array.of(125), [new Uint8Array(4094)]])],
    ['p2p complete body with a non-canonical item', hexToBytes('c57dc3b801ff')],
    ['p2p complete body with a prefixed single byte', hexToBytes('c47dc28101')],
    ['p2p complete body with a truncated inner item', hexToBytes('c47dc283')],
    ['p2p complete body nested deeper than 16', encodeRlp([Uint8Array.of(125), Array.from({ length: 16 }).reduce<RlpItem>((inner) => [inner], [])])],
  ]
  it.each(cases)('%s → InvalidFrameError', (_, bytes) => {
    expect(() => decodeFrame(bytes)).toThrow(isInvalidFrame)
  })
  it('random and mutated bytes raise nothing but InvalidFrameError', () => {
    const valid = [
      encodeStatusFrame({ minPow: 0.2, bloom: undefined, isLight: true, clockMs: 5, maxSizeBytes: 1000 }),
      encodePowFrame(3.5),
      encodeP2PCompleteFrame(encodeRlp([Uint8Array.of(1), new Uint8Array(32).fill(7), [Uint8Array.of(2)]])),
      encodeMessagesFrame([encodeEnvelope({ expiry: 5, ttl: 5, topic: new Uint8Array(4), data: new Uint8Array(40), nonce: 3n })]),
    ]
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 }), (random, pick, at, value) => {
        const mutated = valid[pick % valid.length].slice()
        mutated[at % mutated.length] = value
        for (const bytes of [random, mutated]) {
          try {
            decodeFrame(bytes)
          } catch (err) {
            expect((err as Error).name).toBe('InvalidFrameError')
          }
        }
      }),
      { numRuns: 3000 }
    )
  })
})

describe('known-hashes frames (our code 20)', () => {
  it('round-trip and reject malformed bodies', async () => {
    const { encodeKnownHashesFrame } = await import('../src/wire.ts')
    const hashes = [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)]
    expect(decodeFrame(encodeKnownHashesFrame(hashes))).toEqual({ code: 20, hashes })
    expect(() => decodeFrame(encodeRlp([Uint8Array.of(20), [new Uint8Array(31)]]))).toThrow(isInvalidFrame)
    expect(() => decodeFrame(encodeRlp([Uint8Array.of(20), new Uint8Array(32)]))).toThrow(isInvalidFrame)
    expect(() => decodeFrame(encodeRlp([Uint8Array.of(20), Array.from({ length: 1025 }, () => new Uint8Array(32))]))).toThrow(isInvalidFrame)
  })
})

describe('status decoding keeps nothing of the frame alive', () => {
  it('the bloom is a copy, not a view into the received bytes', () => {
    const bloom = new Uint8Array(64).fill(0x11)
    const bytes = encodeStatusFrame({ minPow: 0.2, bloom, isLight: true, clockMs: 1, maxSizeBytes: 1000 })
    const frame = decodeFrame(bytes)
    if (!('status' in frame) || frame.status.bloom === undefined) throw new Error('not a status with a bloom')
    expect(frame.status.bloom).toEqual(bloom)
    expect(frame.status.bloom.buffer).not.toBe(bytes.buffer)
    expect(frame.status.bloom.byteLength).toBe(frame.status.bloom.buffer.byteLength)
  })
})

describe('p2p request complete frames (code 125, 8/WAKU-MAIL)', () => {
  const rlpItem: fc.Arbitrary<RlpItem> = fc.letrec<{ item: RlpItem }>((tie) => ({
    item: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.uint8Array({ maxLength: 80 }), fc.array(tie('item'), { maxLength: 6 })),
  })).item

  it('a Waku-style body [requestId, lastEnvelopeHash, cursor] round-trips as the encoded list', () => {
    const body = encodeRlp([new Uint8Array(32).fill(1), new Uint8Array(32).fill(2), new Uint8Array(0)])
    const frame = encodeP2PCompleteFrame(body)
    expect(bytesToHex(frame.subarray(0, 5))).toBe('f8467df843')
    expect(decodeFrame(frame)).toEqual({ code: 125, body })
  })

  it('any RLP list of at most 4096 bytes round-trips; larger ones are refused both ways', () => {
    fc.assert(
      fc.property(fc.array(rlpItem, { maxLength: 8 }), (items) => {
        const body = encodeRlp(items)
        if (body.length <= 4096) {
          expect(decodeFrame(encodeP2PCompleteFrame(body))).toEqual({ code: 125, body })
        } else {
          expect(() => encodeP2PCompleteFrame(body)).toThrow(RangeError)
          expect(() => decodeFrame(encodeRlp([Uint8Array.of(125), items]))).toThrow(isInvalidFrame)
        }
      }),
      { numRuns: 500 }
    )
  })

  it('the 4096-byte boundary is exact', () => {
    const atLimit = encodeRlp([new Uint8Array(4096 - 3 - 3)])
    expect(atLimit.length).toBe(4096)
    expect(decodeFrame(encodeP2PCompleteFrame(atLimit))).toEqual({ code: 125, body: atLimit })
    const over = encodeRlp([new Uint8Array(4096 - 3 - 2)])
    expect(over.length).toBe(4097)
    expect(() => encodeP2PCompleteFrame(over)).toThrow(RangeError)
    expect(() => decodeFrame(encodeRlp([Uint8Array.of(125), decodeBody(over)]))).toThrow(isInvalidFrame)
  })

  it('the encoder refuses what is not one RLP list', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        let isList = false
        try {
          isList = Array.isArray(decodeRlpStrict(bytes))
        } catch {}
        if (isList) expect(decodeFrame(encodeP2PCompleteFrame(bytes))).toEqual({ code: 125, body: bytes })
        else expect(() => encodeP2PCompleteFrame(bytes)).toThrow(RangeError)
      }),
      { numRuns: 2000 }
    )
    expect(() => encodeP2PCompleteFrame('c0' as unknown as Uint8Array)).toThrow(TypeError)
  })
})

function decodeBody(encoded: Uint8Array): RlpItem {
  return decodeRlpStrict(encoded)
}
