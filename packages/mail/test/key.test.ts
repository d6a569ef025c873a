import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeKey, encodeKey, KEY_BYTES } from '../src/index.ts'
import { compareKeys } from '../src/key.ts'

const arbHash = fc.uint8Array({ minLength: 32, maxLength: 32 })
const arbTime = fc.integer({ min: 0, max: 0xffff_ffff })

describe('archive keys', () => {
  it('encode time big-endian then the hash, and decode back', () => {
    const hash = new Uint8Array(32).fill(0xab)
    const key = encodeKey(0x01020304, hash)
    expect(key).toHaveLength(KEY_BYTES)
    expect([...key.subarray(0, 4)]).toEqual([1, 2, 3, 4])
    expect(decodeKey(key)).toEqual({ time: 0x01020304, hash })
    expect(decodeKey(encodeKey(0xffff_ffff, hash)).time).toBe(0xffff_ffff)
  })

  it('round-trip and sort by (time, hash) bytewise (property)', () => {
    fc.assert(
      fc.property(arbTime, arbHash, arbTime, arbHash, (t1, h1, t2, h2) => {
        const a = encodeKey(t1, h1)
        const b = encodeKey(t2, h2)
        expect(decodeKey(a)).toEqual({ time: t1, hash: h1 })
        const byFields = t1 !== t2 ? t1 - t2 : compareKeys(h1, h2)
        expect(Math.sign(compareKeys(a, b))).toBe(Math.sign(byFields))
      })
    )
  })

  it('decodes only 36-byte arrays (anything else throws TypeError or RangeError, naming it)', () => {
    const cases: Array<[unknown, string]> = [
      [new Uint8Array(0), 'RangeError'],
      [new Uint8Array(35), 'RangeError'],
      [new Uint8Array(37), 'RangeError'],
      ['00'.repeat(36), 'TypeError'],
      [Array(36).fill(0), 'TypeError'],
      [undefined, 'TypeError'],
    ]
    for (const [bad, name] of cases) expect(() => decodeKey(bad as Uint8Array, 'cursor')).toThrow(expect.objectContaining({ name, message: expect.stringContaining('cursor') }))
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        if (bytes.length === KEY_BYTES) expect(decodeKey(bytes).time).toBeGreaterThanOrEqual(0)
        else expect(() => decodeKey(bytes)).toThrow(RangeError)
      })
    )
  })

  it('refuses a time outside uint32 or a hash not of 32 bytes', () => {
    expect(() => encodeKey(-1, new Uint8Array(32))).toThrow(expect.objectContaining({ name: 'RangeError', message: expect.stringContaining('time') }))
    expect(() => encodeKey(2 ** 32, new Uint8Array(32))).toThrow(RangeError)
    expect(() => encodeKey(1, new Uint8Array(31))).toThrow(expect.objectContaining({ name: 'RangeError', message: expect.stringContaining('hash') }))
  })
})
