/**
 * A bounded push queue read as an async iterable. When full, the oldest item is dropped (and
 * counted): a slow consumer loses old messages rather than growing the node's memory. Reading
 * ends when the queue is closed or the given signal aborts.
 */

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true })

/**
 * A bounded queue of `T` with one async-iterable reader. The iterator is written out rather than
 * an async generator: a waiting reader is handed a pushed item directly, so it resumes one
 * microtask turn after the push, not the four an async generator inside another one takes (in a
 * node that relays in microtasks, every turn is a turn of other work first: bench/README.md).
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = []
  private head = 0
  private reader: ((result: IteratorResult<T, undefined>) => void) | undefined
  private closeListener: (() => void) | undefined
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

  /** Queues an item (dropping the oldest when full), or hands it to the waiting reader; ignored after close. */
  push(item: T): void {
    if (this.closed) return
    const reader = this.reader
    if (reader !== undefined) {
      // A reader waits only on an empty queue: this item is next.
      this.reader = undefined
      reader({ value: item, done: false })
      return
    }
    if (this.size >= this.capacity) {
      this.head++
      this.dropped++
    }
    this.items.push(item)
    this.compact()
  }

  /** Removes and returns every queued item. */
  drain(): T[] {
    const out = this.items.slice(this.head)
    this.items.length = 0
    this.head = 0
    return out
  }

  /** Ends the reader after the items already queued, and runs the close listener once. */
  close(): void {
    if (this.closed) return
    this.closed = true
    const reader = this.reader
    this.reader = undefined
    reader?.(DONE)
    const listener = this.closeListener
    this.closeListener = undefined
    listener?.()
  }

  /** Runs `listener` when the queue closes (one listener; a second replaces the first). */
  onClose(listener: () => void): void {
    this.closeListener = listener
  }

  /** The next item: at once when one is queued, else when one is pushed; done once closed and empty. */
  next(): Promise<IteratorResult<T, undefined>> {
    if (this.size > 0) {
      const item = this.items[this.head]
      this.items[this.head] = undefined as T
      this.head++
      this.compact()
      return Promise.resolve({ value: item, done: false })
    }
    if (this.closed) return Promise.resolve(DONE)
    return new Promise((resolve) => {
      this.reader = resolve
    })
  }

  [Symbol.asyncIterator](): AsyncIterator<T, undefined> {
    return { next: () => this.next() }
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head)
      this.head = 0
    }
  }
}

/**
 * Reads `queue` as an async iterable that ends when `signal` aborts (queued items are dropped),
 * the queue closes, or the reader stops (return, break, throw). Either way `remove` runs once, and
 * no listener is left on `signal`.
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
  queue.onClose(end)
  if (signal?.aborted === true) onAbort()
  else signal?.addEventListener('abort', onAbort, { once: true })
  return {
    [Symbol.asyncIterator]: (): AsyncIterator<T, undefined> => ({
      next: () => queue.next(),
      return: () => {
        end()
        return Promise.resolve(DONE)
      },
    }),
  }
}
