/**
 * A bounded push queue read as an async iterable. When full, the oldest item is dropped (and
 * counted): a slow consumer loses old messages rather than growing the node's memory. Reading
 * ends when the queue is closed or the given signal aborts.
 */

/** A bounded queue of `T` with one async-iterable reader. */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = []
  private head = 0
  private waiter: ((done: boolean) => void) | undefined
  private closed = false
  /** Items dropped because the queue was full. */
  dropped = 0

  private readonly capacity: number

  constructor(capacity: number) {
    this.capacity = capacity
    if (!(Number.isInteger(capacity) && capacity > 0)) throw new RangeError('capacity must be a positive integer')
  }

  /** Number of queued items. */
  get size(): number {
    return this.items.length - this.head
  }

  /** Whether {@link close} was called. */
  get isClosed(): boolean {
    return this.closed
  }

  /** Queues an item (dropping the oldest when full); ignored after close. */
  push(item: T): void {
    if (this.closed) return
    if (this.size >= this.capacity) {
      this.head++
      this.dropped++
    }
    this.items.push(item)
    this.compact()
    this.wake(false)
  }

  /** Removes and returns every queued item. */
  drain(): T[] {
    const out = this.items.slice(this.head)
    this.items.length = 0
    this.head = 0
    return out
  }

  /** Ends the reader after the items already queued. */
  close(): void {
    this.closed = true
    this.wake(true)
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      if (this.size > 0) {
        const item = this.items[this.head]
        this.items[this.head] = undefined as T
        this.head++
        this.compact()
        yield item
        continue
      }
      if (this.closed) return
      await new Promise<boolean>((resolve) => {
        this.waiter = resolve
      })
    }
  }

  private wake(done: boolean): void {
    const waiter = this.waiter
    this.waiter = undefined
    waiter?.(done)
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head)
      this.head = 0
    }
  }
}

/**
 * Reads `queue` as an async iterable that ends when `signal` aborts (queued items are dropped)
 * or the reader stops (return, break, throw). Either way `remove` runs once, and no listener is
 * left on `signal`.
 * @param remove - ends the subscription behind the queue (and closes the queue)
 */
export function readUntilAborted<T>(queue: AsyncQueue<T>, signal: AbortSignal | undefined, remove: () => void): AsyncIterable<T> {
  let ended = false
  const end = (): void => {
    if (ended) return
    ended = true
    signal?.removeEventListener('abort', onAbort)
    remove()
    queue.close()
  }
  const onAbort = (): void => {
    queue.drain()
    end()
  }
  if (signal?.aborted === true) onAbort()
  else signal?.addEventListener('abort', onAbort, { once: true })
  return {
    [Symbol.asyncIterator]: async function* () {
      try {
        yield* queue
      } finally {
        end()
      }
    },
  }
}
