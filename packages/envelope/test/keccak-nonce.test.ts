import { keccak_256 } from '@noble/hashes/sha3.js'
import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import { createNonceSearch, keccakWasmBytes, type NonceSearch } from '../src/keccak-pow.ts'

const U64 = (1n << 64n) - 1n

function leadingZeroBits(hash: Uint8Array): number {
  let n = 0
  for (const b of hash) {
    if (b !== 0) return n + Math.clz32(b) - 24
    n += 8
  }
  return n
}

/** The definition (spec §3.1), one full hash per nonce with noble. */
function reference(prefix: Uint8Array, start: bigint, count: number, targetBits = 257) {
  const buf = new Uint8Array(prefix.length + 8)
  buf.set(prefix)
  const view = new DataView(buf.buffer)
  let best = -1
  let bestNonce = start
  let tried = 0
  for (let i = 0; i < count; i++) {
    const nonce = (start + BigInt(i)) & U64
    view.setBigUint64(prefix.length, nonce)
    tried++
    const lz = leadingZeroBits(keccak_256(buf))
    if (lz > best) {
      best = lz
      bestNonce = nonce
      if (best >= targetBits) break
    }
  }
  return { bestNonce, bestBits: best, tried }
}

const backends = ['wasm', 'ts'] as const
const arbPrefix = fc.oneof(
  fc.uint8Array({ minLength: 0, maxLength: 600 }),
  fc.uint8Array({ minLength: 120, maxLength: 140 }),
  fc.uint8Array({ minLength: 256, maxLength: 276 })
)
const arbStart = fc.oneof(fc.bigInt({ min: 0n, max: U64 }), fc.bigInt({ min: U64 - 20n, max: U64 }))

describe.each(backends)('createNonceSearch (%s)', (backend) => {
  const make = (prefix: Uint8Array): NonceSearch => createNonceSearch(prefix, { backend })

  it('reports its backend and the permutations per nonce', () => {
    expect(make(new Uint8Array(10)).backend).toBe(backend)
    expect(make(new Uint8Array(127)).permutationsPerNonce).toBe(1)
    expect(make(new Uint8Array(128)).permutationsPerNonce).toBe(2)
    expect(make(new Uint8Array(135)).permutationsPerNonce).toBe(2)
    expect(make(new Uint8Array(136)).permutationsPerNonce).toBe(1)
    expect(make(new Uint8Array(1030)).permutationsPerNonce).toBe(1)
  })

  it('finds geth\'s known nonce 276 (8 leading zero bits, envelope_test.go)', () => {
    // RLP([0, 1, 00000000, deadbeef]) = cc 80 01 84 00000000 84 deadbeef (spec §3.5)
    const prefix = Uint8Array.from([0xcc, 0x80, 0x01, 0x84, 0, 0, 0, 0, 0x84, 0xde, 0xad, 0xbe, 0xef])
    expect(make(prefix).search(276n, 1)).toEqual({ bestNonce: 276n, bestBits: 8, tried: 1 })
    expect(make(prefix).search(100000n, 1).bestBits).toBe(0)
  })

  it('matches the one-hash-per-nonce definition, every tail length and across 2^64', () => {
    fc.assert(
      fc.property(arbPrefix, arbStart, fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 257 }), (prefix, start, count, target) => {
        expect(make(prefix).search(start, count, target)).toEqual(reference(prefix, start, count, target))
      }),
      { numRuns: 150 }
    )
  })

  it('keeps the first nonce reaching the best count, and stops at the target', () => {
    const prefix = new Uint8Array(1030).fill(7)
    const search = make(prefix)
    const full = search.search(1000n, 3000)
    expect(full.tried).toBe(3000)
    expect(full).toEqual(reference(prefix, 1000n, 3000))
    const early = search.search(1000n, 3000, 4)
    expect(early.bestBits).toBeGreaterThanOrEqual(4)
    expect(early.tried).toBeLessThan(3000)
    expect(early).toEqual(reference(prefix, 1000n, 3000, 4))
  })

  it('rejects bad arguments, naming them', () => {
    const search = make(new Uint8Array(3))
    const cases: [() => unknown, string, string][] = [
      [() => search.search(-1n, 1), 'RangeError', 'start'],
      [() => search.search(1n << 64n, 1), 'RangeError', 'start'],
      [() => search.search(1 as unknown as bigint, 1), 'TypeError', 'start'],
      [() => search.search(0n, 0), 'RangeError', 'count'],
      [() => search.search(0n, 2 ** 32), 'RangeError', 'count'],
      [() => search.search(0n, 1.5), 'TypeError', 'count'],
      [() => search.search(0n, 1, 258), 'RangeError', 'targetBits'],
      [() => createNonceSearch('x' as unknown as Uint8Array, { backend }), 'TypeError', 'prefix'],
      [() => createNonceSearch(new Uint8Array(1), { backend: 'gpu' as 'ts' }), 'TypeError', 'backend'],
    ]
    for (const [fn, name, arg] of cases) {
      expect(fn).toThrow(expect.objectContaining({ name, message: expect.stringContaining(arg) }))
    }
  })
})

describe('createNonceSearch on the shared WASM kernel', () => {
  it('gives every search its own prefix when searches take turns on the one kernel', () => {
    fc.assert(
      fc.property(arbPrefix, arbPrefix, arbStart, fc.array(fc.boolean(), { minLength: 2, maxLength: 8 }), (a, b, start, turns) => {
        const searches = [createNonceSearch(a, { backend: 'wasm' }), createNonceSearch(b, { backend: 'wasm' })]
        const prefixes = [a, b]
        for (const [i, second] of turns.entries()) {
          const which = second ? 1 : 0
          const from = start + BigInt(i * 5)
          expect(searches[which].search(from & U64, 5)).toEqual(reference(prefixes[which], from & U64, 5))
        }
      }),
      { numRuns: 60 }
    )
  })

  it('instantiates no kernel per search (each costs ~0.1 ms and its own memory)', () => {
    createNonceSearch(new Uint8Array(40), { backend: 'wasm' }).search(0n, 1)
    const wasm = (globalThis as unknown as { WebAssembly: { Instance: new (...args: never[]) => unknown } }).WebAssembly
    const instances = vi.spyOn(wasm, 'Instance')
    try {
      for (let i = 0; i < 20; i++) createNonceSearch(new Uint8Array(40 + i), { backend: 'wasm' }).search(0n, 10)
      expect(instances).not.toHaveBeenCalled()
    } finally {
      instances.mockRestore()
    }
  })
})

describe('keccakWasmBytes', () => {
  it('is a WebAssembly module and a copy each time', () => {
    const bytes = keccakWasmBytes()
    expect([...bytes.subarray(0, 4)]).toEqual([0, 0x61, 0x73, 0x6d])
    bytes[0] = 1
    expect(keccakWasmBytes()[0]).toBe(0)
  })
})
