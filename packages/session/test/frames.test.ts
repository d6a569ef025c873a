import { generateKeyPair } from '@hush/envelope'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_MESSAGE_BYTES } from '../src/constants.ts'
import { decodeFrame, encodeFrame, type Frame } from '../src/frames.ts'

const key = generateKeyPair().publicKey
const handshake: Frame = {
  type: 'handshake',
  sessionId: new Uint8Array(16).fill(1),
  createdAtMs: 1_764_072_000_000,
  recipientKey: key,
  ephemeralKey: generateKeyPair().publicKey,
  keyAB: new Uint8Array(32).fill(2),
  keyBA: new Uint8Array(32).fill(3),
  topicAB: Uint8Array.of(1, 2, 3, 4),
  topicBA: Uint8Array.of(5, 6, 7, 8),
  topicRotationMs: 600_000,
}

const u32 = fc.integer({ min: 0, max: 0xffff_ffff })
const num = fc.integer({ min: 1, max: 0xffff_ffff })
const ack = fc.record({ base: u32, bitmap: u32 })
const pub = fc.constantFrom(key, handshake.ephemeralKey)
const bytes = (n: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: n, maxLength: n })
const frameArb: fc.Arbitrary<Frame> = fc.oneof(
  fc.record({
    type: fc.constant('handshake' as const),
    sessionId: bytes(16),
    createdAtMs: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    recipientKey: pub,
    ephemeralKey: pub,
    keyAB: bytes(32),
    keyBA: bytes(32),
    topicAB: bytes(4),
    topicBA: bytes(4),
    topicRotationMs: u32,
  }),
  fc.record({ type: fc.constant('reply' as const), sessionId: bytes(16), ephemeralKey: pub }),
  fc.record({ type: fc.constant('data' as const), number: num, ack, payload: fc.uint8Array({ maxLength: MAX_MESSAGE_BYTES }) }),
  fc.record({ type: fc.constant('ack' as const), ack }),
  fc.record({ type: fc.constant('close' as const), number: num, ack })
)

describe('session frames', () => {
  it('round-trips every frame type and pads to a size class', () => {
    fc.assert(
      fc.property(frameArb, (frame) => {
        const encoded = encodeFrame(frame)
        expect([256, 1024, 4096]).toContain(encoded.length)
        expect(decodeFrame(encoded)).toEqual(frame)
      }),
      { numRuns: 300 }
    )
  })

  it('pads control frames and small data frames to the same 256 bytes', () => {
    const sizes = [
      encodeFrame(handshake),
      encodeFrame({ type: 'reply', sessionId: handshake.sessionId, ephemeralKey: key }),
      encodeFrame({ type: 'data', number: 1, ack: { base: 0, bitmap: 0 }, payload: new Uint8Array(200) }),
      encodeFrame({ type: 'ack', ack: { base: 9, bitmap: 5 } }),
      encodeFrame({ type: 'close', number: 2, ack: { base: 9, bitmap: 0 } }),
    ].map((b) => b.length)
    expect(new Set(sizes)).toEqual(new Set([256]))
    expect(encodeFrame({ type: 'data', number: 1, ack: { base: 0, bitmap: 0 }, payload: new Uint8Array(240) }).length).toBe(256)
    expect(encodeFrame({ type: 'data', number: 1, ack: { base: 0, bitmap: 0 }, payload: new Uint8Array(241) }).length).toBe(1024)
    expect(encodeFrame({ type: 'data', number: 1, ack: { base: 0, bitmap: 0 }, payload: new Uint8Array(MAX_MESSAGE_BYTES) }).length).toBe(4096)
  })

  it('pins the ack frame bytes', () => {
    const bytes = encodeFrame({ type: 'ack', ack: { base: 0x01020304, bitmap: 0x80000001 } })
    expect(Array.from(bytes.subarray(0, 12))).toEqual([1, 4, 0, 8, 1, 2, 3, 4, 0x80, 0, 0, 1])
    expect(bytes.subarray(12).every((b) => b === 0)).toBe(true)
  })

  it('rejects bad arguments with TypeError/RangeError', () => {
    expect(() => encodeFrame({ type: 'data', number: 0, ack: { base: 0, bitmap: 0 }, payload: new Uint8Array(0) })).toThrow(RangeError)
    expect(() => encodeFrame({ type: 'data', number: 1, ack: { base: 0, bitmap: 0 }, payload: new Uint8Array(MAX_MESSAGE_BYTES + 1) })).toThrow(RangeError)
    expect(() => encodeFrame({ ...handshake, keyAB: new Uint8Array(31) } as Frame)).toThrow(RangeError)
    expect(() => encodeFrame({ type: 'nope' } as unknown as Frame)).toThrow(TypeError)
    expect(() => encodeFrame(null as unknown as Frame)).toThrow(TypeError)
  })

  const valid = encodeFrame({ type: 'data', number: 7, ack: { base: 1, bitmap: 0 }, payload: Uint8Array.of(9, 9) })
  const mutate = (f: (b: Uint8Array) => void, from: Uint8Array = valid): Uint8Array => {
    const b = from.slice()
    f(b)
    return b
  }
  const malformed: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['not a size class', new Uint8Array(255)],
    ['truncated', valid.subarray(0, 200)],
    ['too long', new Uint8Array(4097)],
    ['wrong version', mutate((b) => (b[0] = 2))],
    ['unknown type 0', mutate((b) => (b[1] = 0))],
    ['unknown type 6', mutate((b) => (b[1] = 6))],
    ['body past the end', mutate((b) => b.set([0x01, 0x00], 2))],
    ['nonzero padding', mutate((b) => (b[255] = 1))],
    ['message number 0', mutate((b) => b.set([0, 0, 0, 0], 4))],
    ['data body too short', mutate((b) => b.set([0, 11], 2))],
    ['ack body wrong length', mutate((b) => b.set([4, 0, 0, 9], 0))],
    ['close body wrong length', mutate((b) => b.set([5, 0, 0, 14], 1))],
    ['handshake body wrong length', mutate((b) => (b[1] = 1))],
    ['reply body wrong length', mutate((b) => (b[1] = 2))],
    ['oversized class for a small body', (() => { const b = new Uint8Array(1024); b.set(valid.subarray(0, 30)); return b })()],
    ['handshake key off the curve', mutate((b) => b.fill(0xff, 4 + 24 + 1, 4 + 24 + 65), encodeFrame(handshake))],
    ['handshake key compressed prefix', mutate((b) => (b[4 + 24] = 0x02), encodeFrame(handshake))],
    ['reply ephemeral key prefix', mutate((b) => (b[4 + 16] = 0x03), encodeFrame({ type: 'reply', sessionId: handshake.sessionId, ephemeralKey: key }))],
    ['handshake time beyond 2^53', mutate((b) => (b[4 + 16] = 0xff), encodeFrame(handshake))],
  ]
  it.each(malformed)('rejects %s with InvalidFrameError', (_name, bytes) => {
    expect(() => decodeFrame(bytes)).toThrow(expect.objectContaining({ name: 'InvalidFrameError' }))
  })

  it('raises only InvalidFrameError on random and mutated bytes', () => {
    const seeds = [valid, encodeFrame(handshake), encodeFrame({ type: 'ack', ack: { base: 1, bitmap: 2 } })]
    const mutated = fc.tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }))
      .map(([seed, edits]) => mutate((b) => edits.forEach(([i, v]) => (b[i % b.length] = v)), seed))
    const random = fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ minLength: 256, maxLength: 256 }), mutated)
    fc.assert(
      fc.property(random, (input) => {
        try {
          const frame = decodeFrame(input)
          expect(encodeFrame(frame)).toEqual(input)
        } catch (err) {
          expect((err as Error).name).toBe('InvalidFrameError')
        }
      }),
      { numRuns: 2000 }
    )
  })
})
