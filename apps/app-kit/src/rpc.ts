/**
 * One JSON-RPC 2.0 WebSocket to the local node, shared by web3-shh (as its legacy provider:
 * `send` and `on('data')`) and the app's own calls and notifications (`hush_*`). The apps need
 * their own calls because web3 does not expose its request ids: the board cancels a post with
 * `hush_cancelRequest(id)` on the socket that carries it ({@link RpcSocket.start}).
 */

/** An error answer from the node (`code` and `message` as JSON-RPC has them). */
export class RpcError extends Error {
  override name = 'RpcError'
  readonly code: number
  constructor(code: number, message: string) {
    super(message)
    this.code = code
  }
}

/** A JSON-RPC answer or notification as it arrives. */
export interface RpcPayload {
  jsonrpc: '2.0'
  id?: number | string | null
  result?: unknown
  error?: { code: number; message: string }
  method?: string
  params?: unknown
}

type Listener = (payload: RpcPayload) => void

/** A call in flight: its request id (for `hush_cancelRequest`) and its answer. */
export interface RunningCall<T> {
  id: number
  result: Promise<T>
}

/** JSON-RPC over one WebSocket. */
export class RpcSocket {
  readonly url: string
  #ws: WebSocket
  #nextId = 1
  #pending = new Map<number, (answer: RpcPayload) => void>()
  #listeners = new Map<string, Set<Listener>>()
  #open: Promise<void>

  constructor(url: string) {
    this.url = url
    this.#ws = new WebSocket(url)
    this.#open = new Promise((resolve, reject) => {
      this.#ws.addEventListener('open', () => resolve(), { once: true })
      this.#ws.addEventListener('error', () => reject(new Error(`cannot connect to the node at ${url}`)), { once: true })
    })
    this.#ws.addEventListener('message', (event) => this.#receive(String(event.data)))
    this.#ws.addEventListener('close', (event) => {
      for (const settle of this.#pending.values()) settle({ jsonrpc: '2.0', error: { code: -32000, message: 'the connection to the node closed' } })
      this.#pending.clear()
      for (const listener of this.#listeners.get('disconnect') ?? []) listener({ jsonrpc: '2.0', params: { code: event.code, reason: event.reason } })
    })
  }

  /** Resolves once connected; rejects when the node cannot be reached. */
  ready(): Promise<void> {
    return this.#open
  }

  /** Calls `method` and resolves with its result; rejects with {@link RpcError} on an error answer. */
  call<T>(method: string, params: readonly unknown[] = []): Promise<T> {
    return this.start<T>(method, params).result
  }

  /** Starts a call and returns its id at once, so it can be cancelled while it runs. */
  start<T>(method: string, params: readonly unknown[] = []): RunningCall<T> {
    const id = this.#nextId++
    const result = new Promise<T>((resolve, reject) => {
      this.#pending.set(id, (answer) => {
        if (answer.error !== undefined) reject(new RpcError(answer.error.code, answer.error.message))
        else resolve(answer.result as T)
      })
    })
    this.#open.then(
      () => this.#ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params })),
      (err: unknown) => this.#pending.get(id)?.({ jsonrpc: '2.0', error: { code: -32000, message: (err as Error).message } }),
    )
    return { id, result }
  }

  /** Closes the socket (the node then ends its subscriptions and aborts the posts still sealing). */
  close(): void {
    this.#ws.close()
  }

  // web3's legacy provider interface (web3-core-requestmanager): send(payload, callback) and
  // on('data' | 'connect' | 'error' | 'disconnect'), notifications as whole JSON-RPC objects.

  /** web3's provider call: forwards `payload` under a fresh id and answers with the whole response object. */
  send(payload: { method: string; params?: unknown[]; id?: number | string }, callback: (err: Error | null, answer?: RpcPayload) => void): void {
    const id = this.#nextId++
    this.#pending.set(id, (answer) => callback(null, { ...answer, id: payload.id ?? id }))
    this.#open.then(
      () => this.#ws.send(JSON.stringify({ jsonrpc: '2.0', id, method: payload.method, params: payload.params ?? [] })),
      (err: unknown) => {
        this.#pending.delete(id)
        callback(err as Error)
      },
    )
  }

  /** Provider events: `data` carries notifications (`shh_subscription`, `hush_subscription`), `disconnect` the socket's end. */
  on(event: string, listener: Listener): void {
    let set = this.#listeners.get(event)
    if (set === undefined) this.#listeners.set(event, (set = new Set()))
    set.add(listener)
  }

  /** Removes a listener added with {@link RpcSocket.on}. */
  removeListener(event: string, listener: Listener): void {
    this.#listeners.get(event)?.delete(listener)
  }

  #receive(text: string): void {
    let message: RpcPayload
    try {
      message = JSON.parse(text) as RpcPayload
    } catch {
      return
    }
    if (typeof message.id === 'number' && this.#pending.has(message.id)) {
      const settle = this.#pending.get(message.id) as (answer: RpcPayload) => void
      this.#pending.delete(message.id)
      settle(message)
    } else if (message.method !== undefined) {
      for (const listener of this.#listeners.get('data') ?? []) listener(message)
    }
  }
}
