/**
 * `@hush/envelope/keccak`: the Keccak kernel's PoW interface, **for `@hush/pow` only**. Nothing above
 * pow should import it (house-style §3.5); everyone else uses `keccak256` from `@hush/envelope`.
 *
 * It exposes the WASM module bytes (so pow can start self-contained workers), the kernel's ABI, and a
 * typed midstate nonce search with a WASM and a pure-TS backend.
 * @packageDocumentation
 */
export type { NonceSearch, NonceSearchOptions, NonceSearchResult } from './keccak-nonce.ts'
export { createNonceSearch } from './keccak-nonce.ts'
export type { KeccakWasmExports } from './keccak-wasm.ts'
export { keccakWasmBytes } from './keccak-wasm.ts'
export { keccak256Backend } from './keccak.ts'
