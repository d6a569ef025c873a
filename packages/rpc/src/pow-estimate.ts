/**
 * `hush_powEstimate`'s params: the size, TTL and PoW target of an envelope the node would seal.
 * The node answers from its own measured nonce rate (`ShhApi.sealEstimate`), so a browser app can
 * draw a progress bar and a time estimate, as `hush post` does from its machine's rate.
 */
import { InvalidParamsError } from './errors.ts'

/** What `hush_powEstimate` is asked. */
export interface PowQuery {
  /** Size of the sealed envelope in bytes (its RLP). */
  sizeBytes: number
  /** Its TTL in seconds. */
  ttl: number
  /** The PoW target. */
  powTarget: number
}

/** What `hush_powEstimate` answers. */
export interface PowEstimate {
  /** The expected (mean) sealing time, in milliseconds; one seal may take much more or less. */
  expectedMs: number
  /** The median sealing time, in milliseconds. */
  medianMs: number
  /** Nonces per second on one core, as measured on this node. */
  hashRate: number
  /** Cores the node seals on. */
  workers: number
}

const field = (obj: Record<string, unknown>, key: string, label: string, min: number, integer: boolean): number => {
  const value = obj[key]
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new InvalidParamsError(`invalid argument 0: ${label}.${key} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}`)
  }
  return value
}

/**
 * Decodes `{ sizeBytes, ttl, powTarget }`.
 * @throws {InvalidParamsError} for anything else
 */
export function parsePowQuery(value: unknown, label: string): PowQuery {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidParamsError(`invalid argument 0: ${label} must be an object`)
  const obj = value as Record<string, unknown>
  return { sizeBytes: field(obj, 'sizeBytes', label, 1, true), ttl: field(obj, 'ttl', label, 1, true), powTarget: field(obj, 'powTarget', label, 0, false) }
}
