/**
 * The public face of a session: the {@link Session} interface, its events and counters. The
 * implementation is `session.ts`; peers hand out sessions typed as this interface.
 */
import type { TypedEventTarget } from './events.ts'
import type { AbortOptions } from './transport.ts'

/** A delivered application message. */
export interface SessionMessage {
  /** Its number in the peer's direction, from 1. */
  readonly number: number
  /** The application bytes. */
  readonly payload: Uint8Array
}

/** Why a session ended. */
export type SessionCloseReason = 'local' | 'remote' | 'stopped'

/** Events of a {@link Session}. */
export interface SessionEvents {
  /** A message from the peer, in order, exactly once. */
  message: SessionMessage
  /** The peer acknowledged our message `number`. */
  receipt: { readonly number: number }
  /** Numbers `from`…`to` (inclusive) from the peer never arrived in time and were skipped. */
  gap: { readonly from: number; readonly to: number }
  /** Our message `number` was not acknowledged before its deadline (or the session ended first). */
  undelivered: { readonly number: number }
  /** The session ended; keys are overwritten and subscriptions ended. */
  close: { readonly reason: SessionCloseReason }
}

/** Counters of one session. */
export interface SessionStats {
  /** Records posted for the first time (data, close, acks). */
  sent: number
  /** Records posted again. */
  resent: number
  /** Records opened successfully. */
  received: number
  /** Records that repeated one already handled. */
  duplicates: number
  /** Envelopes on our topic that did not open (forged, tampered, foreign, too far ahead). */
  rejected: number
  /** Posts the transport refused (retried by the resend timer). */
  postErrors: number
}

/** Session lifecycle. */
export type SessionState = 'open' | 'closing' | 'closed'

/** An established two-party session. */
export interface Session extends TypedEventTarget<SessionEvents> {
  /** 16-byte session id (from the handshake). */
  readonly id: Uint8Array
  /** The peer's static public key (verified by the handshake signature or our own choice). */
  readonly peerPublicKey: Uint8Array
  /** Whether we sent the handshake or answered it. */
  readonly role: 'initiator' | 'responder'
  /** Lifecycle state. */
  readonly state: SessionState
  /** Counters. */
  readonly stats: Readonly<SessionStats>
  /**
   * Sends `payload` (at most 4080 bytes) as the next numbered message; resolves to its number
   * once posted. At most 33 messages are in flight (what one ack covers): beyond that the call
   * waits, in call order, until an ack or an expiry makes room; an abort while waiting rejects
   * with `signal.reason` and sends nothing. A failed post is retried by the resend timer, not
   * thrown. An abort of `options.signal` during the post rejects with `signal.reason`, but the
   * message keeps its number and is still resent, so it may arrive (watch `receipt` / `undelivered`).
   * @throws {SessionClosedError} when the session is closing or closed (also while waiting for room)
   * @throws {RangeError} when `payload` is too large
   */
  send(payload: Uint8Array, options?: AbortOptions): Promise<number>
  /**
   * Waits until everything sent is acknowledged or undelivered, sends an authenticated close,
   * waits for its ack (or its deadline), then overwrites the keys and ends the subscriptions.
   * Resolves at once on a closed session. On abort the session is torn down at once and the
   * call rejects with `signal.reason`.
   */
  close(options?: AbortOptions): Promise<void>
  /**
   * Catches up after time offline: asks the transport's `requestHistory` for the peer's records
   * sent since shortly before the last one this session received (TTL plus 30 s earlier, for
   * clock skew), on every receive topic of that span (rotated topics included), listening on
   * those topics meanwhile. What arrives goes through the usual path: in order, duplicates
   * dropped, acks sent. Resolves with the number of envelopes fetched.
   * @throws {TypeError} when the transport has no `requestHistory`
   * @throws {SessionClosedError} when the session is closed
   */
  catchUp(options?: AbortOptions): Promise<number>
}
