import fc from 'fast-check'
import { Uint8ArrayList } from 'uint8arraylist'
import { describe, expect, it } from 'vitest'
import { FrameDecoder, encodeLengthPrefix, lengthPrefixed, varintLength } from '../src/frame-decoder.ts'

const isInvalidFrame = expect.objectContaining({ name: 'InvalidFrameError' })

describe('FrameDecoder', () => {
  it('reassembles frames from arbitrary chunking', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 400 }), { maxLength: 10 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }),
        (frames, cuts) => {
          const stream = Uint8Array.from(frames.flatMap((f) => [...lengthPrefixed(f)]))
          const decoder = new FrameDecoder(1000)
          const out: Uint8Array[] = []
          let pos = 0
          let i = 0
          while (pos < stream.length) {
            const next = Math.min(stream.length, pos + cuts[i++ % cuts.length])
            out.push(...decoder.push(stream.subarray(pos, next)))
            pos = next
          }
          expect(out).toEqual(frames)
          expect(decoder.bufferedBytes).toBe(0)
        }
      )
    )
  })
  it('accepts Uint8ArrayList chunks and several frames per chunk', () => {
    const list = new Uint8ArrayList(lengthPrefixed(Uint8Array.of(1)), lengthPrefixed(Uint8Array.of(2, 3)))
    expect(new FrameDecoder(10).push(list)).toEqual([Uint8Array.of(1), Uint8Array.of(2, 3)])
  })
  it('rejects a length above the limit before buffering the frame', () => {
    const decoder = new FrameDecoder(1000)
    expect(() => decoder.push(encodeLengthPrefix(1001))).toThrow(isInvalidFrame)
  })
  it('rejects a varint longer than the limit needs', () => {
    expect(varintLength(1000)).toBe(2)
    expect(() => new FrameDecoder(1000).push(Uint8Array.of(0x81, 0x80, 0x80, 0x00))).toThrow(isInvalidFrame)
  })
  it('rejects non-minimal varints and empty frames', () => {
    expect(() => new FrameDecoder(1000).push(Uint8Array.of(0x81, 0x00))).toThrow(isInvalidFrame)
    expect(() => new FrameDecoder(1000).push(Uint8Array.of(0x00))).toThrow(isInvalidFrame)
  })
  it('never raises anything but InvalidFrameError on random input', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), (chunks) => {
        const decoder = new FrameDecoder(300)
        try {
          for (const c of chunks) for (const f of decoder.push(c)) expect(f.length).toBeLessThanOrEqual(300)
        } catch (err) {
          expect((err as Error).name).toBe('InvalidFrameError')
        }
      }),
      { numRuns: 2000 }
    )
  })
  it('encodes varints as LEB128', () => {
    expect(encodeLengthPrefix(0x1a)).toEqual(Uint8Array.of(0x1a))
    expect(encodeLengthPrefix(300)).toEqual(Uint8Array.of(0xac, 0x02))
    expect(encodeLengthPrefix(1025 * 1024)).toEqual(Uint8Array.of(0x80, 0x88, 0x40))
  })
})
