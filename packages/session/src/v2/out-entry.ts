/**
 * The entries of a session's `.out` log (docs/SESSION.md §12.2), as pure functions: a record
 * posted (`1 ‖ u32 seq ‖ topic(4) ‖ u64 firstPostMs ‖ record`) and a record settled, acked or
 * given up (`2 ‖ u32 seq`). Replaying the log gives the records still waiting for an ack.
 */
import { StateCorruptedError } from '../errors.ts'

/** A sealed record still waiting for its ack, as the log remembers it. */
export interface LoggedRecord {
  readonly topic: Uint8Array
  readonly firstPostMs: number
  readonly record: Uint8Array
}

/** The entry for a record posted for the first time. */
export function sentEntry(seq: number, topic: Uint8Array, firstPostMs: number, record: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + 4 + 4 + 8 + record.length)
  const view = new DataView(out.buffer)
  out[0] = 1
  view.setUint32(1, seq)
  out.set(topic, 5)
  view.setBigUint64(9, BigInt(firstPostMs))
  out.set(record, 17)
  return out
}

/** The entry for a record acked or given up. */
export function settledEntry(seq: number): Uint8Array {
  const out = new Uint8Array(5)
  out[0] = 2
  new DataView(out.buffer).setUint32(1, seq)
  return out
}

/**
 * The records still waiting after `entries`, by `seq`.
 * @throws {StateCorruptedError} when an entry is malformed
 */
export function replayOutLog(entries: readonly Uint8Array[]): Map<number, LoggedRecord> {
  const live = new Map<number, LoggedRecord>()
  for (const entry of entries) {
    const view = new DataView(entry.buffer, entry.byteOffset, entry.byteLength)
    if (entry[0] === 1 && entry.length > 17) {
      const firstPostMs = view.getBigUint64(9)
      if (firstPostMs > BigInt(Number.MAX_SAFE_INTEGER)) throw new StateCorruptedError('out entry time out of range')
      live.set(view.getUint32(1), { topic: entry.slice(5, 9), firstPostMs: Number(firstPostMs), record: entry.slice(17) })
    } else if (entry[0] === 2 && entry.length === 5) {
      live.delete(view.getUint32(1))
    } else {
      throw new StateCorruptedError(`out entry of kind ${entry[0]} and ${entry.length} bytes`)
    }
  }
  return live
}
