/** Tiny argument checks: a bad argument is a programmer's mistake and throws TypeError/RangeError. */

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

/** Overwrites every given buffer with zeros. */
export function wipe(...buffers: (Uint8Array | undefined)[]): void {
  for (const b of buffers) b?.fill(0)
}
