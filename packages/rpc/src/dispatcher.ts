/**
 * Runs JSON-RPC bodies against the method table: single calls and batches (in order), with
 * geth's error mapping — unknown method −32601, undecodable params −32602, any node or API
 * error −32000 with its message (spec §8 conventions).
 */
import { RPC_ERROR_CODES } from './constants.ts'
import { InvalidParamsError, MethodNotFoundError } from './errors.ts'
import { type RpcCall, type RpcInvalidCall, type RpcResponse, errorResponse, isCall, parseBody, resultResponse } from './jsonrpc.ts'
import { type CallContext, METHODS, type MethodHandler } from './methods.ts'
import type { ShhApi } from './shh-api.ts'

/** Answers request bodies. */
export interface Dispatcher {
  /**
   * Runs a request body; resolves to the serialized response, or `undefined` when there is
   * nothing to answer (notifications only). Never rejects.
   */
  handle(body: string, ctx: CallContext): Promise<string | undefined>
}

/** The JSON-RPC code for an error a handler threw (the `name` is the contract). */
export function errorCodeOf(error: unknown): number {
  const name = error instanceof Error ? error.name : ''
  if (name === 'InvalidParamsError') return RPC_ERROR_CODES.invalidParams
  if (name === 'MethodNotFoundError') return RPC_ERROR_CODES.methodNotFound
  return RPC_ERROR_CODES.serverError
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/**
 * Creates a dispatcher over `shh`.
 * @example
 * ```ts
 * const dispatcher = createDispatcher(node.services.shh)
 * await dispatcher.handle('{"jsonrpc":"2.0","id":1,"method":"shh_version"}', { signal, subscriptions: undefined })
 * // '{"jsonrpc":"2.0","id":1,"result":"6.0"}'
 * ```
 */
export function createDispatcher(shh: ShhApi): Dispatcher {
  const run = async (item: RpcCall | RpcInvalidCall, ctx: CallContext): Promise<RpcResponse | undefined> => {
    if (!isCall(item)) return errorResponse(item.id, item.error.code, item.error.message)
    const id = item.id ?? null
    let response: RpcResponse
    try {
      const handler: MethodHandler | undefined = Object.hasOwn(METHODS, item.method) ? METHODS[item.method] : undefined
      if (handler === undefined) throw new MethodNotFoundError(item.method)
      if (item.params === undefined) throw new InvalidParamsError('non-array args')
      response = resultResponse(id, (await handler(shh, item.params, ctx)) ?? null)
    } catch (error) {
      response = errorResponse(id, errorCodeOf(error), messageOf(error))
    }
    return item.id === undefined ? undefined : response
  }

  return {
    async handle(body, ctx) {
      const parsed = parseBody(body)
      if (parsed.kind === 'error') return JSON.stringify(parsed.response)
      if (parsed.kind === 'single') {
        const response = await run(parsed.item, ctx)
        return response === undefined ? undefined : JSON.stringify(response)
      }
      const responses: RpcResponse[] = []
      for (const item of parsed.items) {
        const response = await run(item, ctx)
        if (response !== undefined) responses.push(response)
      }
      return responses.length === 0 ? undefined : JSON.stringify(responses)
    },
  }
}
