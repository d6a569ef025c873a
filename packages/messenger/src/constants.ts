/**
 * Protocol-fixed values of the messenger (docs/SESSION.md §21) and its file names.
 */
import { topicFromString } from '@hush/envelope'

/**
 * The one well-known topic every request travels on (§21.1): the first 4 bytes of
 * Keccak-256("hush/messenger/request/1"). It says nothing about who is contacted.
 */
export const REQUEST_TOPIC: Uint8Array = topicFromString('hush/messenger/request/1')

/** Version of the request JSON (`"v"`). */
export const REQUEST_VERSION = 1

/** The account file inside the messenger directory (docs/SESSION.md §12.1). */
export const ACCOUNT_FILE = 'account'

/** The session state directory: `<account path>.sessions` by the session package's convention (§12.2). */
export const SESSIONS_DIR = 'account.sessions'

/** Which friend each conversation is with, requests, seen ids (§21.3), encrypted under the state key. */
export const STATE_FILE = 'messenger.state'

/** Clock skew allowed on both ends of a catch-up range of the request topic (as §10.4). */
export const CATCH_UP_SKEW_MS = 30_000
