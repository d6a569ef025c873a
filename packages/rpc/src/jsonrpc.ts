/**
 * JSON-RPC 2.0 framing: parse a request body into single or batch calls, and build responses.
 * Pure functions; the dispatcher runs the calls. Malformed JSON gives −32700 and a malformed
 * call −32600, as in the JSON-RPC 2.0 specification.
 */
import { RPC_ERROR_CODES } from './constants.ts'

/** A JSON-RPC id: absent on notifications. */
export type RpcId = string | number | null

/** A well-formed call. `id` is `undefined` for a notification (no response is sent). */
export interface RpcCall {
  readonly id: RpcId | undefined
  readonly method: string
  /** Positional params (`[]` when absent or null); `undefined` when given by name, which geth refuses. */
  readonly params: readonly unknown[] | undefined
}

/** A call that could not be read: answered with this error. */
export interface RpcInvalidCall {
  readonly id: RpcId
  readonly error: RpcErrorObject
}

/** The error member of a response. */
interface RpcErrorObject {
  code: number
  message: string
}

/** A response object. */
export type RpcResponse =
  | { jsonrpc: '2.0'; id: RpcId; result: unknown }
  | { jsonrpc: '2.0'; id: RpcId; error: RpcErrorObject }

/** What a body parsed into: one item, a batch, or an error answered as a whole. */
export type ParsedBody =
  | { kind: 'single'; item: RpcCall | RpcInvalidCall }
  | { kind: 'batch'; items: (RpcCall | RpcInvalidCall)[] }
  | { kind: 'error'; response: RpcResponse }

function isId(value: unknown): value is RpcId {
  return value === null || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))
}

/** Builds an error response. */
export function errorResponse(id: RpcId, code: number, message: string): RpcResponse {
  return { jsonrpc: '2.0', id, error: { code, message } }
}

/** Builds a result response. */
export function resultResponse(id: RpcId, result: unknown): RpcResponse {
  return { jsonrpc: '2.0', id, result }
}

/** Whether a parsed item is well formed (else it carries its error). */
export function isCall(item: RpcCall | RpcInvalidCall): item is RpcCall {
  return 'method' in item
}

/** Reads one request object; anything malformed becomes −32600 "invalid request". */
export function parseCall(value: unknown): RpcCall | RpcInvalidCall {
  const invalid = (id: RpcId, why: string): RpcInvalidCall => ({
    id,
    error: { code: RPC_ERROR_CODES.invalidRequest, message: `invalid request: ${why}` },
  })
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return invalid(null, 'not an object')
  const obj = value as Record<string, unknown>
  const hasId = 'id' in obj
  if (hasId && !isId(obj.id)) return invalid(null, 'id must be a string, a number or null')
  const id = hasId ? (obj.id as RpcId) : null
  if (obj.jsonrpc !== '2.0') return invalid(id, 'jsonrpc must be "2.0"')
  if (typeof obj.method !== 'string' || obj.method === '') return invalid(id, 'method must be a non-empty string')
  const params = obj.params
  let positional: readonly unknown[] | undefined
  if (params === undefined || params === null) positional = []
  else if (Array.isArray(params)) positional = params
  else if (typeof params === 'object') positional = undefined
  else return invalid(id, 'params must be an array or an object')
  return { id: hasId ? id : undefined, method: obj.method, params: positional }
}

/**
 * Parses a request body.
 * @example
 * ```ts
 * parseBody('{"jsonrpc":"2.0","id":1,"method":"shh_version"}') // { kind: 'single', item: {...} }
 * ```
 */
export function parseBody(text: string): ParsedBody {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { kind: 'error', response: errorResponse(null, RPC_ERROR_CODES.parseError, 'parse error') }
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return { kind: 'error', response: errorResponse(null, RPC_ERROR_CODES.invalidRequest, 'empty batch') }
    return { kind: 'batch', items: value.map(parseCall) }
  }
  return { kind: 'single', item: parseCall(value) }
}
