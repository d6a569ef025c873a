/**
 * Keccak-256, the pre-FIPS variant Ethereum and Whisper use (padding 0x01, not SHA3's 0x06).
 * Runs on the AssemblyScript kernel when WebAssembly is available (about 10× noble on a 1 KiB
 * envelope, see bench/keccak.bench.ts), else on `@noble/hashes`.
 */
import { keccak_256 } from '@noble/hashes/sha3.js'
import { instantiateKeccakWasm, keccak256Wasm, type KeccakWasmExports } from './keccak-wasm.ts'

let kernel: KeccakWasmExports | null | undefined

function sharedKernel(): KeccakWasmExports | null {
  if (kernel === undefined) kernel = instantiateKeccakWasm() ?? null
  return kernel
}

/**
 * Keccak-256 (the pre-FIPS padding Ethereum uses) of `data`.
 *
 * @example
 * ```ts
 * keccak256(new TextEncoder().encode('abc')) // 4e03657a…
 * ```
 */
export function keccak256(data: Uint8Array): Uint8Array {
  const k = sharedKernel()
  if (k === null || !(data instanceof Uint8Array)) return keccak_256(data)
  return keccak256Wasm(k, data)
}

/** Which implementation {@link keccak256} uses here: the WASM kernel or the noble fallback. */
export function keccak256Backend(): 'wasm' | 'noble' {
  return sharedKernel() === null ? 'noble' : 'wasm'
}
