/**
 * The shapes of the node's `hush_*` answers and `hush_subscription` events
 * (packages/rpc/README.md, "The messenger: hush_* methods"; `@hush/messenger`'s types), and of
 * the status line.
 */

/** `hush_accountInfo`: whether there is an account, whether it is unlocked, and its public key then. */
export interface AccountInfo {
  exists: boolean
  unlocked: boolean
  /** `0x04` and 128 hex digits: what friends add. */
  publicKey?: string
}

/** A friend: a name and an account public key. */
export interface Friend {
  name: string
  publicKey: string
}

/** A conversation's state as the node reports it. */
export type ConversationState = 'inviting' | 'pending' | 'open' | 'closing' | 'closed'

/** One conversation (`hush_conversations`). */
export interface Conversation {
  /** 16 hex digits, the same on both sides. */
  id: string
  /** The other side's account public key. */
  friend: string
  /** Their name, when a friend. */
  name?: string
  role: 'opener' | 'accepter'
  state: ConversationState
  createdAtMs: number
  /** To compare out of band, once both keys are known. */
  safetyNumber?: string
}

/** A request from someone who is not a friend, waiting for accept or reject (`hush_requests`). */
export interface Request {
  id: string
  from: string
  name?: string
  receivedAtMs: number
  expiresAtMs: number
}

/** Why a conversation ended. */
export type CloseReason = 'local' | 'remote' | 'silent' | 'handshake-timeout' | 'expired'

/** One message of `hush_messages` (the node's memory of a conversation since the unlock). */
export interface HistoryEntry {
  direction: 'in' | 'out'
  seq: number
  text: string
  atMs: number
  state?: 'sent' | 'delivered' | 'undelivered'
}

/** A `hush_subscription` notification's event. */
export type MessengerEvent =
  | { type: 'request'; request: Request }
  | { type: 'open'; conversation: Conversation }
  | { type: 'message'; conversation: string; seq: number; text: string }
  | { type: 'receipt'; conversation: string; seq: number }
  | { type: 'gap'; conversation: string; from: number; to: number }
  | { type: 'undelivered'; conversation: string; seq: number }
  | { type: 'close'; conversation: string; reason: CloseReason }

/** What the status line shows. */
export interface NodeStatus {
  /** `shh_version`. */
  version: string
  /** `shh_info`'s `minPow`. */
  minPow: number
  /** `net_peerCount`. */
  peers: number
}
