/**
 * `hush_*` messenger methods (issue 15; docs/SESSION.md §21): the account, friends, requests and
 * session v2 conversations of `@hush/messenger`, and its events as `hush_subscription`
 * notifications over WebSocket. They are served only when the server is given a
 * {@link MessengerApi}; like {@link ShhApi}, it is injected, so this package depends on no Hush
 * package. Results are the messenger's own JSON shapes, passed through.
 */
import { InvalidParamsError, ShhRequestError } from './errors.ts'
import { parseString } from './hex.ts'
import type { CallContext, MethodHandler } from './methods.ts'
import type { NotificationFormat } from './subscriptions.ts'

/** Per-call cancellation, as the messenger takes it. */
export interface MessengerCallOptionsLike {
  signal?: AbortSignal
}

/**
 * What the `hush_*` messenger methods call: `@hush/messenger`'s `Messenger` fits it. Keys are
 * `0x` and 130 hex digits, ids 16 hex digits; every result must be plain JSON.
 */
export interface MessengerApi {
  /** `{ exists, unlocked, publicKey? }`. */
  info(): Promise<unknown>
  /** Creates the account and unlocks it; resolves to `info()`. */
  createAccount(password: string): Promise<unknown>
  /** Unlocks; resolves to `info()`. */
  unlock(password: string): Promise<unknown>
  lock(): Promise<void>
  /** `[{ name, publicKey }]`. */
  friends(): unknown
  addFriend(name: string, publicKey: string): Promise<unknown>
  renameFriend(publicKey: string, name: string): Promise<unknown>
  removeFriend(publicKey: string): Promise<void>
  /** Sends a request to a friend; resolves to the conversation. */
  open(publicKey: string, options: MessengerCallOptionsLike): Promise<unknown>
  requests(): unknown
  accept(requestId: string): Promise<unknown>
  reject(requestId: string): Promise<void>
  conversations(): unknown
  /** The conversation's messages since the unlock: `[{direction, seq, text, atMs, state?}]`. */
  messages(conversation: string): unknown
  /** Resolves to the message number. */
  send(conversation: string, text: string, options: MessengerCallOptionsLike): Promise<number>
  close(conversation: string): Promise<void>
  /** Every event from now on, until the signal aborts. */
  events(options: MessengerCallOptionsLike): AsyncIterable<unknown>
}

/** Longest password accepted (characters). */
const MAX_PASSWORD_LENGTH = 1024
/** Longest friend name (UTF-16 units), as the account file (`@hush/session`). */
const MAX_NAME_LENGTH = 256
/** Largest message (UTF-8 bytes): session v2's `MAX_MESSAGE_BYTES` (`@hush/session` `MAX_MESSAGE_BYTES_V2`). */
const MAX_TEXT_BYTES = 4051
const PUBLIC_KEY = /^0x04[0-9a-fA-F]{128}$/
const CONVERSATION_ID = /^[0-9a-fA-F]{16}$/

/** A password: a non-empty string of at most 1024 characters. @throws {InvalidParamsError} */
function parsePassword(value: unknown, label: string): string {
  const text = parseString(value, label)
  if (text.length === 0 || text.length > MAX_PASSWORD_LENGTH) throw new InvalidParamsError(`invalid ${label}: a password must be 1–${MAX_PASSWORD_LENGTH} characters`)
  return text
}

/** A friend's name: 1–256 characters. @throws {InvalidParamsError} */
function parseFriendName(value: unknown, label: string): string {
  const text = parseString(value, label)
  if (text.length === 0 || text.length > MAX_NAME_LENGTH) throw new InvalidParamsError(`invalid ${label}: a name must be 1–${MAX_NAME_LENGTH} characters`)
  return text
}

/** An account public key: `0x04` and 128 hex digits, returned in lowercase. @throws {InvalidParamsError} */
export function parsePublicKey(value: unknown, label: string): string {
  const text = parseString(value, label)
  if (!PUBLIC_KEY.test(text)) throw new InvalidParamsError(`invalid ${label}: expected a public key, 0x04 and 128 hex digits`)
  return text.toLowerCase()
}

/** A conversation or request id: 16 hex digits, returned in lowercase. @throws {InvalidParamsError} */
export function parseConversationId(value: unknown, label: string): string {
  const text = parseString(value, label)
  if (!CONVERSATION_ID.test(text)) throw new InvalidParamsError(`invalid ${label}: expected an id of 16 hex digits`)
  return text.toLowerCase()
}

/** A message: a string of at most 4051 bytes of UTF-8. @throws {InvalidParamsError} */
export function parseText(value: unknown, label: string): string {
  const text = parseString(value, label)
  const bytes = new TextEncoder().encode(text).length
  if (bytes > MAX_TEXT_BYTES) throw new InvalidParamsError(`invalid ${label}: a message is at most ${MAX_TEXT_BYTES} bytes of UTF-8, got ${bytes}`)
  return text
}

/** geth's arity check: too many or missing required arguments are −32602. */
function arity(params: readonly unknown[], count: number): void {
  if (params.length > count) throw new InvalidParamsError(`too many arguments, want at most ${count}`)
  for (let i = 0; i < count; i++) {
    if (params[i] === undefined || params[i] === null) throw new InvalidParamsError(`missing value for required argument ${i}`)
  }
}

type Decoder<T> = (value: unknown, label: string) => T

const none =
  (fn: () => unknown): MethodHandler =>
  (_shh, params) => {
    arity(params, 0)
    return fn()
  }

const one =
  <A>(a: Decoder<A>, fn: (x: A, ctx: CallContext) => unknown): MethodHandler =>
  (_shh, params, ctx) => {
    arity(params, 1)
    return fn(a(params[0], 'argument 0'), ctx)
  }

const two =
  <A, B>(a: Decoder<A>, b: Decoder<B>, fn: (x: A, y: B, ctx: CallContext) => unknown): MethodHandler =>
  (_shh, params, ctx) => {
    arity(params, 2)
    return fn(a(params[0], 'argument 0'), b(params[1], 'argument 1'), ctx)
  }

/** `hush_subscription` notifications carry the messenger's event as it is. */
const MESSENGER_NOTIFICATION: NotificationFormat<unknown> = { method: 'hush_subscription', format: (event) => event }

/** The `hush_*` messenger method table over `messenger`. */
export function messengerMethods(messenger: MessengerApi): Record<string, MethodHandler> {
  return {
    hush_accountInfo: none(() => messenger.info()),
    hush_accountCreate: one(parsePassword, (password) => messenger.createAccount(password)),
    hush_accountUnlock: one(parsePassword, (password) => messenger.unlock(password)),
    hush_accountLock: none(async () => {
      await messenger.lock()
      return true
    }),
    hush_friendList: none(() => messenger.friends()),
    hush_friendAdd: two(parseFriendName, parsePublicKey, (name, key) => messenger.addFriend(name, key)),
    hush_friendRename: two(parsePublicKey, parseFriendName, (key, name) => messenger.renameFriend(key, name)),
    hush_friendRemove: one(parsePublicKey, async (key) => {
      await messenger.removeFriend(key)
      return true
    }),
    hush_open: one(parsePublicKey, (key, ctx) => messenger.open(key, { signal: ctx.signal })),
    hush_requests: none(() => messenger.requests()),
    hush_accept: one(parseConversationId, (id) => messenger.accept(id)),
    hush_reject: one(parseConversationId, async (id) => {
      await messenger.reject(id)
      return true
    }),
    hush_conversations: none(() => messenger.conversations()),
    hush_messages: one(parseConversationId, (id) => messenger.messages(id)),
    hush_send: two(parseConversationId, parseText, (id, text, ctx) => messenger.send(id, text, { signal: ctx.signal })),
    // No signal: a client that goes away must not cut a close short (that would skip the close record).
    hush_close: one(parseConversationId, async (id) => {
      await messenger.close(id)
      return true
    }),
    hush_subscribe: one(parseString, (kind, ctx) => {
      if (ctx.subscriptions === undefined) throw new ShhRequestError('notifications not supported')
      if (kind !== 'messenger') throw new ShhRequestError(`no "${kind}" subscription in hush namespace`)
      const signal = ctx.signal
      return ctx.subscriptions.add((own) => messenger.events({ signal: AbortSignal.any([own, signal]) }), MESSENGER_NOTIFICATION)
    }),
    hush_unsubscribe: one(parseString, (id, ctx) => {
      if (ctx.subscriptions === undefined) throw new ShhRequestError('notifications not supported')
      if (!ctx.subscriptions.remove(id)) throw new ShhRequestError('subscription not found')
      return true
    }),
  }
}
