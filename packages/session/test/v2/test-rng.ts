/**
 * The deterministic random source of the session v2 vectors (docs/SESSION.md §17): the stream of
 * blocks `SHA-256("hush/session/v2/test-rng" ‖ u64(counter))`, counter 0, 1, 2, …; each call takes
 * the next `length` bytes of the stream. Tests and vector generation only.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { utf8ToBytes } from '@noble/hashes/utils.js'
import type { RandomSource } from '../../src/v2/random.ts'

/**
 * A fresh deterministic source, at counter 0: the stream of `SHA-256(label ‖ u64(counter))`
 * blocks (other tests pass their own label to get a stream of their own).
 */
export function testRandom(label = 'hush/session/v2/test-rng'): RandomSource {
  const LABEL = utf8ToBytes(label)
  let counter = 0n
  let block = new Uint8Array(0)
  let used = 0
  return (length) => {
    const out = new Uint8Array(length)
    for (let o = 0; o < length; ) {
      if (used === block.length) {
        const input = new Uint8Array(LABEL.length + 8)
        input.set(LABEL)
        new DataView(input.buffer).setBigUint64(LABEL.length, counter++)
        block = sha256(input)
        used = 0
      }
      const n = Math.min(length - o, block.length - used)
      out.set(block.subarray(used, used + n), o)
      o += n
      used += n
    }
    return out
  }
}
