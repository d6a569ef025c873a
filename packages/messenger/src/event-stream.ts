/**
 * The messenger's events, to listeners and as async iterations (what the RPC forwards as
 * notifications).
 */

/** Events of type `E` delivered to every listener, in order. */
export class EventStream<E> {
  private readonly listeners = new Set<(event: E) => void>()

  /** Calls `listener` with every event until the returned function is called. */
  on(listener: (event: E) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Delivers `event` to the listeners there are now. */
  emit(event: E): void {
    for (const listener of [...this.listeners]) listener(event)
  }

  /** Every event from now on, queued unboundedly while unread, until `signal` aborts (then the iteration ends). */
  async *iterate(signal?: AbortSignal): AsyncGenerator<E> {
    const queue: E[] = []
    let wake: (() => void) | undefined
    const stop = this.on((event) => {
      queue.push(event)
      wake?.()
    })
    const aborted = (): void => wake?.()
    signal?.addEventListener('abort', aborted)
    try {
      while (signal?.aborted !== true) {
        const next = queue.shift()
        if (next !== undefined) {
          yield next
          continue
        }
        await new Promise<void>((resolve) => {
          wake = resolve
        })
        wake = undefined
      }
    } finally {
      stop()
      signal?.removeEventListener('abort', aborted)
    }
  }
}
