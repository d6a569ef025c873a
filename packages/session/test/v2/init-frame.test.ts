import { bytesToHex } from '@noble/hashes/utils.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeInitFrame, encodeInitFrame } from '../../src/v2/init-frame.ts'
import { thrownName } from './negative-tables.ts'

describe('init frame (docs/SESSION.md §8.3)', () => {
  it('is 02 01 0008 ‖ u64(createdAtMs) ‖ zero ×196, and round-trips', () => {
    const frame = encodeInitFrame(0x0102_0304_0506)
    expect(frame).toHaveLength(208)
    expect(bytesToHex(frame.subarray(0, 12))).toBe('020100080000010203040506')
    expect(frame.subarray(12).every((b) => b === 0)).toBe(true)
    fc.assert(fc.property(fc.maxSafeNat(), (t) => decodeInitFrame(encodeInitFrame(t)) === t))
  })

  it('refuses every deviation with InvalidFrameError', () => {
    const good = encodeInitFrame(1_800_000_000_000)
    const edit = (offset: number, value: number): Uint8Array => {
      const f = good.slice()
      f[offset] = value
      return f
    }
    const beyondSafe = good.slice()
    new DataView(beyondSafe.buffer).setBigUint64(4, 2n ** 53n)
    const cases: Array<[string, Uint8Array]> = [
      ['207 bytes', good.subarray(0, 207)],
      ['209 bytes', Uint8Array.of(...good, 0)],
      ['256 bytes (a record frame class)', Uint8Array.of(...good, ...new Uint8Array(48))],
      ['version 1', edit(0, 1)],
      ['type 2 (data)', edit(1, 2)],
      ['body length 9', edit(3, 9)],
      ['body length 264', edit(2, 1)],
      ['createdAtMs 2^53', beyondSafe],
      ['padding byte 12', edit(12, 1)],
      ['padding byte 207', edit(207, 0x80)],
    ]
    for (const [name, frame] of cases) expect([name, thrownName(() => decodeInitFrame(frame))]).toEqual([name, 'InvalidFrameError'])
    expect(() => decodeInitFrame('x' as never)).toThrow(TypeError)
    expect(() => encodeInitFrame(-1)).toThrow(RangeError)
    expect(() => encodeInitFrame(1.5)).toThrow(TypeError)
  })
})
