/**
 * Writing and reading the binary state values of session v2 (docs/SESSION.md §12.2): big-endian
 * `u8`/`u16`/`u32`/`u64`, fixed-length fields, and presence bytes (`opt(x)` = `0x00`, or `0x01`
 * then x).
 *
 * The writer runs the caller's write function twice, once to measure and once to fill a single
 * array, so an encoding that holds secrets leaves no partial copies behind. The reader copies only
 * what the decoded value keeps, remembers each secret it copied, and wipes them all when the bytes
 * turn out to be malformed: a failed decode returns nothing and keeps nothing.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { assertBytes, assertInt, wipe } from '../assert.ts'
import { StateCorruptedError } from '../errors.ts'
import { STATE_ID_BYTES, assertStateId } from './state-codec.ts'

const MAX_U8 = 0xff
const MAX_U16 = 0xffff
const MAX_U32 = 0xffff_ffff
const TWO_32 = 2 ** 32

/** The sink a value's write function writes to. Each method checks its value, naming `label`. */
export interface ValueWriter {
  /** An integer in `[0, 255]` as 1 byte. */
  u8(value: number, label: string): void
  /** An integer in `[0, 2^16 − 1]` as 2 bytes. */
  u16(value: number, label: string): void
  /** An integer in `[0, 2^32 − 1]` as 4 bytes. */
  u32(value: number, label: string): void
  /** An integer in `[0, 2^53 − 1]` as 8 bytes. */
  u64(value: number, label: string): void
  /** A boolean as `0x00` / `0x01`. */
  flag(value: boolean, label: string): void
  /** Exactly `length` bytes. */
  bytes(value: Uint8Array, length: number, label: string): void
  /** The presence byte of `opt(x)`; returns `present` so the caller writes x under it. */
  present(present: boolean): boolean
}

class Writer implements ValueWriter {
  offset = 0
  private readonly out: Uint8Array | undefined
  private readonly view: DataView | undefined

  constructor(out: Uint8Array | undefined) {
    this.out = out
    this.view = out === undefined ? undefined : new DataView(out.buffer, out.byteOffset, out.length)
  }

  u8(value: number, label: string): void {
    assertInt(value, label, 0, MAX_U8)
    this.view?.setUint8(this.offset, value)
    this.offset += 1
  }

  u16(value: number, label: string): void {
    assertInt(value, label, 0, MAX_U16)
    this.view?.setUint16(this.offset, value)
    this.offset += 2
  }

  u32(value: number, label: string): void {
    assertInt(value, label, 0, MAX_U32)
    this.view?.setUint32(this.offset, value)
    this.offset += 4
  }

  u64(value: number, label: string): void {
    assertInt(value, label)
    this.view?.setUint32(this.offset, Math.floor(value / TWO_32))
    this.view?.setUint32(this.offset + 4, value >>> 0)
    this.offset += 8
  }

  flag(value: boolean, label: string): void {
    if (typeof value !== 'boolean') throw new TypeError(`${label} must be a boolean`)
    this.view?.setUint8(this.offset, value ? 1 : 0)
    this.offset += 1
  }

  bytes(value: Uint8Array, length: number, label: string): void {
    assertBytes(value, label, length)
    this.out?.set(value, this.offset)
    this.offset += length
  }

  present(present: boolean): boolean {
    this.view?.setUint8(this.offset, present ? 1 : 0)
    this.offset += 1
    return present
  }
}

/**
 * Encodes a value: `write` runs once to measure and once to fill the one array returned.
 * @throws {TypeError | RangeError} what `write` or a writer method throws for a malformed field
 */
export function encodeValue(write: (w: ValueWriter) => void): Uint8Array {
  const measure = new Writer(undefined)
  write(measure)
  const out = new Uint8Array(measure.offset)
  const fill = new Writer(out)
  try {
    write(fill)
    if (fill.offset !== out.length) throw new RangeError('the value changed while it was being encoded')
  } catch (err) {
    out.fill(0)
    throw err
  }
  return out
}

/** A {@link StateCorruptedError} for a value that `what` makes unreadable. */
export function corrupted(what: string): StateCorruptedError {
  return new StateCorruptedError(`state value corrupted: ${what}`)
}

/** Reads one value front to back; every failure is a {@link StateCorruptedError}. */
export class ValueReader {
  private offset = 0
  private readonly view: DataView
  private readonly secrets: Uint8Array[] = []
  private readonly input: Uint8Array

  /** @param input the value's bytes: read, never changed or kept */
  constructor(input: Uint8Array) {
    this.input = input
    this.view = new DataView(input.buffer, input.byteOffset, input.length)
  }

  private take(length: number, what: string): number {
    const at = this.offset
    if (at + length > this.input.length) throw corrupted(`${what} is cut short`)
    this.offset += length
    return at
  }

  /** The next byte; `what` names the field in the error. */
  u8(what: string): number {
    return this.view.getUint8(this.take(1, what))
  }

  /** The next 2 bytes as a big-endian integer. */
  u16(what: string): number {
    return this.view.getUint16(this.take(2, what))
  }

  /** The next 4 bytes as a big-endian integer. */
  u32(what: string): number {
    return this.view.getUint32(this.take(4, what))
  }

  /** A u64 that must fit a safe integer. */
  u64(what: string): number {
    const at = this.take(8, what)
    const high = this.view.getUint32(at)
    if (high > 0x1f_ffff) throw corrupted(`${what} exceeds 2^53 − 1`)
    return high * TWO_32 + this.view.getUint32(at + 4)
  }

  /** A byte that must be 0 or 1. */
  flag(what: string): boolean {
    const b = this.u8(what)
    if (b > 1) throw corrupted(`${what} is ${b}, not 0 or 1`)
    return b === 1
  }

  /** An enum byte: 1 is `values[0]`, 2 is `values[1]`, and so on. */
  choice<T>(what: string, values: readonly T[]): T {
    const b = this.u8(what)
    if (b < 1 || b > values.length) throw corrupted(`${what} is ${b}, not in 1..${values.length}`)
    return values[b - 1]
  }

  /** A copy of the next `length` bytes (public data). */
  copy(length: number, what: string): Uint8Array {
    const at = this.take(length, what)
    return this.input.slice(at, at + length)
  }

  /** A copy of the next `length` bytes, wiped if the decode fails. */
  secret(length: number, what: string): Uint8Array {
    return this.track(this.copy(length, what))
  }

  /** Adds arrays (derived secrets) to those wiped if the decode fails; returns the first. */
  track<T extends Uint8Array>(first: T, ...more: Uint8Array[]): T {
    this.secrets.push(first, ...more)
    return first
  }

  /** Throws unless every byte was read. */
  end(): void {
    const left = this.input.length - this.offset
    if (left !== 0) throw corrupted(`${left} trailing bytes`)
  }

  /** Wipes every secret copied or tracked so far. */
  wipeSecrets(): void {
    wipe(...this.secrets)
    this.secrets.length = 0
  }
}

/**
 * Decodes a value with `read`, requiring every byte to be read. On any failure the secrets the
 * reader copied are wiped before the error leaves.
 * @throws {StateCorruptedError} when the bytes are not one well-formed value
 */
export function decodeValue<T>(bytes: Uint8Array, read: (r: ValueReader) => T): T {
  const reader = new ValueReader(bytes)
  try {
    const value = read(reader)
    reader.end()
    return value
  } catch (err) {
    reader.wipeSecrets()
    throw err
  }
}

/**
 * The code of `value` in `values`, from 1, as {@link ValueReader.choice} reads it back.
 * @throws {RangeError} when `value` is not one of `values` (naming `label`)
 */
export function codeOf<T>(values: readonly T[], value: T, label: string): number {
  const i = values.indexOf(value)
  if (i < 0) throw new RangeError(`${label} must be one of ${values.join(', ')}, got ${String(value)}`)
  return i + 1
}

/**
 * Writes a state file id (32 lowercase hex characters) as its 16 bytes.
 * @throws {TypeError} when `id` is not 32 lowercase hex characters (naming `label`)
 */
export function writeStateId(w: ValueWriter, id: string, label: string): void {
  assertStateId(id, label)
  w.bytes(hexToBytes(id), STATE_ID_BYTES, label)
}

/** Reads a state file id written by {@link writeStateId}. */
export function readStateId(r: ValueReader, what: string): string {
  return bytesToHex(r.copy(STATE_ID_BYTES, what))
}
