/**
 * `shhext_*` methods, in the shape status-go used for its mail servers: `shhext_requestMessages`
 * asks a connected mail server for one page of history (the client follows the returned
 * `cursor`), and `shhext_mailStats` reports the node's own mail server. They are served only when
 * the server is given {@link ShhextInit}; the history envelopes themselves reach the node's
 * filters with `allowP2P: true` (and `shh_subscribe`), as in status-go.
 *
 * Like {@link ShhApi}, the history client is injected (`@hush/mail`'s `requestHistory`, bound to
 * the node), so this package still depends on no Hush package.
 */
import { InvalidParamsError, ShhRequestError } from './errors.ts'
import { bytesToHex, hexToBytes, parseFloat64, parseString, parseUint32 } from './hex.ts'
import type { CallContext, MethodHandler } from './methods.ts'
import type { ShhApi } from './shh-api.ts'

/** What `shhext_requestMessages` hands the history client (`@hush/mail`'s `HistoryRequestOptions`). */
export interface HistoryRequestLike {
  readonly peer: string
  readonly symKey: Uint8Array
  readonly from: number
  readonly to: number
  readonly topics?: readonly Uint8Array[]
  readonly bloom?: Uint8Array
  readonly pageSize: number
  readonly cursor: Uint8Array | undefined
  readonly pow: number
  readonly pageTimeoutMs: number
  readonly signal: AbortSignal
}

/** One page from the history client (`@hush/mail`'s `HistoryPageResult`). */
export interface HistoryPageLike {
  readonly requestId: Uint8Array
  readonly envelopes: readonly Uint8Array[]
  readonly digest: Uint8Array
  readonly cursor: Uint8Array | undefined
}

/** A mail server's counters (`@hush/mail`'s `MailServerStats`). */
export interface MailStatsLike {
  /** Envelopes durable in the archive. */
  readonly archived: number
  /** Envelopes waiting to be written. */
  readonly pending: number
  /** Envelopes dropped because the archive fell behind. */
  readonly dropped: number
  /** History requests received. */
  readonly requests: number
  /** Requests refused. */
  readonly refused: number
  /** Requests answered. */
  readonly served: number
  /** Envelopes sent in answers. */
  readonly sent: number
  /** Envelopes removed by retention. */
  readonly pruned: number
}

/** What the `shhext_*` methods need besides {@link ShhApi}. */
export interface ShhextInit {
  /**
   * The history client: `(options) => requestHistory(node.services.shh, options)` with
   * `@hush/mail`'s `requestHistory`. Serves `shhext_requestMessages`, which takes its first page.
   */
  readonly requestHistory: (options: HistoryRequestLike) => AsyncIterable<HistoryPageLike>
  /** The node's own mail server, when it runs one: `shhext_mailStats` reports it. @default none */
  readonly mailServer?: { stats(): MailStatsLike }
}

/** The decoded `shhext_requestMessages` request. */
export interface MessagesRequest {
  /** The mail server's peer id (from a peer id or a multiaddr ending in `/p2p/<id>`). */
  readonly mailServerPeer: string
  readonly symKeyID: string | undefined
  readonly password: string | undefined
  /** Unix seconds, inclusive. */
  readonly from: number
  readonly to: number
  readonly topics: readonly Uint8Array[] | undefined
  readonly bloom: Uint8Array | undefined
  readonly limit: number
  readonly cursor: Uint8Array | undefined
  readonly pow: number
  readonly timeoutSeconds: number
}

/** The `shhext_requestMessages` result: one page. */
export interface MessagesResponse {
  /** The request envelope's hash (the completion's request id). */
  requestId: string
  /** Where the next page starts (hex), or `""` after the last page (status-go's convention). */
  cursor: string
  /** Envelopes received for this page (delivered to the node's filters). */
  envelopes: number
  /** Keccak-256 over the page's envelope hashes, checked against what arrived. */
  digest: string
}

/** Envelopes per page when `limit` is absent (status-go's default page). */
const DEFAULT_MESSAGES_LIMIT = 100
/** Seconds a page may take when `timeout` is absent. */
const DEFAULT_MESSAGES_TIMEOUT_SECONDS = 30
/** Range when `from` is absent: the last 24 hours (status-go's default). */
const DEFAULT_RANGE_SECONDS = 24 * 60 * 60
const DEFAULT_POW = 0.2
/** Most envelopes per page: a mail server's default `maxPageLimit` (`@hush/mail` `MAX_PAGE_LIMIT`). */
const MAX_PAGE_LIMIT = 1000
/** Most topics in one request (`@hush/mail` `MAX_QUERY_TOPICS`). */
const MAX_QUERY_TOPICS = 1000
/** A cursor is an archive key: sent time (4 bytes) ‖ envelope hash (32) (`@hush/mail` `KEY_BYTES`). */
const KEY_BYTES = 36
const KNOWN = new Set(['mailServerPeer', 'symKeyID', 'password', 'from', 'to', 'topics', 'bloom', 'limit', 'cursor', 'pow', 'timeout'])

const present = (obj: Record<string, unknown>, key: string): boolean => obj[key] !== undefined && obj[key] !== null

/** A peer id from a peer id or a multiaddr with a `/p2p/<id>` (or `/ipfs/<id>`) part. */
function peerIdOf(value: string, label: string): string {
  if (!value.startsWith('/')) {
    if (value === '' || /\s/.test(value)) throw new InvalidParamsError(`invalid ${label}: expected a peer id or a multiaddr with /p2p/<peer id>`)
    return value
  }
  const parts = value.split('/')
  const at = Math.max(parts.lastIndexOf('p2p'), parts.lastIndexOf('ipfs'))
  const id = at === -1 ? undefined : parts[at + 1]
  if (id === undefined || id === '') throw new InvalidParamsError(`invalid ${label}: the multiaddr has no /p2p/<peer id>`)
  return id
}

/**
 * Decodes the `shhext_requestMessages` object. Unknown keys are refused (a typo such as `topic`
 * would otherwise silently ask for every topic).
 * @throws {InvalidParamsError} naming the field
 */
function parseMessagesRequest(value: unknown, label: string, now: number = Math.floor(Date.now() / 1000)): MessagesRequest {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidParamsError(`invalid ${label}: expected an object`)
  const obj = value as Record<string, unknown>
  const at = (key: string): string => `${label}: ${key}`
  for (const key of Object.keys(obj)) if (!KNOWN.has(key)) throw new InvalidParamsError(`invalid ${label}: unknown field ${JSON.stringify(key)}`)
  if (!present(obj, 'mailServerPeer')) throw new InvalidParamsError(`invalid ${at('mailServerPeer')}: required`)
  const mailServerPeer = peerIdOf(parseString(obj.mailServerPeer, at('mailServerPeer')), at('mailServerPeer'))
  const symKeyID = present(obj, 'symKeyID') ? parseString(obj.symKeyID, at('symKeyID')) : undefined
  const password = present(obj, 'password') ? parseString(obj.password, at('password')) : undefined
  if ((symKeyID === undefined || symKeyID === '') === (password === undefined)) {
    throw new InvalidParamsError(`invalid ${label}: give exactly one of symKeyID and password`)
  }
  const to = present(obj, 'to') ? parseUint32(obj.to, at('to')) : now
  const from = present(obj, 'from') ? parseUint32(obj.from, at('from')) : Math.max(0, to - DEFAULT_RANGE_SECONDS)
  if (to < from) throw new InvalidParamsError(`invalid ${at('to')}: must be ≥ from (${from}), got ${to}`)
  let topics: Uint8Array[] | undefined
  if (present(obj, 'topics')) {
    const list = obj.topics
    if (!Array.isArray(list)) throw new InvalidParamsError(`invalid ${at('topics')}: expected an array`)
    if (list.length > MAX_QUERY_TOPICS) throw new InvalidParamsError(`invalid ${at('topics')}: at most ${MAX_QUERY_TOPICS} topics, got ${list.length}`)
    topics = list.map((t, i) => hexToBytes(t, `${at('topics')}[${i}]`, 4))
    if (topics.length === 0) topics = undefined
  }
  const bloom = present(obj, 'bloom') ? hexToBytes(obj.bloom, at('bloom'), 64) : undefined
  if (topics !== undefined && bloom !== undefined) throw new InvalidParamsError(`invalid ${label}: give topics or bloom, not both`)
  const limit = present(obj, 'limit') ? parseUint32(obj.limit, at('limit')) : DEFAULT_MESSAGES_LIMIT
  if (limit < 1 || limit > MAX_PAGE_LIMIT) throw new InvalidParamsError(`invalid ${at('limit')}: must be in [1, ${MAX_PAGE_LIMIT}], got ${limit}`)
  // status-go sends "" for "no cursor"; hexToBytes refuses "" (no 0x), so it is handled here.
  const cursor = present(obj, 'cursor') && obj.cursor !== '' && obj.cursor !== '0x' ? hexToBytes(obj.cursor, at('cursor'), KEY_BYTES) : undefined
  const pow = present(obj, 'pow') ? parseFloat64(obj.pow, at('pow')) : DEFAULT_POW
  if (pow < 0) throw new InvalidParamsError(`invalid ${at('pow')}: must be ≥ 0, got ${pow}`)
  const timeoutSeconds = present(obj, 'timeout') ? parseUint32(obj.timeout, at('timeout')) : DEFAULT_MESSAGES_TIMEOUT_SECONDS
  if (timeoutSeconds < 1) throw new InvalidParamsError(`invalid ${at('timeout')}: must be ≥ 1 second`)
  return { mailServerPeer, symKeyID: symKeyID === '' ? undefined : symKeyID, password, from, to, topics, bloom, limit, cursor, pow, timeoutSeconds }
}

/** The mail key: a stored symmetric key, or one derived from the password for this call only. */
async function mailKey(shh: ShhApi, request: MessagesRequest, signal: AbortSignal): Promise<Uint8Array> {
  if (request.symKeyID !== undefined) {
    if (!shh.hasSymKey(request.symKeyID)) throw new ShhRequestError(`symmetric key ${request.symKeyID} not found`)
    return shh.getSymKey(request.symKeyID)
  }
  const id = await shh.generateSymKeyFromPasswordAsync(request.password as string, { signal })
  try {
    return shh.getSymKey(id)
  } finally {
    shh.deleteSymKey(id)
  }
}

/** Asks for one page and waits for its completion. */
async function requestMessages(shh: ShhApi, ext: ShhextInit, request: MessagesRequest, ctx: CallContext): Promise<MessagesResponse> {
  const symKey = await mailKey(shh, request, ctx.signal)
  const pages = ext.requestHistory({
    peer: request.mailServerPeer,
    symKey,
    from: request.from,
    to: request.to,
    ...(request.topics !== undefined && { topics: request.topics }),
    ...(request.bloom !== undefined && { bloom: request.bloom }),
    pageSize: request.limit,
    cursor: request.cursor,
    pow: request.pow,
    pageTimeoutMs: request.timeoutSeconds * 1000,
    signal: ctx.signal,
  })
  // The first page only: leaving the loop ends the iterator (and its listeners).
  for await (const page of pages) {
    return {
      requestId: bytesToHex(page.requestId),
      cursor: page.cursor === undefined ? '' : bytesToHex(page.cursor),
      envelopes: page.envelopes.length,
      digest: bytesToHex(page.digest),
    }
  }
  throw new ShhRequestError('the mail server sent no page')
}

/** The `shhext_*` method table over `ext`. */
export function shhextMethods(ext: ShhextInit): Record<string, MethodHandler> {
  return {
    shhext_requestMessages: (shh, params, ctx) => {
      if (params.length !== 1) throw new InvalidParamsError(params.length === 0 ? 'missing value for required argument 0' : 'too many arguments, want at most 1')
      return requestMessages(shh, ext, parseMessagesRequest(params[0], 'argument 0'), ctx)
    },
    shhext_mailStats: (_shh, params) => {
      if (params.length > 0) throw new InvalidParamsError('too many arguments, want at most 0')
      if (ext.mailServer === undefined) throw new ShhRequestError('this node runs no mail server')
      return { ...ext.mailServer.stats() }
    },
  }
}
