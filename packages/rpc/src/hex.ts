/**
 * Scalar codecs between JSON-RPC values and the node's types, with geth's conventions (spec §8):
 * "hex" is `hexutil.Bytes` (mandatory `0x`, even digit count, `"0x"` is empty, output lowercase),
 * numbers are plain JSON numbers, ids are strings. Every decoder throws `InvalidParamsError`
 * with the argument's label and geth's reason, so the dispatcher can answer −32602.
 */
import { InvalidParamsError } from './errors.ts'

const HEX_DIGITS = /^[0-9a-fA-F]*$/
const UINT32_MAX = 0xffff_ffff

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  return typeof value
}

/**
 * Decodes a `0x`-prefixed hex string (geth `hexutil.Bytes`).
 * @param value - the JSON value
 * @param label - names the argument in the error, e.g. `argument 0` or `argument 0: topic`
 * @param length - required byte length, if any
 * @throws {InvalidParamsError} when `value` is not a string, lacks `0x`, has an odd digit count,
 * a non-hex digit, or the wrong length
 * @example
 * ```ts
 * hexToBytes('0x0102', 'argument 0') // Uint8Array [1, 2]
 * ```
 */
export function hexToBytes(value: unknown, label: string, length?: number): Uint8Array {
  if (typeof value !== 'string') throw new InvalidParamsError(`invalid ${label}: expected a hex string, got ${describe(value)}`)
  if (!(value.startsWith('0x') || value.startsWith('0X'))) throw new InvalidParamsError(`invalid ${label}: hex string without 0x prefix`)
  const digits = value.slice(2)
  if (digits.length % 2 !== 0) throw new InvalidParamsError(`invalid ${label}: hex string of odd length`)
  if (!HEX_DIGITS.test(digits)) throw new InvalidParamsError(`invalid ${label}: invalid hex string`)
  const bytes = Uint8Array.from(Buffer.from(digits, 'hex'))
  if (length !== undefined && bytes.length !== length) {
    throw new InvalidParamsError(`invalid ${label}: hex string has length ${digits.length}, want ${length * 2}`)
  }
  return bytes
}

/**
 * Encodes bytes as lowercase hex with `0x` (an empty array gives `"0x"`).
 * @example
 * ```ts
 * bytesToHex(Uint8Array.of(0xab)) // '0xab'
 * ```
 */
export function bytesToHex(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`
}

/**
 * Decodes a key, filter or subscription id: any string (unknown ids are the node's business).
 * @throws {InvalidParamsError} when `value` is not a string
 */
export function parseId(value: unknown, label: string): string {
  if (typeof value !== 'string') throw new InvalidParamsError(`invalid ${label}: expected a string, got ${describe(value)}`)
  return value
}

/**
 * Decodes a JSON number that must be an integer in [0, 2³²−1] (geth `uint32`).
 * @throws {InvalidParamsError} when `value` is not such a number
 */
export function parseUint32(value: unknown, label: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > UINT32_MAX) {
    throw new InvalidParamsError(`invalid ${label}: expected an integer in [0, ${UINT32_MAX}], got ${describe(value)} ${JSON.stringify(value)}`)
  }
  return value
}

/**
 * Decodes a finite JSON number (geth `float64`); range checks are the node's.
 * @throws {InvalidParamsError} when `value` is not a finite number
 */
export function parseFloat64(value: unknown, label: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidParamsError(`invalid ${label}: expected a number, got ${describe(value)} ${JSON.stringify(value)}`)
  }
  return value
}

/**
 * Decodes a JSON boolean.
 * @throws {InvalidParamsError} when `value` is not a boolean
 */
export function parseBool(value: unknown, label: string): boolean {
  if (typeof value !== 'boolean') throw new InvalidParamsError(`invalid ${label}: expected a boolean, got ${describe(value)}`)
  return value
}

/**
 * Decodes a JSON string.
 * @throws {InvalidParamsError} when `value` is not a string
 */
export function parseString(value: unknown, label: string): string {
  if (typeof value !== 'string') throw new InvalidParamsError(`invalid ${label}: expected a string, got ${describe(value)}`)
  return value
}
