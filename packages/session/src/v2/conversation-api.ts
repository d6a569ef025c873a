/**
 * What a session v2 conversation shows and is made from (docs/SESSION.md §9–§11): its states, its
 * events and counters, and its init. The class is {@link Conversation}.
 */
import type { SessionTransport } from '../transport.ts'
import type { Conversation } from './conversation.ts'
import type { SessionCoreValue } from './core-value.ts'
import type { ConversationPersistence } from './journal.ts'
import type { RatchetComponents } from './ratchet.ts'
import type { RatchetRejectReason } from './ratchet-receive.ts'
import type { RatchetState } from './ratchet-state.ts'
import type { SessionV2Settings } from './settings.ts'

/** Why a conversation ended. */
export type ConversationCloseReason = 'local' | 'remote' | 'silent' | 'handshake-timeout' | 'stopped'

/** Lifecycle of a conversation (§11.1). */
export type ConversationState = 'pending' | 'open' | 'closing' | 'closed'

/** Why a record was refused: the ratchet's reasons, or the frame's (`frame`, `window`). */
export type RecordRejectReason = Exclude<RatchetRejectReason, 'duplicate'> | 'frame' | 'window'

/** Events of a {@link Conversation}. */
export interface ConversationEvents {
  /** The joiner's conversation opened: the first record from the inviter authenticated. */
  open: undefined
  /** A message from the peer, in order, exactly once. */
  message: { readonly seq: number; readonly payload: Uint8Array }
  /** The peer acknowledged our message `seq`. */
  receipt: { readonly seq: number }
  /** The peer's numbers `from`…`to` (inclusive) never arrived in time and were skipped. */
  gap: { readonly from: number; readonly to: number }
  /** Our message `seq` was not acknowledged before its delivery clock ran out. */
  undelivered: { readonly seq: number }
  /** The conversation ended: every key is wiped and every topic unsubscribed. */
  close: { readonly reason: ConversationCloseReason }
}

/** Counters of one conversation. */
export interface ConversationStats {
  /** Records posted for the first time (data, acks, close) and message 1. */
  sent: number
  /** Records (and message 1) posted again. */
  resent: number
  /** Records that opened and were taken. */
  received: number
  /** Records that repeated one already taken. */
  duplicates: number
  /** Envelopes on our topics that were refused, by reason. */
  rejected: Partial<Record<RecordRejectReason, number>>
  /** Posts the transport refused (the resend timer tries again). */
  postErrors: number
}

/** The joiner's message 1 while the conversation is pending (§5.5). */
export interface PendingJoin {
  /** The 340 bytes, posted again unchanged. */
  readonly msg1: Uint8Array
  /** The invitation's rendezvous topic `T`. */
  readonly topic: Uint8Array
  /** The invitation's expiry plus the grace: then the joiner gives up (`handshake-timeout`). */
  readonly deadlineMs: number
}

/** What a {@link Conversation} is made from. */
export interface ConversationInit {
  readonly role: 'joiner' | 'inviter'
  /** The ratchet state (the conversation owns it from now on and wipes it at the end). */
  readonly ratchet: RatchetState
  /** The peer's static public key, and our own (for the safety number). */
  readonly peerStaticKey: Uint8Array
  readonly ownStaticKey: Uint8Array
  readonly settings: SessionV2Settings
  readonly transport: SessionTransport
  readonly now: () => number
  readonly components: RatchetComponents
  /**
   * When the conversation began, unix ms: the joiner's clock at `join` (for the inviter, from the
   * init frame). Catch-up starts 30 s before it (§10.4). @default now()
   */
  readonly createdAtMs?: number
  /** The joiner's message 1: the conversation starts `pending` and posts it with backoff. */
  readonly pendingJoin?: PendingJoin
  /** Called once, when the conversation has let go of everything. */
  readonly onClosed?: (conversation: Conversation) => void
  /**
   * Makes the conversation durable: nothing derived from a new state (a record, an event) leaves
   * before the commit that holds it (§12.3). Without it the conversation lives in memory only.
   */
  readonly persistence?: ConversationPersistence
  /** A conversation brought back from its files: its core value and its `.out` log (§12.4). */
  readonly restored?: { readonly core: SessionCoreValue; readonly out: readonly Uint8Array[] }
}
