/**
 * Archive keys: the sent time as a big-endian uint32, then the 32-byte envelope hash. Byte order
 * is time order, so both backends read ranges in key order (LevelDB's byte comparator, and
 * PostgreSQL's `(time, hash)` with `bytea` compared bytewise).
 */
import { assertBytes, assertUint32 } from './assert.ts'

/** Bytes of an archive key (and of a cursor). */
export const KEY_BYTES = 36
/** Bytes of an envelope hash. */
export const HASH_BYTES = 32

/** A decoded archive key. */
export interface ArchiveKey {
  /** Sent time, unix seconds. */
  readonly time: number
  /** The envelope hash (a view into the key's bytes). */
  readonly hash: Uint8Array
}

/** Writes the key of (`time`, `hash`) into `out` at `at` (36 bytes). No checks: callers checked. */
export function writeKey(out: Uint8Array, at: number, time: number, hash: Uint8Array): void {
  out[at] = time >>> 24
  out[at + 1] = (time >>> 16) & 0xff
  out[at + 2] = (time >>> 8) & 0xff
  out[at + 3] = time & 0xff
  out.set(hash, at + 4)
}

/**
 * The 36-byte key of an envelope sent at `time` with `hash`.
 * @throws {TypeError | RangeError} when `time` is not a uint32 or `hash` not 32 bytes
 */
export function encodeKey(time: number, hash: Uint8Array): Uint8Array {
  assertUint32(time, 'time')
  assertBytes(hash, 'hash', HASH_BYTES)
  const key = new Uint8Array(KEY_BYTES)
  writeKey(key, 0, time, hash)
  return key
}

/**
 * Decodes a key or a cursor received from anyone.
 * @throws {TypeError} when `key` is not a Uint8Array
 * @throws {RangeError} when it is not 36 bytes
 */
export function decodeKey(key: Uint8Array, label = 'key'): ArchiveKey {
  assertBytes(key, label, KEY_BYTES)
  const time = ((key[0] << 24) | (key[1] << 16) | (key[2] << 8) | key[3]) >>> 0
  return { time, hash: key.subarray(4, KEY_BYTES) }
}

/** Compares two keys bytewise (the archive's order): negative, zero or positive. */
export function compareKeys(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i]
  return a.length - b.length
}

/** Whether `a` and `b` hold the same bytes (keys, hashes, digests). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return compareKeys(a, b) === 0
}
