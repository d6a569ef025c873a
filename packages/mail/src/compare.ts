/**
 * Asking two mail servers for the same range and telling where they disagree, page by page, by
 * the range digest (no anchor has this: a server that drops envelopes is caught).
 */
import { decodeEnvelope } from '@hush/envelope'
import type { HistoryClientHost, PeerRef } from './host.ts'
import { type HistoryRequestOptions, requestHistory } from './history-client.ts'
import { compareKeys, decodeKey, encodeKey, equalBytes } from './key.ts'
import { rangeDigest } from './digest.ts'

/** A page range on which two servers disagree. */
export interface HistoryDifference {
  /** The page starts after this key (`undefined`: at the range's start). */
  readonly after: Uint8Array | undefined
  /** Sent time of the page's start (the range's `from`, or the time in `after`). */
  readonly fromTime: number
  /** The first server's cursor at the end of the page (`undefined`: the range's end). */
  readonly through: Uint8Array | undefined
  /** Sent time of the page's end (the range's `to`, or the time in `through`). */
  readonly toTime: number
  /** Envelopes each server holds in that key span. */
  readonly counts: readonly [number, number]
}

/**
 * Walks the range page by page on the first server and, for each page's key span (after the
 * previous cursor, up to this page's cursor), collects what the second server holds in exactly
 * that span (following its own cursors: its pages may end elsewhere, as the servers' scan budgets
 * meet other traffic). Lists the spans whose digests differ: a dropped, added or altered envelope.
 * Every page is checked against its completion, as in {@link requestHistory}.
 * @example
 * ```ts
 * const differences = await compareHistory(node.services.shh, [serverA, serverB], { symKey, from, to, topics: [chat] })
 * for (const d of differences) console.log(`servers disagree on ${d.fromTime}–${d.toTime}`)
 * ```
 */
export async function compareHistory(
  host: HistoryClientHost,
  peers: readonly [PeerRef, PeerRef],
  options: Omit<HistoryRequestOptions, 'peer' | 'cursor' | 'maxEnvelopes'>
): Promise<HistoryDifference[]> {
  if (!Array.isArray(peers) || peers.length !== 2) throw new TypeError('peers must be two peer ids')
  const differences: HistoryDifference[] = []
  let after: Uint8Array | undefined
  for await (const page of requestHistory(host, { ...options, peer: peers[0] })) {
    const through = page.cursor
    const other = await spanOf(host, peers[1], options, after, through)
    if (!equalBytes(rangeDigest(other), page.digest)) {
      differences.push({
        after,
        fromTime: after === undefined ? options.from : decodeKey(after).time,
        through,
        toTime: through === undefined ? options.to : decodeKey(through).time,
        counts: [page.envelopes.length, other.length],
      })
    }
    after = through
  }
  return differences
}

/** The hashes, in key order, of what `peer` holds after `after` up to `through` (the range's end when undefined). */
async function spanOf(
  host: HistoryClientHost,
  peer: PeerRef,
  options: Omit<HistoryRequestOptions, 'peer' | 'cursor' | 'maxEnvelopes'>,
  after: Uint8Array | undefined,
  through: Uint8Array | undefined
): Promise<Uint8Array[]> {
  const hashes: Uint8Array[] = []
  for await (const page of requestHistory(host, { ...options, peer, cursor: after })) {
    for (let i = 0; i < page.envelopes.length; i++) {
      const envelope = decodeEnvelope(page.envelopes[i])
      const key = encodeKey(Math.max(0, envelope.expiry - envelope.ttl), page.hashes[i])
      if (through !== undefined && compareKeys(key, through) > 0) return hashes
      hashes.push(page.hashes[i])
    }
    if (through !== undefined && page.cursor !== undefined && compareKeys(page.cursor, through) >= 0) return hashes
  }
  return hashes
}
