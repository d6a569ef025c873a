/**
 * The messenger's public types: its settings, what it reports about the account, friends,
 * conversations, requests and messages, and its events.
 */
import type { AccountKdfOptions, ConversationCloseReason, SessionTransport, SessionV2SettingsInit } from '@hush/session'

/** Construction options of {@link createMessenger}. */
export interface MessengerInit {
  /** The directory that holds the account, the session state and the messenger state (made 0700 when missing). */
  dir: string
  /** Settings of every conversation (PoW, TTL, timeouts; docs/SESSION.md §18). @default the session defaults */
  session?: SessionV2SettingsInit
  /** scrypt cost of the account file. @default the session package's (logN 15, r 8, p 1) */
  kdf?: AccountKdfOptions
  /** Accept a request from a friend at once (a stranger's always waits for the user). @default true */
  autoAcceptFriends?: boolean
  /** Lifetime of the invitation a request carries, in seconds (≥ 61). @default the session's `inviteLifetimeSeconds` (7 days) */
  inviteLifetimeSeconds?: number
}

/** Collaborators of a {@link Messenger}. */
export interface MessengerComponents {
  /**
   * Where envelopes go and come from: `node.services.shh`, with `requestHistory` added when a
   * mail server is configured (`@hush/mail`'s `historyFetcher`): then unlocking catches up.
   */
  transport: SessionTransport
  /** Clock, unix milliseconds. @default Date.now */
  now?: () => number
}

/** What {@link Messenger.info} reports. */
export interface MessengerInfo {
  /** Whether an account exists in the directory. */
  readonly exists: boolean
  /** Whether it is unlocked. */
  readonly unlocked: boolean
  /** The account's public key (`0x` hex, 65 bytes): what friends add. Present when unlocked. */
  readonly publicKey?: string
}

/** A friend: a name and an account public key. */
export interface Friend {
  readonly name: string
  /** `0x` and 130 hex digits (uncompressed secp256k1). */
  readonly publicKey: string
}

/** State of a conversation as the messenger shows it. */
export type ConversationStatus = 'inviting' | 'pending' | 'open' | 'closing' | 'closed'

/** One conversation. */
export interface ConversationInfo {
  /** 16 hex digits; the same on both sides (from the invitation's `S_B`). */
  readonly id: string
  /** The other person's account public key (`0x` hex). */
  readonly friend: string
  /** Their name when they are a friend. */
  readonly name?: string
  /** `opener`: we asked; `accepter`: we accepted their request. */
  readonly role: 'opener' | 'accepter'
  /**
   * `inviting`: our request is out, not accepted yet; `pending`: we accepted, the opener has not
   * answered yet; `open`; `closing`; `closed`.
   */
  readonly state: ConversationStatus
  /** When it began, unix ms. */
  readonly createdAtMs: number
  /** The safety number to compare out of band (§13), once both keys are known. */
  readonly safetyNumber?: string
}

/** A request waiting for the user (§21.1). */
export interface RequestInfo {
  /** 16 hex digits: the id the conversation gets once accepted. */
  readonly id: string
  /** Who asks (`0x` hex public key, checked by their signature). */
  readonly from: string
  /** Their name when they are a friend. */
  readonly name?: string
  readonly receivedAtMs: number
  /** When the invitation it carries expires, unix ms: the request goes then. */
  readonly expiresAtMs: number
}

/** One message of a conversation's history (kept in memory while unlocked, never on disk). */
export interface MessageEntry {
  /** `in`: from the friend; `out`: ours. */
  readonly direction: 'in' | 'out'
  /** The message number, per direction, from 1. */
  readonly seq: number
  readonly text: string
  /** When it was received or sent, unix ms. */
  readonly atMs: number
  /** Ours only: `sent`, then `delivered` (the friend's node acknowledged it) or `undelivered`. */
  readonly state?: 'sent' | 'delivered' | 'undelivered'
}

/** Why a conversation ended: the session's reasons, or `expired` (an invitation no one accepted). */
export type MessengerCloseReason = Exclude<ConversationCloseReason, 'stopped'> | 'expired'

/** What the messenger reports; `type` tells which. */
export type MessengerEvent =
  | { readonly type: 'request'; readonly request: RequestInfo }
  | { readonly type: 'open'; readonly conversation: ConversationInfo }
  | { readonly type: 'message'; readonly conversation: string; readonly seq: number; readonly text: string }
  | { readonly type: 'receipt'; readonly conversation: string; readonly seq: number }
  | { readonly type: 'gap'; readonly conversation: string; readonly from: number; readonly to: number }
  | { readonly type: 'undelivered'; readonly conversation: string; readonly seq: number }
  | { readonly type: 'close'; readonly conversation: string; readonly reason: MessengerCloseReason }

/** Per-call cancellation. */
export interface MessengerCallOptions {
  signal?: AbortSignal
}
