/**
 * Runs JSON-RPC bodies against the method table: single calls and batches (in order, at most
 * {@link MAX_BATCH_ITEMS}, yielding to the event loop between calls), with geth's error mapping:
 * unknown method −32601, undecodable params −32602, any node or API error −32000 with its message
 * (spec §8 conventions).
 */
import { MAX_BATCH_ITEMS, RPC_ERROR_CODES } from './constants.ts'
import { InvalidParamsError, MethodNotFoundError } from './errors.ts'
import { type RpcCall, type RpcInvalidCall, type RpcResponse, errorResponse, isCall, parseBody, resultResponse } from './jsonrpc.ts'
import { type CallContext, METHODS, type MethodHandler } from './methods.ts'
import { type MessengerApi, messengerMethods } from './messenger-methods.ts'
import { type RpcNodeInfo, nodeInfoMethods } from './node-info.ts'
import type { ShhApi } from './shh-api.ts'
import { type ShhextInit, shhextMethods } from './shhext.ts'

/** Answers request bodies. */
export interface Dispatcher {
  /**
   * Runs a request body; resolves to the serialized response, or `undefined` when there is
   * nothing to answer (notifications only, or `ctx.signal` aborted: the client is gone, and the
   * rest of a batch is not run). Never rejects.
   */
  handle(body: string, ctx: CallContext): Promise<string | undefined>
}

/** Construction options of {@link createDispatcher}. */
export interface DispatcherInit {
  /** Most calls in one batch; more get one −32600 "batch too large" error. @default 1000 (geth) */
  maxBatchItems?: number
  /** Serve `shhext_requestMessages` and `shhext_mailStats` (mail servers) too. @default not served */
  shhext?: ShhextInit
  /** Serve `hush_nodeInfo` with what this returns: the node's peer id and addresses. @default not served */
  nodeInfo?: () => RpcNodeInfo
  /** Serve the `hush_*` messenger methods (`@hush/messenger`'s `Messenger`). @default not served */
  messenger?: MessengerApi
}

/** geth's text for a batch over the cap (`errMsgBatchTooLarge`). */
const BATCH_TOO_LARGE = 'batch too large'

/** Lets timers and I/O run (a macrotask), so a long batch does not hold the event loop. */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/**
 * geth's answer to an oversized batch: one −32600 error, in an array, with the id of the first
 * call that has one (the protocol has no way to report an error for a whole batch).
 */
function batchTooLarge(items: readonly (RpcCall | RpcInvalidCall)[]): RpcResponse[] {
  const first = items.find((item): item is RpcCall => isCall(item) && item.id !== undefined)
  return [errorResponse(first?.id ?? null, RPC_ERROR_CODES.invalidRequest, BATCH_TOO_LARGE)]
}

/**
 * Checks {@link DispatcherInit.maxBatchItems} (shared with the server's init).
 * @throws {RangeError} when it is not a positive integer
 */
export function checkMaxBatchItems(value: unknown, label: string): void {
  if (value !== undefined && !(typeof value === 'number' && Number.isInteger(value) && value > 0)) {
    throw new RangeError(`${label} must be a positive integer`)
  }
}

/** The JSON-RPC code for an error a handler threw (the `name` is the contract). */
function errorCodeOf(error: unknown): number {
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
 * @throws {TypeError} when `init` is not an object, `init.nodeInfo` not a function, or `init.messenger` not a messenger
 * @throws {RangeError} when `init.maxBatchItems` is not a positive integer
 * @example
 * ```ts
 * const dispatcher = createDispatcher(node.services.shh)
 * await dispatcher.handle('{"jsonrpc":"2.0","id":1,"method":"shh_version"}', { signal, subscriptions: undefined })
 * // '{"jsonrpc":"2.0","id":1,"result":"6.0"}'
 * ```
 */
export function createDispatcher(shh: ShhApi, init: DispatcherInit = {}): Dispatcher {
  if (typeof init !== 'object' || init === null) throw new TypeError('init must be an object')
  checkMaxBatchItems(init.maxBatchItems, 'init.maxBatchItems')
  const maxBatchItems = init.maxBatchItems ?? MAX_BATCH_ITEMS
  if (init.shhext !== undefined && (typeof init.shhext !== 'object' || init.shhext === null || typeof init.shhext.requestHistory !== 'function')) {
    throw new TypeError('init.shhext must be an object with a requestHistory function')
  }
  if (init.nodeInfo !== undefined && typeof init.nodeInfo !== 'function') throw new TypeError('init.nodeInfo must be a function')
  if (init.messenger !== undefined && typeof init.messenger?.events !== 'function') throw new TypeError('init.messenger must be a messenger (with an events function)')
  const methods: Readonly<Record<string, MethodHandler>> = {
    ...METHODS,
    ...(init.shhext !== undefined && shhextMethods(init.shhext)),
    ...(init.nodeInfo !== undefined && nodeInfoMethods(init.nodeInfo)),
    ...(init.messenger !== undefined && messengerMethods(init.messenger)),
  }
  const run = async (item: RpcCall | RpcInvalidCall, ctx: CallContext): Promise<RpcResponse | undefined> => {
    if (!isCall(item)) return errorResponse(item.id, item.error.code, item.error.message)
    const id = item.id ?? null
    let response: RpcResponse
    // On a WebSocket, a call with an id can be cancelled by `hush_cancelRequest` until it answers.
    const tracked = ctx.calls !== undefined && id !== null && item.method !== 'hush_cancelRequest' ? ctx.calls.track(id) : undefined
    const callContext: CallContext = tracked === undefined ? ctx : { ...ctx, signal: AbortSignal.any([ctx.signal, tracked.signal]) }
    try {
      const handler: MethodHandler | undefined = Object.hasOwn(methods, item.method) ? methods[item.method] : undefined
      if (handler === undefined) throw new MethodNotFoundError(item.method)
      if (item.params === undefined) throw new InvalidParamsError('non-array args')
      response = resultResponse(id, (await handler(shh, item.params, callContext)) ?? null)
    } catch (error) {
      response = errorResponse(id, errorCodeOf(error), messageOf(error))
    } finally {
      tracked?.done()
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
      if (parsed.items.length > maxBatchItems) return JSON.stringify(batchTooLarge(parsed.items))
      const responses: RpcResponse[] = []
      for (const [index, item] of parsed.items.entries()) {
        // One call at a time, in order, with timers and other clients served in between.
        if (index > 0) await yieldToEventLoop()
        if (ctx.signal.aborted) return undefined
        const response = await run(item, ctx)
        if (response !== undefined) responses.push(response)
      }
      return responses.length === 0 ? undefined : JSON.stringify(responses)
    },
  }
}
