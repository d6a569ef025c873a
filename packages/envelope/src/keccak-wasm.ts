/**
 * Loading the AssemblyScript Keccak kernel (`wasm/keccak.ts`, compiled into `keccak-wasm-bytes.ts`)
 * synchronously, and the Keccak-256 sponge on top of it.
 */
import { KECCAK_WASM_BASE64 } from './keccak-wasm-bytes.ts'

/**
 * The kernel's exports (its ABI). Pointers are byte offsets into `memory`; u32 results may come
 * back negative (i32) and must be read with `>>> 0`.
 */
export interface KeccakWasmExports {
  /** The kernel's linear memory (2 pages; it never grows). */
  readonly memory: { readonly buffer: ArrayBuffer }
  /** Offset of the input buffer. */
  bufferPtr(): number
  /** Size of the input buffer (65280 bytes, 480 blocks). */
  bufferBytes(): number
  /** Offset of the 32-byte digest written by `finish`. */
  outPtr(): number
  /** Clears the sponge state. */
  reset(): void
  /** Absorbs `len` buffer bytes (a multiple of 136). */
  absorb(len: number): void
  /** Absorbs `len` buffer bytes, pads, permutes and writes the digest. */
  finish(len: number): void
  /** Takes the sponge state as the PoW midstate and the buffer's first `tailLen` (< 136) bytes as the tail. */
  powPrepare(tailLen: number): number
  /** Searches `count` nonces from `hi:lo`; returns the best leading-zero-bit count. */
  powSearch(startHi: number, startLo: number, count: number, targetBits: number): number
  /** High 32 bits of the best nonce of the last `powSearch`. */
  bestNonceHi(): number
  /** Low 32 bits of the best nonce of the last `powSearch`. */
  bestNonceLo(): number
  /** Nonces tried by the last `powSearch` (fewer than `count` when it reached `targetBits`). */
  triedCount(): number
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { exports: unknown }
}

let wasmBytes: Uint8Array | undefined
let compiled: object | null | undefined

/** The kernel's WebAssembly module bytes (decoded once from base64). */
export function keccakWasmBytes(): Uint8Array {
  if (wasmBytes === undefined) {
    const binary = atob(KECCAK_WASM_BASE64)
    const bytes = new Uint8Array(binary.length)
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
    wasmBytes = bytes
  }
  return wasmBytes.slice()
}

function wasmApi(): WasmApi | undefined {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly
  return typeof api?.Module === 'function' && typeof api.Instance === 'function' ? api : undefined
}

/**
 * A fresh instance of the kernel (own memory and state), or `undefined` where WebAssembly is missing
 * or refuses a synchronous compile. The module is compiled once.
 */
export function instantiateKeccakWasm(): KeccakWasmExports | undefined {
  const api = wasmApi()
  if (api === undefined || compiled === null) return undefined
  try {
    compiled ??= new api.Module(keccakWasmBytes())
    return new api.Instance(compiled, {}).exports as KeccakWasmExports
  } catch {
    compiled = null
    return undefined
  }
}

/** Absorbs all whole 136-byte blocks of `data` into a reset sponge; returns the length absorbed. */
export function absorbWholeBlocks(kernel: KeccakWasmExports, data: Uint8Array): number {
  const ptr = kernel.bufferPtr()
  const cap = kernel.bufferBytes()
  const whole = data.length - (data.length % 136)
  kernel.reset()
  for (let off = 0; off < whole; off += cap) {
    const len = Math.min(cap, whole - off)
    new Uint8Array(kernel.memory.buffer, ptr, len).set(data.subarray(off, off + len))
    kernel.absorb(len)
  }
  return whole
}

/** Per-kernel constants and a view of its memory, so a hash costs no lookups or extra views. */
interface KernelView {
  heap: Uint8Array
  ptr: number
  cap: number
  out: number
}

const views = new WeakMap<KeccakWasmExports, KernelView>()

function viewOf(kernel: KeccakWasmExports): KernelView {
  let view = views.get(kernel)
  // A memory that grew detaches the old buffer: take a fresh view then.
  if (view === undefined || view.heap.buffer !== kernel.memory.buffer) {
    view = { heap: new Uint8Array(kernel.memory.buffer), ptr: kernel.bufferPtr(), cap: kernel.bufferBytes(), out: kernel.outPtr() }
    views.set(kernel, view)
  }
  return view
}

/** Keccak-256 of `data` with the kernel's sponge. */
export function keccak256Wasm(kernel: KeccakWasmExports, data: Uint8Array): Uint8Array {
  const { heap, ptr, cap, out } = viewOf(kernel)
  kernel.reset()
  let off = 0
  while (data.length - off > cap) {
    heap.set(data.subarray(off, off + cap), ptr)
    kernel.absorb(cap)
    off += cap
  }
  heap.set(off === 0 ? data : data.subarray(off), ptr)
  kernel.finish(data.length - off)
  return heap.slice(out, out + 32)
}
