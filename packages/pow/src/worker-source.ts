/**
 * The source of a sealing worker, run with `new Worker(WORKER_SOURCE, { eval: true, workerData })`.
 * It is self-contained (plain CommonJS-style JavaScript, no imports of ours), so it runs the same
 * from `src` under vitest and from `dist`: Node 20 cannot start a `.ts` worker (house-style §3.8).
 *
 * It drives the Keccak kernel's ABI directly (see `@hush/envelope/keccak`, `KeccakWasmExports`):
 * absorb the prefix into a midstate once, then `powSearch` batches of nonces upwards from its own
 * start, checking the shared stop flag and the deadline between batches.
 *
 * `workerData`: `{ wasmBytes, prefix, startHi, startLo, targetBits, maxIterations, deadline, batch,
 * progressMs, control }` where `control` is a SharedArrayBuffer whose first Int32 is the stop flag.
 * Messages to the parent: `{ type: 'progress' | 'found' | 'stopped', attempts, bestBits, bestHi, bestLo }`.
 */
export const WORKER_SOURCE: string = `'use strict'
const { parentPort, workerData } = require('node:worker_threads')
const d = workerData
const k = new WebAssembly.Instance(new WebAssembly.Module(d.wasmBytes), {}).exports
const ptr = k.bufferPtr()
const cap = k.bufferBytes()
const prefix = d.prefix
const whole = prefix.length - (prefix.length % 136)
k.reset()
for (let off = 0; off < whole; off += cap) {
  const len = Math.min(cap, whole - off)
  new Uint8Array(k.memory.buffer, ptr, len).set(prefix.subarray(off, off + len))
  k.absorb(len)
}
new Uint8Array(k.memory.buffer, ptr, prefix.length - whole).set(prefix.subarray(whole))
k.powPrepare(prefix.length - whole)
const stop = new Int32Array(d.control)
let hi = d.startHi >>> 0
let lo = d.startLo >>> 0
let attempts = 0
let bestBits = -1
let bestHi = hi
let bestLo = lo
let lastPost = Date.now()
const post = (type) => parentPort.postMessage({ type, attempts, bestBits, bestHi, bestLo })
for (;;) {
  const count = Math.min(d.batch, d.maxIterations - attempts)
  const bits = k.powSearch(hi, lo, count, d.targetBits)
  const n = k.triedCount() >>> 0
  attempts += n
  if (bits > bestBits) {
    bestBits = bits
    bestHi = k.bestNonceHi() >>> 0
    bestLo = k.bestNonceLo() >>> 0
  }
  const sum = lo + n
  lo = sum >>> 0
  if (sum > 0xffffffff) hi = (hi + 1) >>> 0
  if (bestBits >= d.targetBits) { post('found'); break }
  const now = Date.now()
  if (Atomics.load(stop, 0) !== 0 || now >= d.deadline || attempts >= d.maxIterations) { post('stopped'); break }
  if (now - lastPost >= d.progressMs) { post('progress'); lastPost = now }
}
`
