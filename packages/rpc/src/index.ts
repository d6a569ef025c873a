/**
 * @packageDocumentation
 * geth v1.9's `shh_*` JSON-RPC for a Hush node, over HTTP and WebSocket, so web3.js 1.x
 * (`web3-shh`), geth's `shhclient` and plain `curl` can drive it. Method names, parameter and
 * result shapes, hex conventions and error codes follow geth (spec §8). WebSocket adds
 * `shh_subscribe` / `shh_unsubscribe` with `shh_subscription` notifications. The server binds
 * 127.0.0.1 by default, can require a bearer token, refuses browser origins it was not told
 * about (and answers the allowed ones with CORS headers), bounds every request's size and every
 * batch (1000 calls, as geth), bounds sealing by the post's `powTime` (as geth), and aborts a
 * post when its client disconnects. It serves any {@link ShhApi} (no dependency on the node);
 * given {@link ShhextInit} it also serves status-go's mail methods `shhext_requestMessages` and
 * `shhext_mailStats` (with `@hush/mail`'s history client, injected).
 *
 * @example
 * ```ts
 * import { createHushNode } from '@hush/node'
 * import { createRpcServer } from '@hush/rpc'
 *
 * const node = await createHushNode()
 * const rpc = await createRpcServer({ shh: node.services.shh, port: 8545 })
 * // web3-shh: new Shh(rpc.url) or new Shh(rpc.wsUrl)
 * await rpc.close()
 * await node.stop()
 * ```
 */
export { createRpcServer } from './server.ts'
export type { RpcServer, RpcServerInit } from './server.ts'
export { createDispatcher } from './dispatcher.ts'
export type { Dispatcher, DispatcherInit } from './dispatcher.ts'
export type { CallContext } from './methods.ts'
export type { RpcNodeInfo } from './node-info.ts'
export type { PowEstimate, PowQuery } from './pow-estimate.ts'
export type { ShhApi, ShhCallOptions, ShhCriteria, ShhInfo, ShhMessage, ShhPostParams } from './shh-api.ts'
export type { MessengerApi, MessengerCallOptionsLike } from './messenger-methods.ts'
export type { HistoryPageLike, HistoryRequestLike, MailStatsLike, MessagesRequest, MessagesResponse, ShhextInit } from './shhext.ts'
export { SubscriptionSet } from './subscriptions.ts'
export type { NotificationFormat, SendText, SubscriptionScope } from './subscriptions.ts'
export type { RpcInfo, RpcMessage } from './shapes.ts'
export { formatInfo, formatMessage, parseCriteria, parseNewMessage } from './shapes.ts'
export { bytesToHex, hexToBytes } from './hex.ts'
export * from './constants.ts'
export { InvalidParamsError, MethodNotFoundError, ShhRequestError } from './errors.ts'
export { RequestCancelledError } from './in-flight.ts'
