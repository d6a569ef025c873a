/** Tiny argument checks: a bad argument is a programmer's mistake and throws TypeError/RangeError. */

/** Asserts `value` is a Uint8Array (of `length` bytes when given). */
export function assertBytes(value: unknown, label: string, length?: number): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${label} must be a Uint8Array`)
  if (length !== undefined && value.length !== length) {
    throw new RangeError(`${label} must be ${length} bytes, got ${value.length}`)
  }
}

/** Asserts `value` is an integer in [0, max]. */
export function assertUint(value: unknown, label: string, max: number = Number.MAX_SAFE_INTEGER): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new TypeError(`${label} must be an integer`)
  if (value < 0 || value > max) throw new RangeError(`${label} must be in [0, ${max}], got ${value}`)
}

/** Asserts `value` is a bigint in [0, max]. */
export function assertBigUint(value: unknown, label: string, max: bigint): asserts value is bigint {
  if (typeof value !== 'bigint') throw new TypeError(`${label} must be a bigint`)
  if (value < 0n || value > max) throw new RangeError(`${label} must be in [0, ${max}], got ${value}`)
}
