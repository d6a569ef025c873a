/**
 * The `shh_*` method table (geth v1.9 `api.go`, spec §8.1): each handler decodes its positional
 * params, calls the node, and encodes the result. Checks geth makes in the API layer itself
 * (exactly one key, topics for symmetric messages) answer with geth's text.
 */
import type { ShhCriteria } from './shh-api.ts'
import { SHH_VERSION } from './constants.ts'
import { InvalidParamsError, ShhRequestError } from './errors.ts'
import { bytesToHex, hexToBytes, parseFloat64, parseId, parseString, parseUint32 } from './hex.ts'
import { formatInfo, formatMessage, parseCriteria, parseNewMessage } from './shapes.ts'
import type { ShhApi } from './shh-api.ts'
import type { InFlightCalls } from './in-flight.ts'
import { parsePowQuery } from './pow-estimate.ts'
import type { SubscriptionScope } from './subscriptions.ts'

/** What a handler may use besides the node. */
export interface CallContext {
  /** Aborted when the server closes or the connection ends. */
  readonly signal: AbortSignal
  /** The connection's subscriptions; `undefined` over HTTP (no notifications). */
  readonly subscriptions: SubscriptionScope | undefined
  /** The connection's running calls, for `hush_cancelRequest`; `undefined` over HTTP (a request there is cancelled by closing it). */
  readonly calls?: InFlightCalls | undefined
}

/** A method handler: positional params in, JSON result out. */
export type MethodHandler = (shh: ShhApi, params: readonly unknown[], ctx: CallContext) => unknown

const NO_KEY = 'specify either a symmetric or an asymmetric key'
const NO_TOPICS = 'missing topic(s)'
/** geth's `Seal` error when the time ran out before the target was reached. */
const powTimeInsufficient = (seconds: number): string => `failed to reach the PoW target, specified pow time (${seconds} seconds) was insufficient`

/** geth's arity check: too many or missing required arguments are −32602. */
function arity(params: readonly unknown[], count: number): void {
  if (params.length > count) throw new InvalidParamsError(`too many arguments, want at most ${count}`)
  for (let i = 0; i < count; i++) {
    if (params[i] === undefined || params[i] === null) throw new InvalidParamsError(`missing value for required argument ${i}`)
  }
}

const none =
  (fn: (shh: ShhApi) => unknown): MethodHandler =>
  (shh, params) => {
    arity(params, 0)
    return fn(shh)
  }

const one =
  <T>(decode: (value: unknown, label: string) => T, fn: (shh: ShhApi, value: T, ctx: CallContext) => unknown): MethodHandler =>
  (shh, params, ctx) => {
    arity(params, 1)
    return fn(shh, decode(params[0], 'argument 0'), ctx)
  }

function checkCriteriaKeys(criteria: ShhCriteria): void {
  if ((criteria.symKeyID === undefined) === (criteria.privateKeyID === undefined)) throw new ShhRequestError(NO_KEY)
}

const isZero = (bytes: Uint8Array): boolean => bytes.every((b) => b === 0)

const anyHex = (value: unknown, label: string): Uint8Array => hexToBytes(value, label)

/** Every served method by name. */
export const METHODS: Readonly<Record<string, MethodHandler>> = {
  shh_version: none(() => SHH_VERSION),
  shh_info: none((shh) => formatInfo(shh.info())),
  // geth's net_peerCount (a hex quantity), and the peers' ids: what `hush status` and `hush peers` show.
  net_peerCount: none((shh) => `0x${shh.getPeers().length.toString(16)}`),
  hush_peers: none((shh) => shh.getPeers().map((peer) => peer.toString())),
  // Stops a call still running on this WebSocket connection (a post still sealing sends nothing);
  // its own response then says how it ended. `hush post` uses it for Ctrl-C.
  hush_cancelRequest: (_shh, params, ctx) => {
    arity(params, 1)
    const id = params[0]
    if (typeof id !== 'string' && !(typeof id === 'number' && Number.isFinite(id))) throw new InvalidParamsError('invalid argument 0: a request id must be a string or a number')
    if (ctx.calls === undefined) throw new ShhRequestError('hush_cancelRequest works over WebSocket only: an HTTP request is cancelled by closing its connection')
    return ctx.calls.cancel(id)
  },
  shh_setMaxMessageSize: one(parseUint32, (shh, size) => (shh.setMaxMessageSize(size), true)),
  shh_setMinPoW: one(parseFloat64, (shh, pow) => (shh.setMinPoW(pow), true)),
  shh_setBloomFilter: one(anyHex, (shh, bloom) => (shh.setBloomFilter(bloom), true)),
  shh_markTrustedPeer: one(parseString, (shh, peer) => (shh.markTrustedPeer(peer), true)),

  shh_newKeyPair: none((shh) => shh.newKeyPair()),
  shh_addPrivateKey: one(anyHex, (shh, key) => shh.addPrivateKey(key)),
  shh_deleteKeyPair: one(parseId, (shh, id) => {
    if (!shh.deleteKeyPair(id)) throw new ShhRequestError(`key pair ${id} not found`)
    return true
  }),
  shh_hasKeyPair: one(parseId, (shh, id) => shh.hasKeyPair(id)),
  shh_getPublicKey: one(parseId, (shh, id) => bytesToHex(shh.getPublicKey(id))),
  shh_getPrivateKey: one(parseId, (shh, id) => bytesToHex(shh.getPrivateKey(id))),
  shh_newSymKey: none((shh) => shh.newSymKey()),
  shh_addSymKey: one(anyHex, (shh, key) => shh.addSymKey(key)),
  // PBKDF2 (65356 rounds) runs off the event loop; a client that leaves stops it being stored.
  shh_generateSymKeyFromPassword: one(parseString, (shh, password, ctx) => shh.generateSymKeyFromPasswordAsync(password, { signal: ctx.signal })),
  shh_hasSymKey: one(parseId, (shh, id) => shh.hasSymKey(id)),
  shh_getSymKey: one(parseId, (shh, id) => bytesToHex(shh.getSymKey(id))),
  shh_deleteSymKey: one(parseId, (shh, id) => shh.deleteSymKey(id)),

  shh_post: one(parseNewMessage, async (shh, message, ctx) => {
    if ((message.symKeyID === undefined) === (message.pubKey === undefined)) throw new ShhRequestError(NO_KEY)
    if (message.symKeyID !== undefined && (message.topic === undefined || isZero(message.topic))) throw new ShhRequestError(NO_TOPICS)
    // geth seals for at most powTime seconds, and a target with no time always fails (spec §3.3).
    // The node would seal without a bound, so the target and the time are always passed on.
    const powTarget = message.powTarget ?? shh.info().minPow
    const powTime = message.powTime ?? 0
    if (powTarget > 0 && powTime === 0) throw new ShhRequestError(powTimeInsufficient(0))
    const bounded = { ...message, powTarget, ...(powTarget > 0 && { powTime }) }
    try {
      return bytesToHex(await shh.post(bounded, { signal: ctx.signal }))
    } catch (error) {
      if (error instanceof Error && error.name === 'PowTargetNotReachedError') throw new ShhRequestError(powTimeInsufficient(powTime), { cause: error })
      throw error
    }
  }),

  shh_newMessageFilter: one(parseCriteria, (shh, criteria) => {
    checkCriteriaKeys(criteria)
    return shh.newMessageFilter(criteria)
  }),
  shh_getFilterMessages: one(parseId, (shh, id) => shh.getFilterMessages(id).map(formatMessage)),
  // What the pool holds now for these criteria (an app's catch-up, e.g. after a restart).
  hush_pooledMessages: one(parseCriteria, (shh, criteria) => {
    checkCriteriaKeys(criteria)
    return shh.pooledMessages(criteria).map(formatMessage)
  }),
  // How long this node expects to seal an envelope: for a browser app's progress bar.
  hush_powEstimate: one(parsePowQuery, (shh, query) => shh.sealEstimate(query)),
  shh_deleteMessageFilter: one(parseId, (shh, id) => shh.deleteMessageFilter(id)),

  shh_subscribe: (shh, params, ctx) => {
    if (ctx.subscriptions === undefined) throw new ShhRequestError('notifications not supported')
    arity(params, 2)
    const kind = parseString(params[0], 'argument 0')
    if (kind !== 'messages') throw new ShhRequestError(`no "${kind}" subscription in shh namespace`)
    const criteria = parseCriteria(params[1], 'argument 1')
    checkCriteriaKeys(criteria)
    // geth: a symmetric subscription must name its topics.
    if (criteria.symKeyID !== undefined && (criteria.topics === undefined || criteria.topics.length === 0)) throw new ShhRequestError(NO_TOPICS)
    const signal = ctx.signal
    return ctx.subscriptions.add((own) => shh.subscribe(criteria, { signal: AbortSignal.any([own, signal]) }))
  },
  shh_unsubscribe: (_shh, params, ctx) => {
    if (ctx.subscriptions === undefined) throw new ShhRequestError('notifications not supported')
    arity(params, 1)
    if (!ctx.subscriptions.remove(parseId(params[0], 'argument 0'))) throw new ShhRequestError('subscription not found')
    return true
  },
}
