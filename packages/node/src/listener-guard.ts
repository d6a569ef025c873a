/**
 * App event listeners run inside the node's ingest path. An EventTarget reports a listener that
 * throws as an uncaught exception (the dispatcher never sees it), which would take the process
 * down with the node's state half-updated. The service therefore registers a guarded wrapper for
 * every listener: it calls the app's listener, and logs what it throws or rejects with.
 */
import type { EventHandler, Logger } from '@libp2p/interface'

type Wrapper = (evt: Event) => void

/** Wraps and unwraps listeners, remembering each wrapper per listener and event type. */
export class ListenerGuard {
  private readonly wrappers = new WeakMap<object, Map<string, Wrapper>>()
  private readonly log: Logger

  constructor(log: Logger) {
    this.log = log
  }

  /** The wrapper to register for `listener` on `type` (the same one each time). */
  wrap(type: string, listener: EventHandler<any> | null): Wrapper | null {
    if (listener === null) return null
    let byType = this.wrappers.get(listener)
    if (byType === undefined) this.wrappers.set(listener, (byType = new Map()))
    let wrapper = byType.get(type)
    if (wrapper === undefined) {
      wrapper = (evt: Event): void => {
        try {
          const result: unknown = typeof listener === 'function' ? listener(evt) : listener.handleEvent(evt)
          if (result instanceof Promise) result.catch((err: unknown) => this.log.error('a %s listener rejected: %e', type, err))
        } catch (err) {
          this.log.error('a %s listener threw: %e', type, err)
        }
      }
      byType.set(type, wrapper)
    }
    return wrapper
  }

  /** The wrapper registered for `listener` on `type`, to remove it. */
  unwrap(type: string, listener: EventHandler<any> | null | undefined): Wrapper | null | undefined {
    if (listener === null || listener === undefined) return listener
    return this.wrappers.get(listener)?.get(type)
  }
}
