/**
 * The shh JSON-RPC server: `node:http` for POST requests and a `ws` WebSocketServer on the same
 * port for `shh_subscribe` notifications. Binds loopback by default, checks an optional bearer
 * token and the browser `Origin` (with CORS headers and preflight answers for allowed origins),
 * bounds every request's size, and aborts a request's work when its client disconnects.
 */
import { setMaxListeners } from 'node:events'
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { resolve } from 'node:path'
import type { Duplex } from 'node:stream'
import { type RawData, WebSocket, WebSocketServer } from 'ws'
import {
  DEFAULT_MAX_REQUEST_BYTES,
  DEFAULT_RPC_HOST,
  DEFAULT_RPC_PORT,
  MAX_PENDING_REQUESTS_PER_CONNECTION,
  MAX_WS_BUFFERED_BYTES,
} from './constants.ts'
import { type Dispatcher, checkMaxBatchItems, createDispatcher } from './dispatcher.ts'
import { isAuthorized, isOriginAllowed } from './http-guard.ts'
import { InFlightCalls } from './in-flight.ts'
import { ownOrigins, serveStatic } from './static-files.ts'
import type { ShhApi } from './shh-api.ts'
import type { RpcNodeInfo } from './node-info.ts'
import type { MessengerApi } from './messenger-methods.ts'
import type { ShhextInit } from './shhext.ts'
import { SubscriptionSet } from './subscriptions.ts'

/** Construction options of `createRpcServer`. */
export interface RpcServerInit {
  /** The node to serve: `node.services.shh`, or anything with the same methods. */
  shh: ShhApi
  /** Interface to bind. Anything other than loopback exposes your keys: set `token` then. @default '127.0.0.1' */
  host?: string
  /** TCP port; 0 picks a free one. @default 8545 */
  port?: number
  /** When set, every request (and WebSocket upgrade) needs `Authorization: Bearer <token>`. @default undefined */
  token?: string
  /** Largest HTTP body or WebSocket message, in bytes. @default 1048576 (1 MiB) */
  maxRequestBytes?: number
  /** Serve WebSocket (and so `shh_subscribe`) on the same port. @default true */
  ws?: boolean
  /** Most calls in one JSON-RPC batch; more get one −32600 "batch too large" error (geth). @default 1000 */
  maxBatchItems?: number
  /**
   * Browser origins allowed to call (`'*'` for any), e.g. `['https://app.example']`. Their
   * requests get CORS headers (the origin echoed, `Vary: Origin`) and their preflights 204;
   * requests carrying another `Origin` get 403, WebSocket upgrades too. @default []
   */
  allowedOrigins?: readonly string[]
  /**
   * Serve `shhext_requestMessages` (history from a mail server, through `requestHistory`) and
   * `shhext_mailStats` (this node's `mailServer`, when it runs one). @default not served
   */
  shhext?: ShhextInit
  /** Serve `hush_nodeInfo`: the node's peer id and listen addresses, e.g. `() => ({ id: node.peerId.toString(), addresses: node.getMultiaddrs().map(String) })`. @default not served */
  nodeInfo?: () => RpcNodeInfo
  /** Serve the `hush_*` messenger methods and `hush_subscribe('messenger')` (`@hush/messenger`'s `Messenger`). @default not served */
  messenger?: MessengerApi
  /**
   * Serve a built web app from this directory on GET and HEAD (`index.html` for `/` and for paths
   * that name no file), so the page, its calls and its WebSocket share one origin, which is then
   * allowed. Its files are served without the token (a browser cannot send one when it loads a
   * page). @default no app: GET is 405
   */
  ui?: { root: string }
}

/** A running server. */
export interface RpcServer {
  /** `http://host:port` */
  readonly url: string
  /** `ws://host:port`, or `undefined` when WebSocket is off. */
  readonly wsUrl: string | undefined
  /** The bound address. */
  readonly address: AddressInfo
  /** Stops listening, drops every connection and subscription, and aborts running posts. Idempotent. */
  close(): Promise<void>
}

interface Settings {
  readonly token: string | undefined
  readonly maxRequestBytes: number
  /** Grows once, after listening, by the served app's own origins. */
  readonly allowedOrigins: string[]
  /** The app directory served on GET, absolute. */
  readonly uiRoot: string | undefined
}

function checkInit(init: RpcServerInit): void {
  if (typeof init !== 'object' || init === null) throw new TypeError('init must be an object')
  if (typeof init.shh !== 'object' || init.shh === null) throw new TypeError('init.shh must be an object')
  if (init.host !== undefined && (typeof init.host !== 'string' || init.host === '')) throw new TypeError('init.host must be a non-empty string')
  if (init.port !== undefined && !(Number.isInteger(init.port) && init.port >= 0 && init.port <= 65535)) {
    throw new RangeError('init.port must be an integer in [0, 65535]')
  }
  if (init.token !== undefined && (typeof init.token !== 'string' || init.token === '')) throw new TypeError('init.token must be a non-empty string')
  if (init.maxRequestBytes !== undefined && !(Number.isInteger(init.maxRequestBytes) && init.maxRequestBytes > 0)) {
    throw new RangeError('init.maxRequestBytes must be a positive integer')
  }
  checkMaxBatchItems(init.maxBatchItems, 'init.maxBatchItems')
  if (init.ws !== undefined && typeof init.ws !== 'boolean') throw new TypeError('init.ws must be a boolean')
  if (init.allowedOrigins !== undefined && !(Array.isArray(init.allowedOrigins) && init.allowedOrigins.every((o) => typeof o === 'string'))) {
    throw new TypeError('init.allowedOrigins must be an array of strings')
  }
  if (init.ui !== undefined && (typeof init.ui !== 'object' || init.ui === null || typeof init.ui.root !== 'string' || init.ui.root === '')) {
    throw new TypeError('init.ui must be an object with a non-empty root directory')
  }
}

function reply(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers })
  res.end(body)
}

/** Reads a body up to `limit` bytes; `undefined` when it is larger (the rest is read and discarded). */
function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let total = 0
    req.on('data', (chunk: Buffer) => {
      total += chunk.length
      if (total > limit) {
        chunks.length = 0
        resolve(undefined)
      } else {
        chunks.push(chunk)
      }
    })
    req.on('end', () => resolve(total > limit ? undefined : Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function rawToText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8')
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  return Buffer.from(data).toString('utf8')
}

/** Headers of a CORS preflight answer: POST with a JSON body and, when a token is set, a bearer token. */
const PREFLIGHT_HEADERS = {
  'access-control-allow-methods': 'POST',
  'access-control-allow-headers': 'content-type, authorization',
  // Browsers cache the answer (Chrome caps it at 2 hours); 10 minutes keeps config changes visible.
  'access-control-max-age': '600',
}

async function onRequest(req: IncomingMessage, res: ServerResponse, dispatcher: Dispatcher, settings: Settings, signal: AbortSignal): Promise<void> {
  const origin = req.headers.origin
  // Answers differ by Origin: caches must not give one page's answer to another.
  res.setHeader('vary', 'Origin')
  if (!isOriginAllowed(origin, settings.allowedOrigins)) return reply(res, 403, 'origin not allowed\n')
  // An allowed page may read every answer, errors included (the echo works with credentials, '*' would not).
  if (origin !== undefined) res.setHeader('access-control-allow-origin', origin)
  if (req.method === 'OPTIONS') {
    // A CORS preflight carries no Authorization header, so it is answered before the token check.
    const privateNetwork = origin !== undefined && req.headers['access-control-request-private-network'] === 'true'
    res.writeHead(204, { allow: 'POST, OPTIONS', ...(origin !== undefined && PREFLIGHT_HEADERS), ...(privateNetwork && { 'access-control-allow-private-network': 'true' }) })
    return void res.end()
  }
  // The app's files: public, and loaded by a browser that cannot send a token.
  if (settings.uiRoot !== undefined && (req.method === 'GET' || req.method === 'HEAD')) return serveStatic(req, res, settings.uiRoot)
  if (!isAuthorized(req.headers.authorization, settings.token)) return reply(res, 401, 'unauthorized\n', { 'www-authenticate': 'Bearer' })
  if (req.method !== 'POST') return reply(res, 405, 'method not allowed\n', { allow: settings.uiRoot === undefined ? 'POST, OPTIONS' : 'GET, HEAD, POST, OPTIONS' })
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > settings.maxRequestBytes) return reply(res, 413, 'request too large\n', { connection: 'close' })
  const type = req.headers['content-type'] ?? ''
  if (!/^application\/json\s*(;|$)/i.test(type)) return reply(res, 415, 'content-type must be application/json\n')
  const body = await readBody(req, settings.maxRequestBytes)
  if (body === undefined) return reply(res, 413, 'request too large\n', { connection: 'close' })
  const out = await dispatcher.handle(body, { signal: AbortSignal.any([signal, clientGone(res)]), subscriptions: undefined })
  res.writeHead(200, { 'content-type': 'application/json' })
  res.end(out ?? '')
}

/** The reason a call is aborted with when its client went away. */
function disconnected(): DOMException {
  return new DOMException('the client disconnected', 'AbortError')
}

/**
 * Aborts when the connection closes before the response was sent: the client gave up (Ctrl-C on
 * `hush post`, a fetch aborted), so a post still sealing must stop and send nothing.
 */
function clientGone(res: ServerResponse): AbortSignal {
  const gone = new AbortController()
  res.once('close', () => {
    if (!res.writableFinished) gone.abort(disconnected())
  })
  return gone.signal
}

function refuseUpgrade(socket: Duplex, status: string, extra = ''): void {
  socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n${extra}\r\n`)
}

function onConnection(client: WebSocket, dispatcher: Dispatcher, serverSignal: AbortSignal): void {
  const send = (text: string): void => {
    if (client.readyState !== WebSocket.OPEN) return
    // A client that stops reading is dropped rather than buffered without bound.
    if (client.bufferedAmount > MAX_WS_BUFFERED_BYTES) return client.terminate()
    client.send(text)
  }
  const subscriptions = new SubscriptionSet(send)
  const calls = new InFlightCalls()
  const connection = new AbortController()
  const signal = AbortSignal.any([serverSignal, connection.signal])
  // Every request in flight on the connection listens to it.
  setMaxListeners(Infinity, signal)
  let pending = 0
  client.on('message', (data) => {
    // Requests run concurrently; a client that piles them up is cut off rather than queued.
    if (pending >= MAX_PENDING_REQUESTS_PER_CONNECTION) return client.close(1008, 'too many requests in flight')
    pending++
    const scope = subscriptions.scope()
    dispatcher
      .handle(rawToText(data), { signal, subscriptions: scope, calls })
      .then((out) => {
        if (out !== undefined) send(out)
        scope.start()
      })
      .catch(() => client.terminate())
      .finally(() => pending--)
  })
  // `ws` reports an oversized message as an error, then closes with 1009: nothing else to do.
  client.on('error', () => undefined)
  client.on('close', () => {
    connection.abort(disconnected())
    subscriptions.close()
  })
}

function formatUrl(scheme: string, address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return `${scheme}://${host}:${address.port}`
}

/**
 * Starts a shh JSON-RPC server (geth v1.9 method names and shapes) over HTTP and WebSocket.
 * @throws {TypeError | RangeError} for invalid init fields; the listen error when the port is taken
 * @example
 * ```ts
 * const node = await createHushNode()
 * const rpc = await createRpcServer({ shh: node.services.shh, port: 0 })
 * // POST {"jsonrpc":"2.0","id":1,"method":"shh_version"} to rpc.url → {"jsonrpc":"2.0","id":1,"result":"6.0"}
 * await rpc.close()
 * ```
 */
export async function createRpcServer(init: RpcServerInit): Promise<RpcServer> {
  checkInit(init)
  const settings: Settings = {
    token: init.token,
    maxRequestBytes: init.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES,
    allowedOrigins: [...(init.allowedOrigins ?? [])],
    uiRoot: init.ui === undefined ? undefined : resolve(init.ui.root),
  }
  const dispatcher = createDispatcher(init.shh, {
    ...(init.maxBatchItems !== undefined && { maxBatchItems: init.maxBatchItems }),
    ...(init.shhext !== undefined && { shhext: init.shhext }),
    ...(init.nodeInfo !== undefined && { nodeInfo: init.nodeInfo }),
    ...(init.messenger !== undefined && { messenger: init.messenger }),
  })
  const lifetime = new AbortController()
  // Every request and connection in flight listens to it.
  setMaxListeners(Infinity, lifetime.signal)
  const server: Server = createServer((req, res) => {
    onRequest(req, res, dispatcher, settings, lifetime.signal).catch(() => {
      if (!res.headersSent) reply(res, 500, 'internal error\n')
      else res.destroy()
    })
  })
  const wss = init.ws === false ? undefined : new WebSocketServer({ noServer: true, maxPayload: settings.maxRequestBytes })
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined)
    if (wss === undefined) return refuseUpgrade(socket, '404 Not Found')
    if (!isOriginAllowed(req.headers.origin, settings.allowedOrigins)) return refuseUpgrade(socket, '403 Forbidden')
    if (!isAuthorized(req.headers.authorization, settings.token)) return refuseUpgrade(socket, '401 Unauthorized', 'www-authenticate: Bearer\r\n')
    wss.handleUpgrade(req, socket, head, (client) => onConnection(client, dispatcher, lifetime.signal))
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(init.port ?? DEFAULT_RPC_PORT, init.host ?? DEFAULT_RPC_HOST, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  // The served app's page calls from its own origin.
  if (settings.uiRoot !== undefined) settings.allowedOrigins.push(...ownOrigins(address.address, address.port))

  let closing: Promise<void> | undefined
  return {
    url: formatUrl('http', address),
    wsUrl: wss === undefined ? undefined : formatUrl('ws', address),
    address,
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        lifetime.abort()
        if (wss !== undefined) {
          for (const client of wss.clients) client.terminate()
          wss.close()
        }
        server.close(() => resolve())
        server.closeAllConnections()
      })
      return closing
    },
  }
}
