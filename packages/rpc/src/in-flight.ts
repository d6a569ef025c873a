/**
 * The calls running on one WebSocket connection, by JSON-RPC id, so `hush_cancelRequest` can stop
 * one of them (LSP's `$/cancelRequest`, scoped to the connection that made the call). A cancelled
 * call ends as it would on a disconnect: a post still sealing stops and sends nothing, and the
 * call's own response (an error, or its result when it had already finished) says which.
 */
import type { RpcId } from './jsonrpc.ts'

/** Why a cancelled call was aborted: the reason its `signal` carries. */
export class RequestCancelledError extends Error {
  static override name = 'RequestCancelledError'

  constructor(message = 'request cancelled by the client', options?: ErrorOptions) {
    super(message, options)
    this.name = 'RequestCancelledError'
  }
}

/** One connection's running calls. */
export class InFlightCalls {
  private readonly running = new Map<string, Set<AbortController>>()

  /**
   * Registers a call with `id`; returns its signal (aborted by {@link cancel}) and the function
   * to call once the call has produced its response.
   */
  track(id: Exclude<RpcId, null>): { signal: AbortSignal; done: () => void } {
    const key = keyOf(id)
    const controller = new AbortController()
    let calls = this.running.get(key)
    if (calls === undefined) this.running.set(key, (calls = new Set()))
    calls.add(controller)
    const entry = calls
    return {
      signal: controller.signal,
      done: () => {
        entry.delete(controller)
        if (entry.size === 0 && this.running.get(key) === entry) this.running.delete(key)
      },
    }
  }

  /** Aborts every running call with `id`; whether there was one. */
  cancel(id: Exclude<RpcId, null>): boolean {
    const calls = this.running.get(keyOf(id))
    if (calls === undefined) return false
    for (const controller of calls) controller.abort(new RequestCancelledError())
    return true
  }
}

/** `1` and `"1"` are different ids. */
const keyOf = (id: string | number): string => (typeof id === 'number' ? `n${id}` : `s${id}`)
