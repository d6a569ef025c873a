/**
 * The Whisper PoW nonce search (spec §3.1): `keccak256(prefix ‖ nonce as 8-byte big-endian)` over a
 * range of nonces, keeping the nonce with the most leading zero bits. The constant prefix (the
 * envelope's RLP without the nonce) is absorbed once into a midstate; each nonce then costs one
 * Keccak-f[1600] permutation, or two when the tail, the nonce and the padding pass the 136-byte rate.
 * Two backends: the AssemblyScript kernel, and a pure-TS one on `keccakF1600`.
 */
import { keccakF1600 } from './keccak-f1600.ts'
import { absorbWholeBlocks, instantiateKeccakWasm, type KeccakWasmExports } from './keccak-wasm.ts'

const RATE = 136
const U64_MASK = (1n << 64n) - 1n
const MAX_COUNT = 0xffff_ffff

/** Outcome of one {@link NonceSearch.search} call. */
export interface NonceSearchResult {
  /** The first nonce of the range that reached `bestBits`. */
  readonly bestNonce: bigint
  /** Leading zero bits of its PoW hash (0–256). */
  readonly bestBits: number
  /** Nonces tried: `count`, or fewer when the target was reached. */
  readonly tried: number
}

/** A prepared nonce search over one prefix. */
export interface NonceSearch {
  /** `'wasm'` (the AssemblyScript kernel) or `'ts'` (the pure-TS permutation). */
  readonly backend: 'wasm' | 'ts'
  /** Keccak-f permutations per nonce: 1, or 2 when `prefix.length % 136 >= 128`. */
  readonly permutationsPerNonce: 1 | 2
  /**
   * Tries `count` nonces from `start` upwards (wrapping at 2^64) and stops early at the first one
   * whose hash has at least `targetBits` leading zero bits.
   * @param start - first nonce, in [0, 2^64)
   * @param count - nonces to try, in [1, 2^32)
   * @param targetBits - stop at this many leading zero bits; default 257 (never stop early)
   */
  search(start: bigint, count: number, targetBits?: number): NonceSearchResult
}

/** Options for {@link createNonceSearch}. */
export interface NonceSearchOptions {
  /**
   * Force a backend. `'wasm'` throws a TypeError where WebAssembly is unavailable.
   * @default 'wasm' when available, else 'ts'
   */
  backend?: 'wasm' | 'ts'
}

function checkArgs(start: bigint, count: number, targetBits: number): void {
  if (typeof start !== 'bigint') throw new TypeError('start must be a bigint')
  if (start < 0n || start > U64_MASK) throw new RangeError(`start must be in [0, 2^64), got ${start}`)
  if (!Number.isInteger(count)) throw new TypeError('count must be an integer')
  if (count < 1 || count > MAX_COUNT) throw new RangeError(`count must be in [1, ${MAX_COUNT}], got ${count}`)
  if (!Number.isInteger(targetBits)) throw new TypeError('targetBits must be an integer')
  if (targetBits < 0 || targetBits > 257) throw new RangeError(`targetBits must be in [0, 257], got ${targetBits}`)
}

/**
 * The one kernel every WASM nonce search shares, and the search whose midstate it holds.
 * Instantiating a kernel costs about 70–100 µs and a fresh memory, more than a whole seal at a low
 * target, so searches share one and a search re-absorbs its prefix when another ran in between
 * (a few µs; searches are synchronous, so they never interleave inside one call).
 */
let sharedKernel: KeccakWasmExports | null | undefined
let kernelHolder: object | undefined

function searchKernel(): KeccakWasmExports | undefined {
  if (sharedKernel === undefined) sharedKernel = instantiateKeccakWasm() ?? null
  return sharedKernel ?? undefined
}

function wasmSearch(kernel: KeccakWasmExports, prefix: Uint8Array): NonceSearch {
  const owner = {}
  const prepare = (): 1 | 2 => {
    const whole = absorbWholeBlocks(kernel, prefix)
    new Uint8Array(kernel.memory.buffer, kernel.bufferPtr(), prefix.length - whole).set(prefix.subarray(whole))
    kernelHolder = owner
    return kernel.powPrepare(prefix.length - whole) === 2 ? 2 : 1
  }
  const perms = prepare()
  return {
    backend: 'wasm',
    permutationsPerNonce: perms,
    search(start, count, targetBits = 257) {
      checkArgs(start, count, targetBits)
      if (kernelHolder !== owner) prepare()
      const bestBits = kernel.powSearch(Number(start >> 32n), Number(start & 0xffff_ffffn), count, targetBits)
      const bestNonce = (BigInt(kernel.bestNonceHi() >>> 0) << 32n) | BigInt(kernel.bestNonceLo() >>> 0)
      return { bestNonce, bestBits, tried: kernel.triedCount() >>> 0 }
    },
  }
}

/** Reads 4 bytes little-endian: Keccak lanes are little-endian, the state is (lo, hi) u32 pairs. */
function le32(b: Uint8Array, i: number): number {
  return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0
}

function bswap32(x: number): number {
  return ((x >>> 24) | ((x >>> 8) & 0xff00) | ((x << 8) & 0xff_0000) | (x << 24)) >>> 0
}

function leadingZeroBits(s: Uint32Array): number {
  for (let i = 0; i < 8; i++) {
    if (s[i] !== 0) return i * 32 + Math.clz32(bswap32(s[i]))
  }
  return 256
}

function tsSearch(prefix: Uint8Array): NonceSearch {
  const whole = prefix.length - (prefix.length % RATE)
  const tail = prefix.length - whole
  const twoBlocks = tail + 8 >= RATE
  // Midstate: absorb the whole blocks once.
  const mid = new Uint32Array(50)
  for (let off = 0; off < whole; off += RATE) {
    for (let w = 0; w < RATE / 4; w++) mid[w] ^= le32(prefix, off + 4 * w)
    keccakF1600(mid)
  }
  // Final block(s) without the nonce bytes: tail ‖ 0×8 ‖ 0x01 ‖ 0… ‖ 0x80.
  const final = new Uint8Array(2 * RATE)
  final.set(prefix.subarray(whole))
  final[tail + 8] ^= 0x01
  final[(twoBlocks ? 2 * RATE : RATE) - 1] ^= 0x80
  const base = mid.slice()
  for (let w = 0; w < RATE / 4; w++) base[w] ^= le32(final, 4 * w)
  const block2 = new Uint32Array(RATE / 4)
  for (let w = 0; w < RATE / 4; w++) block2[w] = le32(final, RATE + 4 * w)
  const s = new Uint32Array(50)
  const extra = new Uint32Array(RATE / 4)
  return {
    backend: 'ts',
    permutationsPerNonce: twoBlocks ? 2 : 1,
    search(start, count, targetBits = 257) {
      checkArgs(start, count, targetBits)
      let hi = Number(start >> 32n)
      let lo = Number(start & 0xffff_ffffn)
      let best = -1
      let bestHi = hi
      let bestLo = lo
      let i = 0
      while (i < count) {
        s.set(base)
        if (twoBlocks) extra.set(block2)
        for (let j = 0; j < 8; j++) {
          const byte = (j < 4 ? hi >>> (24 - 8 * j) : lo >>> (56 - 8 * j)) & 0xff
          const pos = tail + j
          const shift = 8 * (pos & 3)
          if (pos < RATE) s[pos >> 2] ^= byte << shift
          else extra[(pos - RATE) >> 2] ^= byte << shift
        }
        keccakF1600(s)
        if (twoBlocks) {
          for (let w = 0; w < RATE / 4; w++) s[w] ^= extra[w]
          keccakF1600(s)
        }
        i++
        const lz = leadingZeroBits(s)
        if (lz > best) {
          best = lz
          bestHi = hi
          bestLo = lo
          if (best >= targetBits) break
        }
        lo = (lo + 1) >>> 0
        if (lo === 0) hi = (hi + 1) >>> 0
      }
      return { bestNonce: (BigInt(bestHi) << 32n) | BigInt(bestLo), bestBits: best, tried: i }
    },
  }
}

/**
 * Prepares a nonce search for `prefix` (an envelope's RLP without the nonce).
 * @throws {TypeError} when `prefix` is not a Uint8Array, or the `'wasm'` backend is forced where
 * WebAssembly is unavailable
 * @example
 * ```ts
 * const search = createNonceSearch(encodeEnvelopeWithoutNonce(envelope))
 * const { bestNonce, bestBits } = search.search(12345n, 1 << 20, 16)
 * ```
 */
export function createNonceSearch(prefix: Uint8Array, options: NonceSearchOptions = {}): NonceSearch {
  if (!(prefix instanceof Uint8Array)) throw new TypeError('prefix must be a Uint8Array')
  const backend = options.backend
  if (backend !== undefined && backend !== 'wasm' && backend !== 'ts') {
    throw new TypeError(`options.backend must be 'wasm' or 'ts', got ${String(backend)}`)
  }
  if (backend === 'ts') return tsSearch(prefix)
  const kernel = searchKernel()
  if (kernel !== undefined) return wasmSearch(kernel, prefix)
  if (backend === 'wasm') throw new TypeError('options.backend is "wasm" but WebAssembly is unavailable')
  return tsSearch(prefix)
}
