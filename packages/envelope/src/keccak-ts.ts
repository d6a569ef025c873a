/**
 * Keccak-256 in plain TypeScript on {@link keccakF1600}: the fallback of `keccak256` where
 * WebAssembly is unavailable (about 2–3× `@noble/hashes`, which walks the state through arrays).
 */
import { keccakF1600 } from './keccak-f1600.ts'

const RATE = 136

function xorBlock(s: Uint32Array, b: Uint8Array, off: number): void {
  for (let w = 0; w < RATE / 4; w++) {
    const i = off + 4 * w
    s[w] ^= b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)
  }
}

/** Keccak-256 (padding 0x01) of `data`, in pure TypeScript. */
export function keccak256Ts(data: Uint8Array): Uint8Array {
  const s = new Uint32Array(50)
  const whole = data.length - (data.length % RATE)
  for (let off = 0; off < whole; off += RATE) {
    xorBlock(s, data, off)
    keccakF1600(s)
  }
  const last = new Uint8Array(RATE)
  last.set(data.subarray(whole))
  last[data.length - whole] ^= 0x01
  last[RATE - 1] ^= 0x80
  xorBlock(s, last, 0)
  keccakF1600(s)
  const out = new Uint8Array(32)
  for (let i = 0; i < 32; i++) out[i] = s[i >> 2] >>> (8 * (i & 3))
  return out
}
