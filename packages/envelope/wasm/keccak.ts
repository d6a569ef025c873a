/**
 * Keccak-f[1600] kernel for Hush, written in AssemblyScript (compiled by `npm run build:wasm -w @hush/envelope`
 * to `src/keccak-wasm-bytes.ts`; never loaded from here at run time).
 *
 * Two services share one permutation:
 * 1. a Keccak-256 sponge (legacy padding 0x01, rate 136 bytes) over bytes the host copies into `BUFFER`;
 * 2. the Whisper PoW nonce search (spec §3.1): the host absorbs the constant prefix (the RLP without the
 *    nonce) into a midstate once, then every nonce costs one permutation (two when the 8-byte nonce and
 *    the padding cross the 136-byte block boundary), run in a loop inside WASM.
 *
 * Memory is static (`memory.data`): no allocator, so `--runtime stub` is enough. Lanes are little-endian
 * u64 (FIPS 202 byte order), which is WASM's native order.
 *
 * One round of the permutation is written out in full (theta, rho+pi, chi, iota on 25 u64 locals; the
 * same structure as `src/keccak-f1600.ts` on u32 pairs), and `permute` loops over the 24 rounds.
 */

/** Sponge rate of Keccak-256 in bytes (1600 − 2·256 bits). */
const RATE: u32 = 136
/** Input buffer size: 480 blocks, so a chunk is always a whole number of blocks. */
const BUFFER_BYTES: u32 = 65280

const ROUND_CONSTANTS: usize = memory.data<u64>([
  0x0000000000000001, 0x0000000000008082, 0x800000000000808a, 0x8000000080008000,
  0x000000000000808b, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
  0x000000000000008a, 0x0000000000000088, 0x0000000080008009, 0x000000008000000a,
  0x000000008000808b, 0x800000000000008b, 0x8000000000008089, 0x8000000000008003,
  0x8000000000008002, 0x8000000000000080, 0x000000000000800a, 0x800000008000000a,
  0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
])

/** Sponge state (25 lanes). */
const STATE: usize = memory.data(200, 16)
/** PoW: midstate XOR the constant part of the first final block (tail bytes and padding). */
const POW_BASE: usize = memory.data(200, 16)
/** PoW: the constant part of the second final block, when there is one. */
const POW_BLOCK2: usize = memory.data(136, 16)
/** PoW: scratch state for one nonce. */
const POW_STATE: usize = memory.data(200, 16)
/** Digest output (32 bytes). */
const OUT: usize = memory.data(32, 16)
/** Host-written input. */
const BUFFER: usize = memory.data(BUFFER_BYTES, 16)

/** PoW layout of the nonce, set by `powPrepare`. */
let nonceLane: u32 = 0
let nonceShift: u32 = 0
let twoBlocks: bool = false
/** PoW search results, read by the host after `powSearch`. */
let bestHi: u32 = 0
let bestLo: u32 = 0
let tried: u32 = 0

/** Keccak-f[1600] on the 25 lanes at `p`, in place. */
function permute(p: usize): void {
  let a00 = load<u64>(p, 0)
  let a01 = load<u64>(p, 8)
  let a02 = load<u64>(p, 16)
  let a03 = load<u64>(p, 24)
  let a04 = load<u64>(p, 32)
  let a05 = load<u64>(p, 40)
  let a06 = load<u64>(p, 48)
  let a07 = load<u64>(p, 56)
  let a08 = load<u64>(p, 64)
  let a09 = load<u64>(p, 72)
  let a10 = load<u64>(p, 80)
  let a11 = load<u64>(p, 88)
  let a12 = load<u64>(p, 96)
  let a13 = load<u64>(p, 104)
  let a14 = load<u64>(p, 112)
  let a15 = load<u64>(p, 120)
  let a16 = load<u64>(p, 128)
  let a17 = load<u64>(p, 136)
  let a18 = load<u64>(p, 144)
  let a19 = load<u64>(p, 152)
  let a20 = load<u64>(p, 160)
  let a21 = load<u64>(p, 168)
  let a22 = load<u64>(p, 176)
  let a23 = load<u64>(p, 184)
  let a24 = load<u64>(p, 192)
  for (let r: u32 = 0; r < 24; r++) {
    const c0 = a00 ^ a05 ^ a10 ^ a15 ^ a20
    const c1 = a01 ^ a06 ^ a11 ^ a16 ^ a21
    const c2 = a02 ^ a07 ^ a12 ^ a17 ^ a22
    const c3 = a03 ^ a08 ^ a13 ^ a18 ^ a23
    const c4 = a04 ^ a09 ^ a14 ^ a19 ^ a24
    const d0 = c4 ^ rotl<u64>(c1, 1)
    const d1 = c0 ^ rotl<u64>(c2, 1)
    const d2 = c1 ^ rotl<u64>(c3, 1)
    const d3 = c2 ^ rotl<u64>(c4, 1)
    const d4 = c3 ^ rotl<u64>(c0, 1)
    const b00 = (a00 ^ d0)
    const b01 = rotl<u64>(a06 ^ d1, 44)
    const b02 = rotl<u64>(a12 ^ d2, 43)
    const b03 = rotl<u64>(a18 ^ d3, 21)
    const b04 = rotl<u64>(a24 ^ d4, 14)
    const b05 = rotl<u64>(a03 ^ d3, 28)
    const b06 = rotl<u64>(a09 ^ d4, 20)
    const b07 = rotl<u64>(a10 ^ d0, 3)
    const b08 = rotl<u64>(a16 ^ d1, 45)
    const b09 = rotl<u64>(a22 ^ d2, 61)
    const b10 = rotl<u64>(a01 ^ d1, 1)
    const b11 = rotl<u64>(a07 ^ d2, 6)
    const b12 = rotl<u64>(a13 ^ d3, 25)
    const b13 = rotl<u64>(a19 ^ d4, 8)
    const b14 = rotl<u64>(a20 ^ d0, 18)
    const b15 = rotl<u64>(a04 ^ d4, 27)
    const b16 = rotl<u64>(a05 ^ d0, 36)
    const b17 = rotl<u64>(a11 ^ d1, 10)
    const b18 = rotl<u64>(a17 ^ d2, 15)
    const b19 = rotl<u64>(a23 ^ d3, 56)
    const b20 = rotl<u64>(a02 ^ d2, 62)
    const b21 = rotl<u64>(a08 ^ d3, 55)
    const b22 = rotl<u64>(a14 ^ d4, 39)
    const b23 = rotl<u64>(a15 ^ d0, 41)
    const b24 = rotl<u64>(a21 ^ d1, 2)
    a00 = b00 ^ (~b01 & b02)
    a01 = b01 ^ (~b02 & b03)
    a02 = b02 ^ (~b03 & b04)
    a03 = b03 ^ (~b04 & b00)
    a04 = b04 ^ (~b00 & b01)
    a05 = b05 ^ (~b06 & b07)
    a06 = b06 ^ (~b07 & b08)
    a07 = b07 ^ (~b08 & b09)
    a08 = b08 ^ (~b09 & b05)
    a09 = b09 ^ (~b05 & b06)
    a10 = b10 ^ (~b11 & b12)
    a11 = b11 ^ (~b12 & b13)
    a12 = b12 ^ (~b13 & b14)
    a13 = b13 ^ (~b14 & b10)
    a14 = b14 ^ (~b10 & b11)
    a15 = b15 ^ (~b16 & b17)
    a16 = b16 ^ (~b17 & b18)
    a17 = b17 ^ (~b18 & b19)
    a18 = b18 ^ (~b19 & b15)
    a19 = b19 ^ (~b15 & b16)
    a20 = b20 ^ (~b21 & b22)
    a21 = b21 ^ (~b22 & b23)
    a22 = b22 ^ (~b23 & b24)
    a23 = b23 ^ (~b24 & b20)
    a24 = b24 ^ (~b20 & b21)
    a00 ^= load<u64>(ROUND_CONSTANTS + (<usize>r << 3))

  }
  store<u64>(p, a00, 0)
  store<u64>(p, a01, 8)
  store<u64>(p, a02, 16)
  store<u64>(p, a03, 24)
  store<u64>(p, a04, 32)
  store<u64>(p, a05, 40)
  store<u64>(p, a06, 48)
  store<u64>(p, a07, 56)
  store<u64>(p, a08, 64)
  store<u64>(p, a09, 72)
  store<u64>(p, a10, 80)
  store<u64>(p, a11, 88)
  store<u64>(p, a12, 96)
  store<u64>(p, a13, 104)
  store<u64>(p, a14, 112)
  store<u64>(p, a15, 120)
  store<u64>(p, a16, 128)
  store<u64>(p, a17, 136)
  store<u64>(p, a18, 144)
  store<u64>(p, a19, 152)
  store<u64>(p, a20, 160)
  store<u64>(p, a21, 168)
  store<u64>(p, a22, 176)
  store<u64>(p, a23, 184)
  store<u64>(p, a24, 192)
}

/** XORs `RATE` bytes at `src` into the state at `dst` and permutes. */
function absorbBlock(dst: usize, src: usize): void {
  for (let i: usize = 0; i < RATE; i += 8) store<u64>(dst + i, load<u64>(dst + i) ^ load<u64>(src + i))
  permute(dst)
}

/** Address of the input buffer the host writes into. */
export function bufferPtr(): usize {
  return BUFFER
}

/** Size of the input buffer in bytes (a multiple of the rate). */
export function bufferBytes(): u32 {
  return BUFFER_BYTES
}

/** Address of the 32-byte digest written by `finish`. */
export function outPtr(): usize {
  return OUT
}

/** Starts a new sponge. */
export function reset(): void {
  memory.fill(STATE, 0, 200)
}

/** Absorbs the first `len` buffer bytes; `len` must be a multiple of 136 and at most the buffer size. */
export function absorb(len: u32): void {
  for (let off: u32 = 0; off + RATE <= len; off += RATE) absorbBlock(STATE, BUFFER + off)
}

/**
 * Absorbs the first `len` buffer bytes (at most the buffer size), pads (Keccak: 0x01 … 0x80),
 * permutes, and writes the 32-byte digest to `outPtr()`.
 */
export function finish(len: u32): void {
  let off: u32 = 0
  for (; off + RATE <= len; off += RATE) absorbBlock(STATE, BUFFER + off)
  const rest = len - off
  for (let i: u32 = 0; i < rest; i++) {
    const q = STATE + i
    store<u8>(q, load<u8>(q) ^ load<u8>(BUFFER + off + i))
  }
  store<u8>(STATE + rest, load<u8>(STATE + rest) ^ 0x01)
  store<u8>(STATE + RATE - 1, load<u8>(STATE + RATE - 1) ^ 0x80)
  permute(STATE)
  memory.copy(OUT, STATE, 32)
}

/**
 * Prepares a nonce search. The sponge state must hold the midstate (every whole block of the
 * prefix absorbed with `reset`/`absorb`), and the buffer the prefix's last `tailLen` bytes
 * (`tailLen` < 136). Returns the permutations per nonce (1 or 2).
 */
export function powPrepare(tailLen: u32): u32 {
  // Final bytes: tail ‖ nonce (8, big-endian) ‖ 0x01 ‖ 0… ‖ 0x80, over one block or two.
  const total = tailLen + 8
  twoBlocks = total >= RATE
  memory.copy(POW_BASE, STATE, 200)
  memory.fill(POW_BLOCK2, 0, RATE)
  for (let i: u32 = 0; i < tailLen; i++) {
    const q = POW_BASE + i
    store<u8>(q, load<u8>(q) ^ load<u8>(BUFFER + i))
  }
  if (twoBlocks) {
    const pad = total - RATE
    store<u8>(POW_BLOCK2 + pad, load<u8>(POW_BLOCK2 + pad) ^ 0x01)
    store<u8>(POW_BLOCK2 + RATE - 1, load<u8>(POW_BLOCK2 + RATE - 1) ^ 0x80)
  } else {
    store<u8>(POW_BASE + total, load<u8>(POW_BASE + total) ^ 0x01)
    store<u8>(POW_BASE + RATE - 1, load<u8>(POW_BASE + RATE - 1) ^ 0x80)
  }
  nonceLane = tailLen >> 3
  nonceShift = (tailLen & 7) << 3
  return twoBlocks ? 2 : 1
}

/** Leading zero bits of the digest in the first four lanes at `p`, read as a big-endian 256-bit number. */
function leadingZeroBits(p: usize): u32 {
  for (let i: usize = 0; i < 4; i++) {
    const w = load<u64>(p + (i << 3))
    if (w != 0) return <u32>(i << 6) + <u32>clz<u64>(bswap<u64>(w))
  }
  return 256
}

/**
 * Tries `count` nonces from `startHi:startLo` upwards (wrapping at 2^64) and returns the best
 * leading-zero-bit count; stops early once it reaches `targetBits` (pass 257 to never stop).
 * The best nonce is then `bestNonceHi():bestNonceLo()` (the first one that reached the best count)
 * and the number of nonces tried `triedCount()`.
 */
export function powSearch(startHi: u32, startLo: u32, count: u32, targetBits: u32): u32 {
  const lane = POW_STATE + (<usize>nonceLane << 3)
  const shift = <u64>nonceShift
  const spill = nonceShift != 0
  const hiLane: usize = nonceLane == 16 ? POW_STATE : lane + 8
  let nonce = (<u64>startHi << 32) | <u64>startLo
  let best: u32 = 0
  let bestNonce = nonce
  let i: u32 = 0
  while (i < count) {
    const w = bswap<u64>(nonce)
    memory.copy(POW_STATE, POW_BASE, 200)
    store<u64>(lane, load<u64>(lane) ^ (w << shift))
    if (twoBlocks) {
      if (spill && nonceLane != 16) store<u64>(hiLane, load<u64>(hiLane) ^ (w >> (64 - shift)))
      permute(POW_STATE)
      for (let j: usize = 0; j < RATE; j += 8) {
        store<u64>(POW_STATE + j, load<u64>(POW_STATE + j) ^ load<u64>(POW_BLOCK2 + j))
      }
      if (spill && nonceLane == 16) store<u64>(POW_STATE, load<u64>(POW_STATE) ^ (w >> (64 - shift)))
      permute(POW_STATE)
    } else {
      if (spill) store<u64>(hiLane, load<u64>(hiLane) ^ (w >> (64 - shift)))
      permute(POW_STATE)
    }
    i++
    const lz = leadingZeroBits(POW_STATE)
    if (lz > best || i == 1) {
      best = lz
      bestNonce = nonce
      if (best >= targetBits) break
    }
    nonce++
  }
  bestHi = <u32>(bestNonce >> 32)
  bestLo = <u32>bestNonce
  tried = i
  return best
}

/** High 32 bits of the best nonce of the last `powSearch`. */
export function bestNonceHi(): u32 {
  return bestHi
}

/** Low 32 bits of the best nonce of the last `powSearch`. */
export function bestNonceLo(): u32 {
  return bestLo
}

/** Nonces tried by the last `powSearch`. */
export function triedCount(): u32 {
  return tried
}
