/**
 * The pool's entries as handed out: snapshots of a slot's record, made when the pool hands an
 * entry out. Nothing in them points into the table or the slabs (see `entry.ts`).
 */
import { EntryRecord, EntryView, type RawCopier } from './entry.ts'
import { ARRIVAL, BYTES, EXPIRY, HID, POW, RATING, RECORD, SEQ, type EntryTable } from './entry-table.ts'

/**
 * The record (numbers and key, no bytes) of the entry in `slot` of `t`, whose hash ids index
 * `words` (the seen cache index's words): for an entry about to leave.
 */
export function entryRecord(t: EntryTable, words: Int32Array, slot: number): EntryRecord {
  const num = t.num
  const r = slot * RECORD
  return new EntryRecord(words, 8 * num[r + HID], num[r + POW], num[r + RATING], num[r + ARRIVAL], num[r + EXPIRY], num[r + BYTES], t.peers[slot]?.name)
}

/**
 * A snapshot of the pooled entry in `slot` of `t` (hash words as in {@link entryRecord}), reading
 * its bytes later through `copier`, only from that entry.
 */
export function entryView(t: EntryTable, words: Int32Array, slot: number, copier: RawCopier): EntryView {
  const num = t.num
  const r = slot * RECORD
  return new EntryView(
    words, 8 * num[r + HID], num[r + SEQ], copier,
    num[r + POW], num[r + RATING], num[r + ARRIVAL], num[r + EXPIRY], num[r + BYTES], t.peers[slot]?.name
  )
}
