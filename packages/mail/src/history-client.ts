/**
 * The client side of history requests: asks a mail server for a time range page by page (the
 * extended form), and checks each page against its completion.
 *
 * The envelopes themselves reach the app the usual way: the node delivers code-127 envelopes from
 * trusted peers to its filters and subscriptions, once per hash. This iterator reports each page:
 * what arrived for it, the server's cursor and digest, and whether they agree.
 */
import { randomBytes } from 'node:crypto'
import { type Bloom, encodeEnvelope, generatePrivateKey, keccak256, type Topic, wrapMessage } from '@hush/envelope'
import { sealEnvelope } from '@hush/pow'
import { MAX_PAGE_LIMIT } from './archive.ts'
import { assertBytes, assertInt, assertUint32 } from './assert.ts'
import { rangeDigest } from './digest.ts'
import { HistoryMismatchError, HistoryTimeoutError } from './errors.ts'
import type { HistoryClientHost, P2PCompleteLike, P2PMessageLike, PeerRef } from './host.ts'
import { compareKeys, encodeKey, equalBytes, KEY_BYTES } from './key.ts'
import { decodeCompletion, encodeHistoryRequest } from './protocol.ts'
import { MAX_QUERY_TOPICS } from './query.ts'

/** Options of {@link requestHistory}. Give `topics` or `bloom` (or neither: every topic). */
export interface HistoryRequestOptions {
  /** The mail server (a connected, ready peer); it is marked trusted. */
  readonly peer: PeerRef
  /** The server's 32-byte symmetric key (from its password: `symKeyFromPassword`). */
  readonly symKey: Uint8Array
  /** Earliest sent time, unix seconds. */
  readonly from: number
  /** Latest sent time, unix seconds. */
  readonly to: number
  readonly topics?: readonly Topic[]
  readonly bloom?: Bloom
  /**
   * Envelopes per page (at most the server's page limit, 1000 by default).
   * @default 100
   */
  readonly pageSize?: number
  /** Start after this key (a page's `cursor`) instead of at `from`. @default the start of the range */
  readonly cursor?: Uint8Array | undefined
  /** Stop after this many envelopes. @default no limit */
  readonly maxEnvelopes?: number
  /**
   * PoW of each request envelope: at least the server's minimum.
   * @default 0.2
   */
  readonly pow?: number
  /**
   * Longest wait for one page to complete.
   * @default 30000
   */
  readonly pageTimeoutMs?: number
  readonly signal?: AbortSignal
}

/** One page of history, as received. */
export interface HistoryPageResult {
  /** The hash of the request envelope (the completion's request id). */
  readonly requestId: Uint8Array
  /** The envelopes received for this page, canonical RLP, in the order sent (key order). */
  readonly envelopes: readonly Uint8Array[]
  /** Their hashes. */
  readonly hashes: readonly Uint8Array[]
  /** The server's digest of the page (equal to `rangeDigest(hashes)`: checked). */
  readonly digest: Uint8Array
  /** Where the next page starts, or `undefined` after the last page. */
  readonly cursor: Uint8Array | undefined
}

/**
 * Requests history from a mail server, page by page, following its cursor to the end of the range
 * (or `maxEnvelopes`). Each page is checked: the envelopes received must be as many as the server
 * says it sent and hash to its digest.
 * @throws {TypeError | RangeError} when an option is malformed (naming it), at the first iteration
 * @throws {HistoryTimeoutError} when a page does not complete within `pageTimeoutMs`
 * @throws {HistoryMismatchError} when a page's envelopes do not match its completion
 * @example
 * ```ts
 * const symKey = symKeyFromPassword('mail password')
 * for await (const page of requestHistory(node.services.shh, { peer, symKey, from, to, topics: [chat] })) {
 *   console.log(`${page.envelopes.length} envelopes`) // filters and subscriptions got them too
 * }
 * ```
 */
export async function* requestHistory(host: HistoryClientHost, options: HistoryRequestOptions): AsyncGenerator<HistoryPageResult, void, undefined> {
  const o = checkOptions(options)
  host.markTrustedPeer(o.peer)
  let cursor = o.cursor
  let received = 0
  const end = encodeKey(o.to, ONES)
  for (;;) {
    o.signal?.throwIfAborted()
    const limit = o.maxEnvelopes === undefined ? o.pageSize : Math.max(1, Math.min(o.pageSize, o.maxEnvelopes - received))
    const page = await exclusive(host, o.peer.toString(), () => requestPage(host, o, limit, cursor))
    // A server must make progress: each cursor after the last, and within the range.
    if (page.cursor !== undefined && ((cursor !== undefined && compareKeys(page.cursor, cursor) <= 0) || compareKeys(page.cursor, end) > 0)) {
      throw new HistoryMismatchError('the server answered with a cursor that does not move forward within the range')
    }
    received += page.envelopes.length
    yield page
    cursor = page.cursor
    if (cursor === undefined || (o.maxEnvelopes !== undefined && received >= o.maxEnvelopes)) return
  }
}

interface Checked {
  readonly peer: PeerRef
  readonly symKey: Uint8Array
  readonly from: number
  readonly to: number
  readonly filter: Bloom | readonly Topic[] | undefined
  readonly pageSize: number
  readonly maxEnvelopes: number | undefined
  readonly cursor: Uint8Array | undefined
  readonly pow: number
  readonly pageTimeoutMs: number
  readonly signal: AbortSignal | undefined
}

function checkOptions(options: HistoryRequestOptions): Checked {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object')
  if (options.peer === undefined || options.peer === null) throw new TypeError('options.peer must be a peer id')
  assertBytes(options.symKey, 'options.symKey', 32)
  assertUint32(options.from, 'options.from')
  assertUint32(options.to, 'options.to')
  if (options.to < options.from) throw new RangeError('options.to must be ≥ options.from')
  if (options.topics !== undefined && options.bloom !== undefined) throw new TypeError('options must not have both topics and bloom')
  const pageSize = options.pageSize ?? 100
  assertInt(pageSize, 'options.pageSize', 1, MAX_PAGE_LIMIT)
  if (options.maxEnvelopes !== undefined) assertInt(options.maxEnvelopes, 'options.maxEnvelopes', 1)
  if (options.cursor !== undefined) assertBytes(options.cursor, 'options.cursor', KEY_BYTES)
  const pow = options.pow ?? 0.2
  if (typeof pow !== 'number' || !(pow >= 0) || !Number.isFinite(pow)) throw new RangeError('options.pow must be a finite number ≥ 0')
  const pageTimeoutMs = options.pageTimeoutMs ?? 30_000
  assertInt(pageTimeoutMs, 'options.pageTimeoutMs', 1)
  if (options.topics !== undefined) {
    if (!Array.isArray(options.topics)) throw new TypeError('options.topics must be an array')
    if (options.topics.length === 0 || options.topics.length > MAX_QUERY_TOPICS) {
      throw new RangeError(`options.topics must hold 1 to ${MAX_QUERY_TOPICS} topics, got ${options.topics.length}`)
    }
    options.topics.forEach((t, i) => assertBytes(t, `options.topics[${i}]`, 4))
  }
  if (options.bloom !== undefined) assertBytes(options.bloom, 'options.bloom', 64)
  const filter = options.topics ?? options.bloom
  return { peer: options.peer, symKey: new Uint8Array(options.symKey), from: options.from, to: options.to, filter, pageSize, maxEnvelopes: options.maxEnvelopes, cursor: options.cursor === undefined ? undefined : new Uint8Array(options.cursor), pow, pageTimeoutMs, signal: options.signal }
}

const FULL: Bloom = new Uint8Array(64).fill(0xff)
const ONES = new Uint8Array(32).fill(0xff)

/**
 * One request at a time per (node, server): a page is told apart from another only by arriving
 * between its request and its completion, so two at once would mix (several sessions catching
 * up together share a server). The server is free again when the previous page's listeners are
 * gone: at its completion, or one more timeout after a page that timed out (so its late envelopes
 * are not taken for the next page's).
 */
const busy = new WeakMap<object, Map<string, Promise<void>>>()

function exclusive(host: object, peer: string, start: () => PageRequest): Promise<HistoryPageResult> {
  let peers = busy.get(host)
  if (peers === undefined) {
    peers = new Map()
    busy.set(host, peers)
  }
  const started = (peers.get(peer) ?? Promise.resolve()).then(start)
  const free = started.then(
    (request) => request.free,
    () => {}
  )
  peers.set(peer, free)
  void free.then(() => {
    if (peers.get(peer) === free) peers.delete(peer)
  })
  return started.then((request) => request.page)
}

/** A request on its way: its page, and when the server is free for the next one. */
interface PageRequest {
  readonly page: Promise<HistoryPageResult>
  readonly free: Promise<void>
}

/** Sends one request and collects its page until the completion arrives. */
function requestPage(host: HistoryClientHost, o: Checked, limit: number, cursor: Uint8Array | undefined): PageRequest {
  const payload = encodeHistoryRequest({ format: 'extended', from: o.from, to: o.to, filter: o.filter ?? FULL, limit, cursor })
  // A fresh signing key and a random topic per request: requests are not linkable by either.
  const wrapped = wrapMessage({ symKey: o.symKey, topic: new Uint8Array(randomBytes(4)), payload, signingKey: generatePrivateKey(), ttl: 50 })
  const sealed = sealEnvelope(wrapped, { targetPow: o.pow, maxIterations: 1 << 24 }).envelope
  const raw = encodeEnvelope(sealed)
  const requestId = keccak256(raw)
  const peer = o.peer.toString()
  const envelopes: Uint8Array[] = []
  const hashes: Uint8Array[] = []
  const { promise: page, resolve, reject } = Promise.withResolvers<HistoryPageResult>()
  const completed = Promise.withResolvers<void>()
  const onMessage = (event: CustomEvent<P2PMessageLike>): void => {
    if (event.detail.from.toString() !== peer) return
    if (envelopes.length === limit) {
      reject(new HistoryMismatchError(`the server sent more than the ${limit} envelopes asked for`))
      return
    }
    envelopes.push(event.detail.raw)
    hashes.push(event.detail.hash)
  }
  const onComplete = (event: CustomEvent<P2PCompleteLike>): void => {
    if (event.detail.from.toString() !== peer) return
    let completion: ReturnType<typeof decodeCompletion>
    try {
      completion = decodeCompletion(event.detail.body)
    } catch {
      return // not ours to judge: the node counts malformed frames; ours may still come
    }
    if (!equalBytes(completion.requestId, requestId)) return
    completed.resolve()
    const digest = rangeDigest(hashes)
    if (completion.count !== envelopes.length || !equalBytes(completion.digest, digest)) {
      reject(new HistoryMismatchError(`the server says ${completion.count} envelopes, ${envelopes.length} arrived${equalBytes(completion.digest, digest) ? '' : ', and the digests differ'}`))
      return
    }
    resolve({ requestId, envelopes, hashes, digest, cursor: completion.cursor })
  }
  const onAbort = (): void => reject(o.signal?.reason)
  const timer = setTimeout(() => reject(new HistoryTimeoutError(`no completion from ${peer} within ${o.pageTimeoutMs} ms`)), o.pageTimeoutMs)
  host.addEventListener('p2p:message', onMessage)
  host.addEventListener('p2p:complete', onComplete)
  o.signal?.addEventListener('abort', onAbort, { once: true })
  try {
    host.sendP2PRequest(o.peer, raw)
  } catch (err) {
    reject(err)
    completed.resolve() // nothing was sent: nothing will come
  }
  const settled = page.then(
    () => {},
    () => {}
  )
  const free = settled.then(() => {
    clearTimeout(timer)
    o.signal?.removeEventListener('abort', onAbort)
    // This request's frames are absorbed until its completion, or one more timeout.
    return Promise.race([completed.promise, new Promise<void>((r) => setTimeout(r, o.pageTimeoutMs).unref())])
  }).then(() => {
    host.removeEventListener('p2p:message', onMessage)
    host.removeEventListener('p2p:complete', onComplete)
  })
  return { page, free }
}
