// Where WebAssembly is missing, keccak256 and the nonce search fall back to pure TypeScript.
import { keccak_256 } from '@noble/hashes/sha3.js'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'

describe('without WebAssembly', () => {
  beforeAll(() => {
    vi.stubGlobal('WebAssembly', undefined)
    vi.resetModules()
  })
  afterAll(() => {
    vi.unstubAllGlobals()
    vi.resetModules()
  })

  it('keccak256 runs on the pure-TS sponge and still matches noble', async () => {
    const { keccak256, keccak256Backend } = await import('../src/keccak.ts')
    expect(keccak256Backend()).toBe('ts')
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (data) => {
        expect(keccak256(data)).toEqual(keccak_256(data))
      }),
      { numRuns: 100 }
    )
  })

  it('the nonce search falls back to TS, and refuses a forced WASM backend', async () => {
    const { createNonceSearch } = await import('../src/keccak-nonce.ts')
    expect(createNonceSearch(new Uint8Array(10)).backend).toBe('ts')
    expect(() => createNonceSearch(new Uint8Array(10), { backend: 'wasm' })).toThrow(
      expect.objectContaining({ name: 'TypeError', message: expect.stringContaining('backend') })
    )
  })
})
