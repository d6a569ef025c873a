/**
 * Asking two mail servers for the same range and telling where they disagree, page by page, by
 * the range digest (no anchor has this: a server that drops envelopes is caught).
 */
import type { HistoryClientHost, PeerRef } from './host.ts'
import { type HistoryRequestOptions, requestHistory } from './history-client.ts'
import { decodeKey } from './key.ts'

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
  /** Envelopes each server returned for the page. */
  readonly counts: readonly [number, number]
}

/**
 * Walks the range page by page on the first server, asks the second for each page from the same
 * cursor, and lists the pages whose digests differ (a dropped, added or altered envelope). Both
 * pages are checked against their completions, as in {@link requestHistory}.
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
  const pageSize = options.pageSize ?? 100
  let after: Uint8Array | undefined
  for await (const page of requestHistory(host, { ...options, peer: peers[0] })) {
    let other: { count: number; digest: Uint8Array } = { count: 0, digest: new Uint8Array(0) }
    for await (const p of requestHistory(host, { ...options, peer: peers[1], cursor: after, maxEnvelopes: pageSize })) {
      other = { count: p.envelopes.length, digest: p.digest }
      break
    }
    if (!other.digest.every((b, i) => b === page.digest[i]) || other.digest.length !== page.digest.length) {
      differences.push({
        after,
        fromTime: after === undefined ? options.from : decodeKey(after).time,
        through: page.cursor,
        toTime: page.cursor === undefined ? options.to : decodeKey(page.cursor).time,
        counts: [page.envelopes.length, other.count],
      })
    }
    after = page.cursor
  }
  return differences
}
