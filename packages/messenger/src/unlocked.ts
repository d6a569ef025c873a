/**
 * What the messenger holds while its account is unlocked, and the views of it the app is given.
 */
import { type AccountData, type Conversation, type SessionPeerV2, formatSafetyNumber, safetyNumber } from '@hush/session'
import type { MessageHistory } from './history.ts'
import { keyToHex } from './request.ts'
import type { ConversationRecord, MessengerState } from './state-file.ts'
import type { ConversationInfo, ConversationStatus, RequestInfo } from './types.ts'

/** What is held while unlocked. */
export interface Unlocked {
  readonly account: { data: AccountData }
  readonly password: string
  readonly publicKey: Uint8Array
  readonly peer: SessionPeerV2
  readonly state: MessengerState
  readonly live: Map<string, Conversation>
  readonly closed: Map<string, ConversationInfo>
  /** Each open conversation's messages since the unlock. */
  readonly history: MessageHistory
  readonly subscription: AbortController
}

/** The name `u`'s account gives the friend with `publicKey` (hex), if any. */
function nameOf(u: Unlocked, publicKey: string): string | undefined {
  return u.account.data.contacts.find((c) => keyToHex(c.publicKey) === publicKey)?.name
}

/** What the app is told about conversation `id`. */
export function describeConversation(u: Unlocked, id: string): ConversationInfo {
  const record = u.state.conversations[id] as ConversationRecord
  const c = u.live.get(id)
  const name = nameOf(u, record.friend)
  const state: ConversationStatus = c === undefined ? (record.uri !== undefined ? 'inviting' : 'pending') : c.state
  return {
    id,
    friend: record.friend,
    ...(name !== undefined && { name }),
    role: record.role,
    state,
    createdAtMs: record.createdAtMs,
    ...(c !== undefined && { safetyNumber: formatSafetyNumber(safetyNumber(c.ownStaticKey, c.peerStaticKey)) }),
  }
}

/** What the app is told about request `id`. */
export function describeRequest(u: Unlocked, id: string): RequestInfo {
  const r = u.state.requests[id]
  const name = nameOf(u, r.from)
  return { id, from: r.from, ...(name !== undefined && { name }), receivedAtMs: r.receivedAtMs, expiresAtMs: r.expiresAtMs }
}
