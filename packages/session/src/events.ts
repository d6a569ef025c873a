/** A typed view of `EventTarget` whose events are `CustomEvent`s with a `detail` (house-style §3.7). */

/** Listener options (the subset of the DOM's `AddEventListenerOptions` Node.js honours). */
export interface ListenerOptions {
  /** Remove the listener after its first call. */
  once?: boolean
  /** Remove the listener when this signal aborts. */
  signal?: AbortSignal
}

/** An `EventTarget` with typed `CustomEvent` listeners. */
export interface TypedEventTarget<EventMap extends object> {
  /** Adds a listener for `type`; `event.detail` has the type the event map gives. */
  addEventListener<K extends keyof EventMap & string>(
    type: K,
    listener: (event: CustomEvent<EventMap[K]>) => void,
    options?: boolean | ListenerOptions
  ): void
  /** Removes a listener added with {@link TypedEventTarget.addEventListener}. */
  removeEventListener<K extends keyof EventMap & string>(
    type: K,
    listener: (event: CustomEvent<EventMap[K]>) => void,
    options?: boolean
  ): void
}

/** A {@link TypedEventTarget} on a private `EventTarget`, to extend or to hold. */
export class Emitter<EventMap extends object> implements TypedEventTarget<EventMap> {
  private readonly target = new EventTarget()

  addEventListener<K extends keyof EventMap & string>(
    type: K,
    listener: (event: CustomEvent<EventMap[K]>) => void,
    options?: boolean | ListenerOptions
  ): void {
    this.target.addEventListener(type, listener as (event: Event) => void, options)
  }

  removeEventListener<K extends keyof EventMap & string>(
    type: K,
    listener: (event: CustomEvent<EventMap[K]>) => void,
    options?: boolean
  ): void {
    this.target.removeEventListener(type, listener as (event: Event) => void, options)
  }

  /** Dispatches `new CustomEvent(type, { detail })`. */
  protected emit<K extends keyof EventMap & string>(type: K, detail: EventMap[K]): void {
    this.target.dispatchEvent(new CustomEvent(type, { detail }))
  }
}
