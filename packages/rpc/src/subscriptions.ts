/**
 * The `shh_subscribe` subscriptions of one WebSocket connection. Each runs the node's
 * `subscribe` iterable and pushes every message as a `shh_subscription` notification; it
 * stops on `shh_unsubscribe`, when the connection closes, or when the server closes.
 */
import { randomBytes } from 'node:crypto'
import type { ShhMessage } from './shh-api.ts'
import { MAX_SUBSCRIPTIONS_PER_CONNECTION } from './constants.ts'
import { ShhRequestError } from './errors.ts'
import { formatMessage } from './shapes.ts'

/** Sends one serialized JSON-RPC message to the client. */
export type SendText = (text: string) => void

/** How a subscription's items become notifications: `{ method, params: { subscription, result: format(item) } }`. */
export interface NotificationFormat<T> {
  /** The notification's method, e.g. `hush_subscription`. */
  readonly method: string
  /** The notification's `result` for one item. */
  format(item: T): unknown
}

/** `shh_subscribe`'s notifications. */
const SHH_NOTIFICATION: NotificationFormat<ShhMessage> = { method: 'shh_subscription', format: formatMessage }

/** What a request may do with its connection's subscriptions (see `SubscriptionSet.scope`). */
export interface SubscriptionScope {
  /** Registers a subscription; see `SubscriptionSet.add`. */
  add(open: (signal: AbortSignal) => AsyncIterable<ShhMessage>): string
  /** Registers a subscription whose items are notified as `notification` says. */
  add<T>(open: (signal: AbortSignal) => AsyncIterable<T>, notification: NotificationFormat<T>): string
  /** Ends a subscription of the connection; `false` when the id is unknown. */
  remove(id: string): boolean
}

interface Entry {
  readonly controller: AbortController
  readonly iterable: AsyncIterable<unknown>
  readonly notification: NotificationFormat<never>
  started: boolean
}

/** A subscription id as geth makes them: `0x` and 32 hex digits. */
function newSubscriptionId(): string {
  return `0x${randomBytes(16).toString('hex')}`
}

/** The subscriptions of one connection. */
export class SubscriptionSet {
  private readonly entries = new Map<string, Entry>()
  private readonly send: SendText
  private closed = false

  private readonly limit: number

  /**
   * @param send - writes a notification to the connection
   * @param limit - most live subscriptions
   */
  constructor(send: SendText, limit: number = MAX_SUBSCRIPTIONS_PER_CONNECTION) {
    this.send = send
    this.limit = limit
  }

  /** Number of live subscriptions. */
  get size(): number {
    return this.entries.size
  }

  /**
   * Registers a subscription whose node iterable `open(signal)` creates (synchronously, so its
   * errors reach the caller). Notifications start only with `start(id)`, once the response
   * carrying the id has been sent.
   * @throws {ShhRequestError} when the connection is closed or holds `limit` subscriptions
   */
  add(open: (signal: AbortSignal) => AsyncIterable<ShhMessage>): string
  /** The same, for items that `notification` turns into notifications (`hush_subscribe`). */
  add<T>(open: (signal: AbortSignal) => AsyncIterable<T>, notification: NotificationFormat<T>): string
  add(open: (signal: AbortSignal) => AsyncIterable<unknown>, notification: NotificationFormat<never> = SHH_NOTIFICATION as NotificationFormat<never>): string {
    if (this.closed) throw new ShhRequestError('the connection is closed')
    if (this.entries.size >= this.limit) throw new ShhRequestError(`too many subscriptions (at most ${this.limit} per connection)`)
    const controller = new AbortController()
    const iterable = open(controller.signal)
    const id = newSubscriptionId()
    this.entries.set(id, { controller, iterable, notification, started: false })
    return id
  }

  /** Starts pushing notifications for a subscription (no-op when unknown or started). */
  start(id: string): void {
    const entry = this.entries.get(id)
    if (entry === undefined || entry.started) return
    entry.started = true
    void this.pump(id, entry)
  }

  /**
   * A view for one request: subscriptions it adds start with the returned `start()`, after its
   * response is sent, so a notification never precedes the id even with requests in flight.
   */
  scope(): SubscriptionScope & {
    /** Starts the subscriptions this scope added. */
    start(): void
  } {
    const added: string[] = []
    return {
      add: (open: (signal: AbortSignal) => AsyncIterable<never>, notification?: NotificationFormat<never>) => {
        const id = notification === undefined ? this.add(open as (signal: AbortSignal) => AsyncIterable<ShhMessage>) : this.add(open, notification)
        added.push(id)
        return id
      },
      remove: (id) => this.remove(id),
      start: () => {
        for (const id of added.splice(0)) this.start(id)
      },
    }
  }

  /** Ends a subscription; `false` when the id is unknown. */
  remove(id: string): boolean {
    const entry = this.entries.get(id)
    if (entry === undefined) return false
    this.entries.delete(id)
    // The node ends the iterable and removes its filter when the signal aborts (ShhApi.subscribe).
    entry.controller.abort()
    return true
  }

  /** Ends every subscription (connection closed). */
  close(): void {
    this.closed = true
    for (const id of [...this.entries.keys()]) this.remove(id)
  }

  private async pump(id: string, entry: Entry): Promise<void> {
    try {
      for await (const message of entry.iterable) {
        if (entry.controller.signal.aborted) break
        const notification = { jsonrpc: '2.0', method: entry.notification.method, params: { subscription: id, result: entry.notification.format(message as never) } }
        this.send(JSON.stringify(notification))
      }
    } catch {
      // The node ended the iterable with an error (e.g. it stopped): the subscription just ends.
    } finally {
      this.entries.delete(id)
    }
  }
}
