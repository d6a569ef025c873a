/**
 * @packageDocumentation
 * The node side of the Hush messenger (docs/SESSION.md §21): one account, kept encrypted at rest
 * in a directory on the node's side (the session package's account file), its friends (names and
 * account public keys), and session v2 conversations — forward-secure, ordered, acknowledged —
 * opened with a friend by public key. The opener sends a one-time invitation to the friend's
 * account key as a signed, ECIES-encrypted Whisper message on one well-known topic; a friend's
 * request is accepted at once, a stranger's waits for the user (accept or reject). Conversations
 * and their owners survive a restart; with a mail server (`requestHistory` on the transport)
 * what was sent while the node was away arrives when it comes back. `@hush/rpc` serves it as the
 * `hush_*` JSON-RPC methods.
 *
 * @example
 * ```ts
 * import { createMessenger } from '@hush/messenger'
 *
 * const messenger = createMessenger({ dir: '/var/lib/hush/messenger' }, { transport: node.services.shh })
 * await messenger.createAccount('correct horse battery staple')
 * await messenger.addFriend('bob', bobPublicKey)
 * messenger.onEvent((event) => {
 *   if (event.type === 'open') void messenger.send(event.conversation.id, 'hello, Bob')
 * })
 * await messenger.open(bobPublicKey)
 * ```
 */
export type {
  ConversationInfo,
  ConversationStatus,
  Friend,
  MessageEntry,
  MessengerCallOptions,
  MessengerCloseReason,
  MessengerComponents,
  MessengerEvent,
  MessengerInfo,
  MessengerInit,
  RequestInfo,
} from './types.ts'
export type { Messenger } from './messenger.ts'
export { createMessenger } from './messenger.ts'
export { REQUEST_TOPIC } from './constants.ts'
export { AccountExistsError, FriendExistsError, LockedError, NoAccountError, NotFoundError, NotOpenError, WrongPasswordError } from './errors.ts'
