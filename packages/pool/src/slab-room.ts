/**
 * The layout of an entry in a slab (see `slab-store.ts`): its *room* is a 4-byte little-endian
 * prefix and its bytes, rounded up to a size class (steps of 8 bytes, or 1/64 of the size above
 * 512 bytes: at most 1.6% padding). The prefix holds the entry's slot (≥ 0) while it lives, or
 * `-room` once it is freed, so a slab can be walked from the start.
 */

/** Bytes of the slot prefix before each entry. */
export const SLAB_PREFIX_BYTES = 4
/** Smallest size-class step, and the alignment of every room. */
const ROOM_MIN_STEP = 8
/** Size classes are 1/2^ROOM_CLASS_BITS of the size apart (1/64) above 512 bytes. */
const ROOM_CLASS_BITS = 6

/**
 * The room an entry of `length` bytes takes: its prefix and bytes rounded up to a size class,
 * a multiple of 8 bytes, or of 1/64 of the size (a power of two) above 512 bytes. Entries of
 * nearly equal length share a class, so one can take the other's hole.
 */
export function roomFor(length: number): number {
  const bytes = SLAB_PREFIX_BYTES + length
  const step = Math.max(ROOM_MIN_STEP, 1 << Math.max(0, 31 - Math.clz32(bytes) - ROOM_CLASS_BITS))
  return Math.ceil(bytes / step) * step
}

/** Writes a room's prefix: `value` as a little-endian int32 at `at`. */
export function writeInt32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value
  bytes[at + 1] = value >>> 8
  bytes[at + 2] = value >>> 16
  bytes[at + 3] = value >>> 24
}

/** Reads a room's prefix: the little-endian int32 at `at`. */
export function readInt32(bytes: Uint8Array, at: number): number {
  return bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)
}
