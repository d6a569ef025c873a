import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type Ack, type AckFrame, type CloseFrame, type DataFrame, MAX_MESSAGE_BYTES, type RecordFrame, ackCovers, decodeFrame, encodeFrame } from '../../src/v2/frames.ts'

const emptyBitmap = (): Uint8Array => new Uint8Array(32)
/** A bitmap with the given bits set (bit i: byte i >> 3, mask 0x80 >> (i & 7)). */
const bitmapOf = (...bits: number[]): Uint8Array => {
  const b = emptyBitmap()
  for (const i of bits) b[i >> 3] |= 0x80 >> (i & 7)
  return b
}
const ack = (base: number, ...bits: number[]): Ack => ({ base, bitmap: bitmapOf(...bits) })

describe('v2 frames: layout (docs/SESSION.md §8)', () => {
  it('encodes an ack as 02 03 ‖ length ‖ base ‖ n ‖ the bitmap without trailing zero bytes, padded to 256', () => {
    const bytes = encodeFrame({ type: 'ack', ack: ack(0x01020304, 1, 8, 255) })
    expect(bytes).toHaveLength(256)
    expect(bytesToHex(bytes.subarray(0, 41))).toBe(`020300250102030420${'4080'}${'00'.repeat(29)}01`)
    expect(bytes.subarray(41).every((x) => x === 0)).toBe(true)
    // Nothing out of order: the bitmap takes no bytes at all.
    expect(bytesToHex(encodeFrame({ type: 'ack', ack: ack(9) }).subarray(0, 10))).toBe('02030005000000090000')
    expect(bytesToHex(encodeFrame({ type: 'ack', ack: ack(9, 3) }).subarray(0, 11))).toBe('0203000600000009011000')
  })

  it('encodes data and close with seq first', () => {
    const data = encodeFrame({ type: 'data', seq: 7, ack: ack(5), payload: Uint8Array.of(0xaa, 0xbb) })
    expect(bytesToHex(data.subarray(0, 16))).toBe('0202000b000000070000000500aabb00')
    const close = encodeFrame({ type: 'close', seq: 9, ack: ack(0) })
    expect(bytesToHex(close.subarray(0, 14))).toBe('0204000900000009000000000000')
  })

  it('pads to the smallest class: payload 243 → 256, 244 → 1024, 1011 → 1024, 1012 and 4051 → 4096 (nothing out of order)', () => {
    const size = (n: number, a: Ack = ack(0)) => encodeFrame({ type: 'data', seq: 1, ack: a, payload: new Uint8Array(n) }).length
    expect([0, 243, 244, 1011, 1012, MAX_MESSAGE_BYTES].map((n) => size(n))).toEqual([256, 256, 1024, 1024, 4096, 4096])
    expect(MAX_MESSAGE_BYTES).toBe(4051)
    // The largest payload fits whatever ack it carries.
    expect(size(MAX_MESSAGE_BYTES, ack(0, 255))).toBe(4096)
    expect(size(243, ack(0, 1))).toBe(1024)
  })

  it('reads ack bits as §8.2 says: bit i is seq base + 1 + i', () => {
    const a = ack(10, 1, 8, 255)
    expect([10, 11, 12, 13, 19, 266, 267].map((s) => ackCovers(a, s))).toEqual([true, false, true, false, true, true, false])
  })

  it('names bad arguments', () => {
    expect(() => encodeFrame({ type: 'data', seq: 0, ack: ack(0), payload: new Uint8Array(0) })).toThrow(new RangeError('frame.seq must be in [1, 4294967295], got 0'))
    expect(() => encodeFrame({ type: 'ack', ack: { base: 0, bitmap: new Uint8Array(4) } })).toThrow(new RangeError('frame.ack.bitmap must be 32 bytes, got 4'))
    expect(() => encodeFrame({ type: 'ack', ack: ack(0, 0) })).toThrow(RangeError)
    expect(() => encodeFrame({ type: 'data', seq: 1, ack: ack(0), payload: new Uint8Array(4052) })).toThrow(new RangeError('frame.payload must be at most 4051 bytes, got 4052'))
    expect(() => encodeFrame({ type: 'init' } as never)).toThrow(new TypeError('frame.type must be one of data, ack, close'))
    expect(() => ackCovers(ack(0), 0)).toThrow(RangeError)
  })
})

describe('v2 frames: strict decoding', () => {
  const valid = (): Uint8Array => encodeFrame({ type: 'data', seq: 3, ack: ack(2, 3), payload: Uint8Array.of(1, 2, 3) })
  const edit = (f: (b: Uint8Array) => void, base: Uint8Array = valid()): Uint8Array => {
    const b = base.slice()
    f(b)
    return b
  }
  const closeBytes = encodeFrame({ type: 'close', seq: 4, ack: ack(0) })
  const ackBytes = encodeFrame({ type: 'ack', ack: ack(0) })
  const grown = (b: Uint8Array, size: number): Uint8Array => {
    const out = new Uint8Array(size)
    out.set(b)
    return out
  }
  const table: Array<[string, Uint8Array]> = [
    ['empty', new Uint8Array(0)],
    ['not a size class (255)', valid().subarray(0, 255)],
    ['init-frame size (208)', new Uint8Array(208)],
    ['version 1', edit((b) => { b[0] = 1 })],
    ['version 3', edit((b) => { b[0] = 3 })],
    ['type 0', edit((b) => { b[1] = 0 })],
    ['type 5', edit((b) => { b[1] = 5 })],
    ['an init frame in a record (type 1)', edit((b) => { b[1] = 1; b[3] = 8 })],
    ['body runs past the end', edit((b) => { b[2] = 0x01; b[3] = 0x00 })],
    ['class too large (a 256-byte frame padded to 1024)', grown(valid(), 1024)],
    ['class too large (an ack padded to 4096)', grown(ackBytes, 4096)],
    ['non-zero padding (first byte)', edit((b) => { b[17] = 1 })],
    ['non-zero padding (last byte)', edit((b) => { b[255] = 0x80 })],
    ['seq 0', edit((b) => { b.fill(0, 4, 8) })],
    ['close seq 0', edit((b) => { b.fill(0, 4, 8) }, closeBytes)],
    ['ack bit 0 set (data)', edit((b) => { b[13] |= 0x80 })],
    ['ack bit 0 set (ack)', edit((b) => { b[3] = 6; b[8] = 1; b[9] = 0x80 }, ackBytes)],
    ['ack bitmap of 33 bytes', edit((b) => { b[3] = 38; b[8] = 33; b[9 + 32] = 1 }, ackBytes)],
    ['ack bitmap ending in a zero byte', edit((b) => { b[3] = 7; b[8] = 2; b[9] = 0x40 }, ackBytes)],
    ['ack bitmap running past the body', edit((b) => { b[8] = 3 }, ackBytes)],
    ['data body shorter than 9', edit((b) => { b[3] = 8 }, closeBytes.map((x, i) => (i === 1 ? 2 : x)))],
    ['ack body of 6 bytes (a stray byte)', edit((b) => { b[3] = 6 }, ackBytes)],
    ['ack body of 4 bytes', edit((b) => { b[3] = 4 }, ackBytes)],
    ['close body of 10 bytes', edit((b) => { b[3] = 10 }, closeBytes)],
    ['close body of 8 bytes', edit((b) => { b[3] = 8 }, closeBytes)],
  ]

  it.each(table)('refuses %s with InvalidFrameError', (_name, bytes) => {
    let error: unknown
    try {
      decodeFrame(bytes)
    } catch (e) {
      error = e
    }
    expect((error as Error | undefined)?.name).toBe('InvalidFrameError')
  })

  it('accepts the unmodified frames of the table', () => {
    const data: DataFrame = { type: 'data', seq: 3, ack: ack(2, 3), payload: Uint8Array.of(1, 2, 3) }
    const close: CloseFrame = { type: 'close', seq: 4, ack: ack(0) }
    const standalone: AckFrame = { type: 'ack', ack: ack(0) }
    expect(decodeFrame(valid())).toEqual(data)
    expect(decodeFrame(closeBytes)).toEqual(close)
    expect(decodeFrame(ackBytes)).toEqual(standalone)
    expect(decodeFrame(hexToBytes(`020300050000000000${'00'.repeat(247)}`))).toEqual({ type: 'ack', ack: ack(0) })
  })

  it('names a non-bytes argument', () => {
    expect(() => decodeFrame('x' as never)).toThrow(new TypeError('bytes must be a Uint8Array'))
  })
})

describe('v2 frames: properties', () => {
  const u32 = fc.integer({ min: 0, max: 0xffff_ffff })
  const seq = fc.integer({ min: 1, max: 0xffff_ffff })
  const bitmap = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => {
    b[0] &= 0x7f
    return b
  })
  const ackArb = fc.record({ base: u32, bitmap })
  const frameArb: fc.Arbitrary<RecordFrame> = fc.oneof(
    fc.record({ type: fc.constant('data' as const), seq, ack: ackArb, payload: fc.uint8Array({ maxLength: MAX_MESSAGE_BYTES }) }),
    fc.record({ type: fc.constant('ack' as const), ack: ackArb }),
    fc.record({ type: fc.constant('close' as const), seq, ack: ackArb })
  )

  it('decode(encode(f)) = f, in the smallest class', () => {
    fc.assert(
      fc.property(frameArb, (frame) => {
        const bytes = encodeFrame(frame)
        let n = 32
        while (n > 0 && frame.ack.bitmap[n - 1] === 0) n--
        const body = (frame.type === 'ack' ? 5 : 9) + n + (frame.type === 'data' ? frame.payload.length : 0)
        expect(bytes.length).toBe([256, 1024, 4096].find((c) => c >= 4 + body))
        expect(decodeFrame(bytes)).toEqual(frame)
      }),
      { numRuns: 300 }
    )
  })

  it('every single-byte change of a valid frame is refused or decodes to one that re-encodes to it', () => {
    fc.assert(
      fc.property(frameArb, fc.nat(), fc.integer({ min: 1, max: 255 }), (frame, at, xor) => {
        const bytes = encodeFrame(frame)
        bytes[at % bytes.length] ^= xor
        let decoded: RecordFrame | undefined
        try {
          decoded = decodeFrame(bytes)
        } catch (e) {
          expect((e as Error).name).toBe('InvalidFrameError')
          return
        }
        expect(bytesToHex(encodeFrame(decoded))).toBe(bytesToHex(bytes))
      }),
      { numRuns: 500 }
    )
  })

  it('arbitrary bytes never throw anything but InvalidFrameError, and what decodes is canonical', () => {
    const header = fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 300 }))
    fc.assert(
      fc.property(fc.constantFrom(255, 256, 1024), header, fc.uint8Array({ maxLength: 64 }), (size, [v, t, len], prefix) => {
        const bytes = new Uint8Array(size)
        bytes.set(prefix.subarray(0, size))
        bytes[0] = v
        bytes[1] = t
        bytes[2] = len >> 8
        bytes[3] = len & 0xff
        try {
          expect(bytesToHex(encodeFrame(decodeFrame(bytes)))).toBe(bytesToHex(bytes))
        } catch (e) {
          expect((e as Error).name).toBe('InvalidFrameError')
        }
      }),
      { numRuns: 1000 }
    )
  })
})
