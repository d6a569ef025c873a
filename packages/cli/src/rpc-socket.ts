/**
 * A JSON-RPC client over the node's WebSocket, for the one call that must be cancellable with a
 * truthful outcome: `hush post`. Ctrl-C sends `hush_cancelRequest` for the post on the same
 * connection, and the post's own answer then says whether it was stopped (nothing sent) or had
 * finished first; closing an HTTP request could not tell.
 */
import { WebSocket } from 'ws'
import { CliError, EXIT } from './errors.ts'
import { RpcCallError, type RpcTarget } from './rpc-client.ts'

/** The connection ended before the call was answered: whether it took effect is unknown. */
export class ConnectionLostError extends Error {
  static override name = 'ConnectionLostError'

  constructor(message = 'the connection to the node ended before it answered', options?: ErrorOptions) {
    super(message, options)
    this.name = 'ConnectionLostError'
  }
}

/** One call in flight on a {@link RpcSocket}. */
interface SocketCall<T> {
  /** The JSON-RPC id it was sent with. */
  readonly id: number
  /** Its result; rejects with a {@link CliError} for an error answer, a {@link ConnectionLostError} without one. */
  readonly result: Promise<T>
}

/** An open WebSocket to a node's RPC. */
export interface RpcSocket {
  /** Sends a call. */
  call<T>(method: string, params: unknown[]): SocketCall<T>
  /** Closes the connection; calls still waiting reject with {@link ConnectionLostError}. */
  close(): void
}

/** The WebSocket URL served on the same port as the HTTP `url`. */
const socketUrl = (url: string): string => url.replace(/^http(s?):/i, 'ws$1:')

/**
 * Opens a WebSocket to the node at `target.url` (`http` → `ws`, `https` → `wss`), with its token.
 * Resolves to `undefined` when the node serves no WebSocket there (it refuses the upgrade), so the
 * caller can fall back to HTTP.
 * @throws {CliError} when the node is unreachable or wants a token
 */
export function openRpcSocket(target: RpcTarget): Promise<RpcSocket | undefined> {
  const url = socketUrl(target.url)
  const ws = new WebSocket(url, {
    handshakeTimeout: target.timeoutMs ?? 10_000,
    ...(target.token !== undefined && { headers: { authorization: `Bearer ${target.token}` } }),
  })
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.off('error', onError)
      resolve(wrap(ws))
    })
    ws.once('unexpected-response', (_req, res) => {
      // Ending the refused upgrade makes `ws` report an error too: nothing more to say.
      ws.off('error', onError).on('error', () => undefined)
      ws.terminate()
      if (res.statusCode === 401) reject(new CliError(`the node at ${target.url} wants a token: pass --token`, { exitCode: EXIT.failure }))
      else resolve(undefined)
    })
    const onError = (err: Error): void => reject(new CliError(`cannot reach the node at ${target.url} (is \`hush start\` running?): ${err.message}`, { cause: err, exitCode: EXIT.failure }))
    ws.once('error', onError)
  })
}

function wrap(ws: WebSocket): RpcSocket {
  let nextId = 1
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void; method: string }>()
  ws.on('message', (data) => {
    let body: { id?: unknown; result?: unknown; error?: { code: number; message: string } }
    try {
      body = JSON.parse(String(data))
    } catch {
      return
    }
    const call = typeof body.id === 'number' ? waiting.get(body.id) : undefined
    if (call === undefined) return
    waiting.delete(body.id as number)
    if (body.error !== undefined) call.reject(new RpcCallError(call.method, body.error))
    else call.resolve(body.result)
  })
  // A failing socket also closes: the waiting calls are rejected there.
  ws.on('error', () => undefined)
  ws.on('close', () => {
    for (const call of waiting.values()) call.reject(new ConnectionLostError())
    waiting.clear()
  })
  return {
    call<T>(method: string, params: unknown[]): SocketCall<T> {
      const id = nextId++
      const result = new Promise<T>((resolve, reject) => {
        if (ws.readyState !== WebSocket.OPEN) return reject(new ConnectionLostError())
        waiting.set(id, { resolve: resolve as (value: unknown) => void, reject, method })
        ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }))
      })
      return { id, result }
    },
    close() {
      ws.close()
    },
  }
}
