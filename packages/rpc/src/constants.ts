/** Defaults and fixed values of the shh JSON-RPC server (geth v1.9 conventions, spec §8). */

/** Interface the server binds by default: loopback only. */
export const DEFAULT_RPC_HOST = '127.0.0.1'

/** Port the server listens on by default (geth's HTTP-RPC port). */
export const DEFAULT_RPC_PORT = 8545

/** Largest request body (HTTP) or message (WebSocket) accepted: 1 MiB. */
export const DEFAULT_MAX_REQUEST_BYTES: number = 1024 * 1024

/** Bytes a WebSocket client may leave unread before the server drops it (slow consumer). */
export const MAX_WS_BUFFERED_BYTES: number = 16 * 1024 * 1024

/** Subscriptions one WebSocket connection may hold; each is a filter in the node. */
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 256

/** Requests one WebSocket connection may have running at once (posts can seal for seconds); more close it (1008). */
export const MAX_PENDING_REQUESTS_PER_CONNECTION = 64

/**
 * Most calls in one batch (geth's default `BatchRequestLimit`); a larger batch is answered with a
 * single −32600 "batch too large" error, as geth does.
 */
export const MAX_BATCH_ITEMS = 1000

/** What `shh_version` returns (geth `ProtocolVersionStr`). */
export const SHH_VERSION = '6.0'

/** JSON-RPC 2.0 error codes, as geth uses them. */
export const RPC_ERROR_CODES = {
  /** The body is not JSON. */
  parseError: -32700,
  /** Not a JSON-RPC 2.0 request object, or an empty batch. */
  invalidRequest: -32600,
  /** No such method. */
  methodNotFound: -32601,
  /** Params that do not decode. */
  invalidParams: -32602,
  /** geth's default for any Go error a method returns. */
  serverError: -32000,
} as const
