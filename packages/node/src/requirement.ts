/**
 * A requirement a node announces (its minimum PoW, its bloom) with the value before the last
 * change and when it changed, so the old value can be tolerated briefly (spec §4.5): peers may not
 * have seen the change yet. Used for our own requirements and for what each peer announced.
 */

/** An announced value, the one before it, and when it changed (ms). */
export interface Requirement<T> {
  current: T
  previous: T
  changedMs: number
}

/** A requirement that has held `value` since `nowMs`. */
export function requirement<T>(value: T, nowMs: number): Requirement<T> {
  return { current: value, previous: value, changedMs: nowMs }
}

/** Changes `req` to `value` at `nowMs`, in place, keeping the old value as `previous`. */
export function changeRequirement<T>(req: Requirement<T>, value: T, nowMs: number): void {
  req.previous = req.current
  req.current = value
  req.changedMs = nowMs
}

/**
 * Whether a received value passes a requirement we announced, tolerating the previous value for
 * `toleranceMs` after a change (geth's tolerance: peers may not have seen the change yet).
 */
export function meetsOwnRequirement<T>(req: Requirement<T>, passes: (value: T) => boolean, nowMs: number, toleranceMs: number): boolean {
  if (passes(req.current)) return true
  return nowMs - req.changedMs < toleranceMs && passes(req.previous)
}
