import { keccakP, keccak_256 } from '@noble/hashes/sha3.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { keccak256 } from '../src/index.ts'
import { keccak256Backend } from '../src/keccak.ts'
import { keccakF1600 } from '../src/keccak-f1600.ts'
import { keccak256Ts } from '../src/keccak-ts.ts'
import { instantiateKeccakWasm, keccak256Wasm, keccakWasmBytes } from '../src/keccak-wasm.ts'
import { KECCAK_WASM_BASE64 } from '../src/keccak-wasm-bytes.ts'
import { readFileSync } from 'node:fs'
import { compileKeccakWasm } from '../wasm/build.ts'
import { KECCAK_F1600_PATH, keccakF1600Source } from '../wasm/gen-keccak-f1600.ts'
import vectors from './vectors/keccak.json' with { type: 'json' }

const hex = (s: string): Uint8Array => hexToBytes(s.startsWith('0x') ? s.slice(2) : s)
const kernel = instantiateKeccakWasm()
if (kernel === undefined) throw new Error('WebAssembly must be available under Node')

/** Both paths of `keccak256`: the WASM sponge and the pure-TS fallback, and the export itself. */
const paths: [string, (data: Uint8Array) => Uint8Array][] = [
  ['wasm', (data) => keccak256Wasm(kernel, data)],
  ['pure-TS fallback', keccak256Ts],
  ['keccak256 (exported)', keccak256],
]

/** Lengths around the 136-byte rate and the 65280-byte WASM buffer, where off-by-ones live. */
const edgeLengths = [0, 1, 7, 8, 135, 136, 137, 271, 272, 273, 1024, 65279, 65280, 65281, 130560, 130561]
const arbInput = fc.oneof(
  fc.uint8Array({ minLength: 0, maxLength: 10 * 1024 }),
  fc.uint8Array({ minLength: 130, maxLength: 142 }),
  fc.uint8Array({ minLength: 266, maxLength: 278 })
)

describe('keccak256', () => {
  it('uses the WASM kernel under Node', () => {
    expect(keccak256Backend()).toBe('wasm')
  })

  describe.each(paths)('%s', (_name, hash) => {
    it.each(vectors.vectors)('$name', (v) => {
      expect(bytesToHex(hash(hex(v.input)))).toBe(v.expected.slice(2))
    })

    it.each(edgeLengths)('matches noble at %i bytes', (len) => {
      const data = Uint8Array.from({ length: len }, (_, i) => (i * 31 + len) & 0xff)
      expect(bytesToHex(hash(data))).toBe(bytesToHex(keccak_256(data)))
    })

    it('matches noble on random inputs (0..10 KiB, and around 136 and 272 bytes)', () => {
      fc.assert(
        fc.property(arbInput, (data) => bytesToHex(hash(data)) === bytesToHex(keccak_256(data))),
        { numRuns: 300 }
      )
    })
  })

  it('leaves its input untouched and works on views with an offset', () => {
    const backing = Uint8Array.from({ length: 600 }, (_, i) => i & 0xff)
    const view = backing.subarray(3, 503)
    const copy = view.slice()
    expect(keccak256(view)).toEqual(keccak_256(copy))
    expect(view).toEqual(copy)
  })

  it('returns a fresh 32-byte array each time', () => {
    const a = keccak256(new Uint8Array(5))
    const b = keccak256(new Uint8Array(5))
    expect(a).toEqual(b)
    expect(a).not.toBe(b)
    a[0] ^= 1
    expect(keccak256(new Uint8Array(5))).toEqual(b)
  })

  it('rejects non-bytes, naming the argument', () => {
    expect(() => keccak256('abc' as unknown as Uint8Array)).toThrow(
      expect.objectContaining({ name: 'TypeError', message: expect.stringContaining('data') })
    )
  })
})

describe('keccakF1600 (pure TS)', () => {
  it('is what wasm/gen-keccak-f1600.ts generates', () => {
    expect(readFileSync(KECCAK_F1600_PATH, 'utf8')).toBe(keccakF1600Source())
  })

  it('equals noble\'s keccakP on random states', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffff_ffff }), { minLength: 50, maxLength: 50 }), (words) => {
        const a = Uint32Array.from(words)
        const b = Uint32Array.from(words)
        keccakF1600(a)
        keccakP(b, 24)
        expect(a).toEqual(b)
      }),
      { numRuns: 300 }
    )
  })
})

describe('the committed WASM artifact', () => {
  it('equals a fresh asc compile of wasm/keccak.ts', async () => {
    const fresh = await compileKeccakWasm()
    expect(Buffer.from(fresh).toString('base64')).toBe(KECCAK_WASM_BASE64)
    expect(keccakWasmBytes()).toEqual(fresh)
  })
})
