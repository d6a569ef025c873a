/** Tiny argument checks: a bad argument is a programmer's mistake and throws TypeError / RangeError. */

/** Asserts `value` is a finite number ≥ `min` (or > `min` when `exclusive`). */
export function assertNumber(value: unknown, label: string, min = 0, exclusive = false): asserts value is number {
  if (typeof value !== 'number' || Number.isNaN(value)) throw new TypeError(`${label} must be a number`)
  if (!Number.isFinite(value) || value < min || (exclusive && value === min)) {
    throw new RangeError(`${label} must be a finite number ${exclusive ? '>' : '>='} ${min}, got ${value}`)
  }
}

/** Asserts `value` is an integer in [min, max]. */
export function assertInt(value: unknown, label: string, min: number, max: number = Number.MAX_SAFE_INTEGER): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new TypeError(`${label} must be an integer`)
  if (value < min || value > max) throw new RangeError(`${label} must be in [${min}, ${max}], got ${value}`)
}

/** Asserts `value` is a Uint8Array. */
export function assertBytes(value: unknown, label: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${label} must be a Uint8Array`)
}
