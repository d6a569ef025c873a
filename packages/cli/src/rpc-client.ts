/**
 * A small JSON-RPC 2.0 client over HTTP for the commands that talk to a running node
 * (`hush status`, `peers`, `keys`, `post`, `watch`, `history`). Failures become {@link CliError}s that
 * say what to check.
 */
import { CliError, EXIT } from './errors.ts'

/** Where and how to reach a node's RPC endpoint. */
export interface RpcTarget {
  /** The endpoint, e.g. `http://127.0.0.1:8545`. */
  url: string
  /** Bearer token, when the node requires one. */
  token?: string
  /** Per-request timeout. @default 60000 */
  timeoutMs?: number
}

let nextId = 1

/** The node answered a call with a JSON-RPC error; `code` is its JSON-RPC code. */
export class RpcCallError extends CliError {
  static override name = 'RpcCallError'
  /** The JSON-RPC error code (−32601: the node does not serve the method). */
  readonly code: number

  constructor(method: string, error: { code: number; message: string }) {
    super(`${method} failed: ${error.message} (code ${error.code})`, { exitCode: EXIT.failure })
    this.name = 'RpcCallError'
    this.code = error.code
  }
}

/** JSON-RPC's "method not found". */
const METHOD_NOT_FOUND = -32601

/**
 * Calls a method a node may not serve (an older Hush, geth): its result, or `undefined` when the
 * node answers "method not found".
 * @throws {CliError} like {@link rpcCall} for anything else
 */
export async function rpcCallIfServed<T>(target: RpcTarget, method: string, params: unknown[] = []): Promise<T | undefined> {
  try {
    return await rpcCall<T>(target, method, params)
  } catch (err) {
    if (err instanceof RpcCallError && err.code === METHOD_NOT_FOUND) return undefined
    throw err
  }
}

/**
 * Calls `method` with `params` and returns the result.
 * @param options.signal - aborts the request; the call then rejects with the signal's reason
 * @throws {CliError} when the node is unreachable, refuses the token, or answers with an error
 */
export async function rpcCall<T>(target: RpcTarget, method: string, params: unknown[] = [], options: { signal?: AbortSignal } = {}): Promise<T> {
  let response: Response
  const timeout = AbortSignal.timeout(target.timeoutMs ?? 60_000)
  try {
    response = await fetch(target.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(target.token !== undefined && { authorization: `Bearer ${target.token}` }),
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
      signal: options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]),
    })
  } catch (err) {
    // The caller's own abort is its reason, not an unreachable node.
    if (options.signal?.aborted === true) throw options.signal.reason
    throw new CliError(`cannot reach the node at ${target.url} (is \`hush start\` running?): ${(err as Error).message}`, { cause: err, exitCode: EXIT.failure })
  }
  if (response.status === 401) throw new CliError(`the node at ${target.url} wants a token: pass --token`, { exitCode: EXIT.failure })
  if (!response.ok) throw new CliError(`the node at ${target.url} answered HTTP ${response.status}`, { exitCode: EXIT.failure })
  let body: { result?: T; error?: { code: number; message: string } }
  try {
    body = (await response.json()) as typeof body
  } catch (err) {
    if (options.signal?.aborted === true) throw options.signal.reason
    throw new CliError(`the node at ${target.url} answered ${method} with something that is not JSON-RPC: ${(err as Error).message}`, { cause: err, exitCode: EXIT.failure })
  }
  if (body.error !== undefined) throw new RpcCallError(method, body.error)
  return body.result as T
}
