/** Helpers of the negative tables: each malformed input expects a specific error `name` (house style 3.8). */

/** The error `name` that `fn` throws, or 'none'. */
export function thrownName(fn: () => unknown): string {
  try {
    fn()
    return 'none'
  } catch (err) {
    return (err as Error).name
  }
}

/** A copy of `bytes` with `values` written from offset `at`. */
export function patched(bytes: Uint8Array, at: number, ...values: number[]): Uint8Array {
  const out = bytes.slice()
  out.set(values, at)
  return out
}
