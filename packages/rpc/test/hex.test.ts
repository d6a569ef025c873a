import { describe, expect, it } from 'vitest'
import { bytesToHex, hexToBytes, parseBool, parseFloat64, parseId, parseString, parseUint32 } from '../src/hex.ts'

describe('hexToBytes', () => {
  it('decodes geth hexutil.Bytes', () => {
    expect(hexToBytes('0x', 'argument 0')).toEqual(new Uint8Array(0))
    expect(hexToBytes('0x00ff10', 'argument 0')).toEqual(Uint8Array.of(0, 255, 16))
    expect(hexToBytes('0XABcd', 'argument 0')).toEqual(Uint8Array.of(0xab, 0xcd))
    expect(hexToBytes('0xdeadbeef', 'argument 0', 4)).toEqual(Uint8Array.of(0xde, 0xad, 0xbe, 0xef))
  })

  const malformed: [string, unknown, number | undefined, string][] = [
    ['a number', 12, undefined, 'invalid argument 0: expected a hex string, got number'],
    ['null', null, undefined, 'invalid argument 0: expected a hex string, got null'],
    ['an array', ['0x00'], undefined, 'invalid argument 0: expected a hex string, got array'],
    ['an empty string', '', undefined, 'invalid argument 0: hex string without 0x prefix'],
    ['no prefix', 'abcd', undefined, 'invalid argument 0: hex string without 0x prefix'],
    ['odd length', '0xabc', undefined, 'invalid argument 0: hex string of odd length'],
    ['a non-hex digit', '0xzz', undefined, 'invalid argument 0: invalid hex string'],
    ['a space', '0xab cd', undefined, 'invalid argument 0: hex string of odd length'],
    ['a signed value', '0x-1', undefined, 'invalid argument 0: invalid hex string'],
    ['unicode digits', '0x١٢', undefined, 'invalid argument 0: invalid hex string'],
    ['too short for its length', '0xdead', 4, 'invalid argument 0: hex string has length 4, want 8'],
    ['too long for its length', '0xdeadbeef00', 4, 'invalid argument 0: hex string has length 10, want 8'],
  ]
  for (const [name, value, length, message] of malformed) {
    it(`rejects ${name}`, () => {
      let caught: unknown
      try {
        hexToBytes(value, 'argument 0', length)
      } catch (error) {
        caught = error
      }
      expect(caught).toBeInstanceOf(Error)
      expect((caught as Error).name).toBe('InvalidParamsError')
      expect((caught as Error).message).toBe(message)
    })
  }
})

describe('bytesToHex', () => {
  it('encodes lowercase with 0x, empty as 0x', () => {
    expect(bytesToHex(new Uint8Array(0))).toBe('0x')
    expect(bytesToHex(Uint8Array.of(0xab, 0x01))).toBe('0xab01')
  })

  it('respects a view into a larger buffer', () => {
    const backing = Uint8Array.of(1, 2, 3, 4)
    expect(bytesToHex(backing.subarray(1, 3))).toBe('0x0203')
  })

  it('round-trips with hexToBytes', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i)
    expect(hexToBytes(bytesToHex(bytes), 'x')).toEqual(bytes)
  })
})

describe('scalar decoders', () => {
  it('accept well-formed values', () => {
    expect(parseId('abc', 'argument 0')).toBe('abc')
    expect(parseString('', 'argument 0')).toBe('')
    expect(parseUint32(0, 'argument 0')).toBe(0)
    expect(parseUint32(0xffff_ffff, 'argument 0')).toBe(0xffff_ffff)
    expect(parseFloat64(0.25, 'argument 0')).toBe(0.25)
    expect(parseFloat64(-1, 'argument 0')).toBe(-1)
    expect(parseBool(false, 'argument 0')).toBe(false)
  })

  const malformed: [string, () => unknown, string][] = [
    ['a numeric id', () => parseId(1, 'argument 0'), 'invalid argument 0: expected a string, got number'],
    ['a null string', () => parseString(null, 'argument 0'), 'invalid argument 0: expected a string, got null'],
    ['a fractional uint32', () => parseUint32(1.5, 'argument 0'), 'invalid argument 0: expected an integer in [0, 4294967295], got number 1.5'],
    ['a negative uint32', () => parseUint32(-1, 'argument 0'), 'invalid argument 0: expected an integer in [0, 4294967295], got number -1'],
    ['an oversized uint32', () => parseUint32(2 ** 32, 'argument 0'), 'invalid argument 0: expected an integer in [0, 4294967295], got number 4294967296'],
    ['a string uint32', () => parseUint32('1', 'argument 0'), 'invalid argument 0: expected an integer in [0, 4294967295], got string "1"'],
    ['a hex quantity uint32', () => parseUint32('0x10', 'argument 0'), 'invalid argument 0: expected an integer in [0, 4294967295], got string "0x10"'],
    ['a string float', () => parseFloat64('0.2', 'argument 0'), 'invalid argument 0: expected a number, got string "0.2"'],
    ['a boolean float', () => parseFloat64(true, 'argument 0'), 'invalid argument 0: expected a number, got boolean true'],
    ['a string boolean', () => parseBool('true', 'argument 0'), 'invalid argument 0: expected a boolean, got string'],
  ]
  for (const [name, run, message] of malformed) {
    it(`rejects ${name}`, () => {
      expect(run).toThrow(expect.objectContaining({ name: 'InvalidParamsError', message }))
    })
  }
})
