/**
 * Keccak-256, the pre-FIPS variant Ethereum and Whisper use (padding 0x01, not SHA3's 0x06).
 * Runs on the AssemblyScript kernel when WebAssembly is available (about 10× noble on a 1 KiB
 * envelope, see bench/keccak.bench.ts), else on a specialised pure-TS sponge (`keccak-ts.ts`).
 */
import { assertBytes } from './assert.ts'
import { keccak256Ts } from './keccak-ts.ts'
import { instantiateKeccakWasm, keccak256Wasm, type KeccakWasmExports } from './keccak-wasm.ts'

let kernel: KeccakWasmExports | null | undefined

function sharedKernel(): KeccakWasmExports | null {
  if (kernel === undefined) kernel = instantiateKeccakWasm() ?? null
  return kernel
}

/**
 * Keccak-256 (the pre-FIPS padding Ethereum uses) of `data`.
 * @throws {TypeError} when `data` is not a Uint8Array
 *
 * @example
 * ```ts
 * keccak256(new TextEncoder().encode('abc')) // 4e03657a…
 * ```
 */
export function keccak256(data: Uint8Array): Uint8Array {
  assertBytes(data, 'data')
  const k = sharedKernel()
  return k === null ? keccak256Ts(data) : keccak256Wasm(k, data)
}

/** Which implementation {@link keccak256} uses here: the WASM kernel or the pure-TS fallback. */
export function keccak256Backend(): 'wasm' | 'ts' {
  return sharedKernel() === null ? 'ts' : 'wasm'
}
