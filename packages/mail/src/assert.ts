/** Argument checks: a bad argument is the caller's mistake and throws TypeError/RangeError naming it. */

/** Asserts `value` is a Uint8Array (of `length` bytes when given). */
export function assertBytes(value: unknown, label: string, length?: number): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${label} must be a Uint8Array`)
  if (length !== undefined && value.length !== length) {
    throw new RangeError(`${label} must be ${length} bytes, got ${value.length}`)
  }
}

/** Asserts `value` is an integer in [min, max]. */
export function assertInt(value: unknown, label: string, min = 0, max: number = Number.MAX_SAFE_INTEGER): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new TypeError(`${label} must be an integer`)
  if (value < min || value > max) throw new RangeError(`${label} must be in [${min}, ${max}], got ${value}`)
}

/** Asserts `value` is a uint32 (Whisper's times are uint32 unix seconds). */
export function assertUint32(value: unknown, label: string): asserts value is number {
  assertInt(value, label, 0, 0xffff_ffff)
}
