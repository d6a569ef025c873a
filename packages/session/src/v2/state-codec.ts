/**
 * The byte formats of the session state files (docs/SESSION.md §12.2), as pure functions:
 * snapshots (an invitation's `.inv`, a session's `.core`), encrypted whole under the account's
 * state key, and the `.out` append log of sealed outgoing records, one encrypted entry at a time.
 * Every encryption binds the file's id (and an entry its index), so a file or entry moved to
 * another name or position does not open.
 */
import { concatBytes as concat, utf8ToBytes } from '@noble/hashes/utils.js'
import { assertBytes, assertInt } from '../assert.ts'
import { StateCorruptedError } from '../errors.ts'
import { open, seal } from './aead.ts'
import type { RandomSource } from './random.ts'

/** Bytes of a state file id (16 random bytes, chosen locally, never sent). */
export const STATE_ID_BYTES = 16
const STATE_ID = /^[0-9a-f]{32}$/

/**
 * Asserts `id` is a state file id as the files are named: 32 lowercase hex characters.
 * @throws {TypeError} otherwise (naming `label`)
 */
export function assertStateId(id: unknown, label: string): asserts id is string {
  if (typeof id !== 'string' || !STATE_ID.test(id)) throw new TypeError(`${label} must be 32 lowercase hex characters`)
}

/** What a snapshot holds: 1 an invitation, 2 a session. */
export type SnapshotKind = 1 | 2

const SNAPSHOT_MAGIC = 'HUSHST02'
const OUT_MAGIC = 'HUSHOUT2'
const SNAPSHOT_HEADER_BYTES = 20
const NONCE_BYTES = 12
const TAG_BYTES = 16
/** Bytes of the `.out` file header: magic and id. */
const OUT_HEADER_BYTES: number = 8 + STATE_ID_BYTES

const SNAPSHOT_MAGIC_BYTES = utf8ToBytes(SNAPSHOT_MAGIC)
const OUT_MAGIC_BYTES = utf8ToBytes(OUT_MAGIC)

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false
  return true
}

function checkKeyAndId(stateKey: Uint8Array, id: Uint8Array): void {
  assertBytes(stateKey, 'stateKey', 32)
  assertBytes(id, 'id', STATE_ID_BYTES)
}

/** A decoded snapshot. */
export interface Snapshot {
  readonly kind: SnapshotKind
  /** Increases by one on every write of the file. */
  readonly generation: number
  readonly value: Uint8Array
}

/**
 * `"HUSHST02" ‖ kind(1) ‖ zero(3) ‖ u64 generation ‖ nonce(12) ‖ AES-256-GCM(stateKey, nonce,
 * aad = bytes[0..20) ‖ id, value) ‖ tag(16)`.
 * @throws {TypeError | RangeError} when an argument is malformed (naming it)
 */
export function encodeSnapshot(stateKey: Uint8Array, id: Uint8Array, snapshot: Snapshot, random: RandomSource): Uint8Array {
  checkKeyAndId(stateKey, id)
  if (snapshot.kind !== 1 && snapshot.kind !== 2) throw new RangeError('snapshot.kind must be 1 or 2')
  assertInt(snapshot.generation, 'snapshot.generation')
  assertBytes(snapshot.value, 'snapshot.value')
  const header = new Uint8Array(SNAPSHOT_HEADER_BYTES)
  header.set(SNAPSHOT_MAGIC_BYTES)
  header[8] = snapshot.kind
  new DataView(header.buffer).setBigUint64(12, BigInt(snapshot.generation))
  const nonce = random(NONCE_BYTES)
  const sealed = seal(stateKey, nonce, concat(header, id), snapshot.value)
  return concat(header, nonce, sealed)
}

/**
 * The snapshot in `bytes` (the file named by `id`).
 * @throws {StateCorruptedError} when it is not a snapshot, or does not open under `stateKey` and `id`
 */
export function decodeSnapshot(stateKey: Uint8Array, id: Uint8Array, bytes: Uint8Array): Snapshot {
  checkKeyAndId(stateKey, id)
  assertBytes(bytes, 'bytes')
  if (bytes.length < SNAPSHOT_HEADER_BYTES + NONCE_BYTES + TAG_BYTES || !startsWith(bytes, SNAPSHOT_MAGIC_BYTES)) {
    throw new StateCorruptedError('not a session state snapshot')
  }
  const kind = bytes[8]
  if ((kind !== 1 && kind !== 2) || bytes[9] !== 0 || bytes[10] !== 0 || bytes[11] !== 0) throw new StateCorruptedError('unknown snapshot kind')
  const header = bytes.subarray(0, SNAPSHOT_HEADER_BYTES)
  const generation = Number(new DataView(bytes.buffer, bytes.byteOffset, bytes.length).getBigUint64(12))
  const nonce = bytes.subarray(SNAPSHOT_HEADER_BYTES, SNAPSHOT_HEADER_BYTES + NONCE_BYTES)
  const value = open(stateKey, nonce, concat(header, id), bytes.subarray(SNAPSHOT_HEADER_BYTES + NONCE_BYTES))
  if (value === undefined) throw new StateCorruptedError('snapshot does not open under the state key (wrong key, wrong file name, or altered)')
  return { kind, generation, value }
}

/** The `.out` file header: `"HUSHOUT2" ‖ id`. */
export function encodeOutHeader(id: Uint8Array): Uint8Array {
  assertBytes(id, 'id', STATE_ID_BYTES)
  return concat(OUT_MAGIC_BYTES, id)
}

function entryAad(id: Uint8Array, index: number): Uint8Array {
  const aad = new Uint8Array(STATE_ID_BYTES + 8)
  aad.set(id)
  new DataView(aad.buffer).setBigUint64(STATE_ID_BYTES, BigInt(index))
  return aad
}

/**
 * Entry `index` (0-based) of a `.out` log: `u32 length ‖ nonce(12) ‖ AES-256-GCM(stateKey, nonce,
 * aad = id ‖ u64 index, entry) ‖ tag(16)`, where `length` counts what follows it.
 */
export function encodeOutEntry(stateKey: Uint8Array, id: Uint8Array, index: number, entry: Uint8Array, random: RandomSource): Uint8Array {
  checkKeyAndId(stateKey, id)
  assertInt(index, 'index')
  assertBytes(entry, 'entry')
  const nonce = random(NONCE_BYTES)
  const sealed = seal(stateKey, nonce, entryAad(id, index), entry)
  const out = new Uint8Array(4 + NONCE_BYTES + sealed.length)
  new DataView(out.buffer).setUint32(0, NONCE_BYTES + sealed.length)
  out.set(nonce, 4)
  out.set(sealed, 4 + NONCE_BYTES)
  return out
}

/** A decoded `.out` log. */
export interface OutLog {
  /** The entries, in order. */
  readonly entries: Uint8Array[]
  /**
   * Bytes of the file up to the end of the last readable entry: less than the file's length when
   * its last entry was torn or unreadable (a crash during an append), which is then cut off.
   */
  readonly validLength: number
}

/**
 * The entries of the `.out` log `bytes` (the file named by `id`). A torn or unreadable last entry
 * is left out (see {@link OutLog.validLength}).
 * @throws {StateCorruptedError} when the header is wrong, or an entry before the last does not open
 */
export function decodeOutLog(stateKey: Uint8Array, id: Uint8Array, bytes: Uint8Array): OutLog {
  checkKeyAndId(stateKey, id)
  assertBytes(bytes, 'bytes')
  if (!startsWith(bytes, OUT_MAGIC_BYTES) || bytes.length < OUT_HEADER_BYTES) throw new StateCorruptedError('not a session out log')
  for (let i = 0; i < STATE_ID_BYTES; i++) if (bytes[8 + i] !== id[i]) throw new StateCorruptedError('out log names another session')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length)
  const entries: Uint8Array[] = []
  let pos = OUT_HEADER_BYTES
  while (pos < bytes.length) {
    const length = pos + 4 <= bytes.length ? view.getUint32(pos) : -1
    const end = pos + 4 + length
    // A length that runs past the end (or a cut length field) is a torn append.
    if (length < 0 || end > bytes.length) break
    const entry = length < NONCE_BYTES + TAG_BYTES
      ? undefined
      : open(stateKey, bytes.subarray(pos + 4, pos + 4 + NONCE_BYTES), entryAad(id, entries.length), bytes.subarray(pos + 4 + NONCE_BYTES, end))
    if (entry === undefined) {
      if (end === bytes.length) break // the last entry: a crash during its append
      throw new StateCorruptedError(`out log entry ${entries.length} does not open`)
    }
    entries.push(entry)
    pos = end
  }
  return { entries, validLength: pos }
}
