/**
 * A `requestHistory` for `@hush/session`'s transport (and any app that wants "everything on these
 * topics since then"): asks each trusted mail server in turn for the whole range, page by page.
 */
import type { Topic } from '@hush/envelope'
import { assertBytes } from './assert.ts'
import type { HistoryClientHost, PeerRef } from './host.ts'
import { requestHistory } from './history-client.ts'
import { MAX_QUERY_TOPICS } from './query.ts'

/** Settings of {@link historyFetcher}. */
export interface HistoryFetcherInit {
  /** The mail servers to ask (connected peers), each for the whole range. */
  readonly peers: readonly PeerRef[]
  /** Their symmetric key (`symKeyFromPassword`). */
  readonly symKey: Uint8Array
  /** Envelopes per page. @default 100 */
  readonly pageSize?: number
  /** PoW of each request. @default 0.2 */
  readonly pow?: number
  /** Longest wait for one page. @default 30000 */
  readonly pageTimeoutMs?: number
}

/** What a session transport's `requestHistory` is called with. */
export interface FetchRange {
  readonly topics: readonly Topic[]
  readonly from: number
  readonly to: number
}

/**
 * A function that fetches `range` from every server in `init.peers` (so one that dropped
 * something is covered by another) and resolves with the number of envelopes received; the node
 * delivers each to filters and subscriptions once. A server that fails (times out, mismatches)
 * is skipped; if every one fails, the call rejects with an `AggregateError` of their errors.
 * @throws {TypeError | RangeError} when a setting is malformed
 * @example
 * ```ts
 * const shh = node.services.shh
 * const transport = {
 *   postEnvelope: shh.postEnvelope.bind(shh),
 *   subscribeEnvelopes: shh.subscribeEnvelopes.bind(shh),
 *   requestHistory: historyFetcher(shh, { peers: [mailServerId], symKey }),
 * }
 * const peer = createSessionPeer({ privateKey }, { transport }) // sessions can now `catchUp()`
 * ```
 */
export function historyFetcher(host: HistoryClientHost, init: HistoryFetcherInit): (range: FetchRange, options?: { signal?: AbortSignal }) => Promise<number> {
  if (typeof init !== 'object' || init === null) throw new TypeError('init must be an object')
  if (!Array.isArray(init.peers) || init.peers.length === 0) throw new TypeError('init.peers must be a non-empty array of peer ids')
  assertBytes(init.symKey, 'init.symKey', 32)
  const symKey = new Uint8Array(init.symKey)
  const peers = [...init.peers]
  return async (range, options = {}) => {
    const errors: unknown[] = []
    let received = 0
    for (const peer of peers) {
      try {
        for (let i = 0; i < range.topics.length; i += MAX_QUERY_TOPICS) {
          const pages = requestHistory(host, {
            peer,
            symKey,
            from: range.from,
            to: range.to,
            topics: range.topics.slice(i, i + MAX_QUERY_TOPICS),
            ...(init.pageSize === undefined ? {} : { pageSize: init.pageSize }),
            ...(init.pow === undefined ? {} : { pow: init.pow }),
            ...(init.pageTimeoutMs === undefined ? {} : { pageTimeoutMs: init.pageTimeoutMs }),
            ...(options.signal === undefined ? {} : { signal: options.signal }),
          })
          for await (const page of pages) received += page.envelopes.length
        }
      } catch (err) {
        options.signal?.throwIfAborted()
        errors.push(err)
      }
    }
    if (errors.length === peers.length) throw new AggregateError(errors, `no mail server answered: ${errors.map(String).join('; ')}`)
    return received
  }
}
