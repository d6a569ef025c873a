/**
 * @packageDocumentation
 * Forward-secure, ordered and acknowledged two-party sessions over Whisper envelopes
 * (design.md §7; the paper's §3.2.D made forward-secure).
 *
 * A signed, ECIES-encrypted handshake on the recipient's discovery topic carries a session id,
 * two handshake keys, two random topics and an ephemeral key; the reply carries the other
 * ephemeral key, and both sides derive the session keys with HKDF from the ephemeral ECDH and
 * the transcript. Messages are then unsigned AES-256-GCM records under a per-direction hash
 * ratchet, numbered, reordered, deduplicated, acknowledged and resent until acknowledged or the
 * TTL runs out; their topics rotate on a schedule both sides derive. Every frame is padded to
 * 256, 1024 or 4096 bytes. The package needs only a
 * {@link SessionTransport} (`postEnvelope` + `subscribeEnvelopes`), which `@hush/node`'s
 * Whisper service provides structurally.
 *
 * @example
 * ```ts
 * import { generateKeyPair } from '@hush/envelope'
 * import { createMemoryTransport, createSessionPeer } from '@hush/session'
 *
 * const transport = createMemoryTransport()
 * const aliceKeys = generateKeyPair()
 * const bobKeys = generateKeyPair()
 * const alice = createSessionPeer({ privateKey: aliceKeys.privateKey }, { transport })
 * const bob = createSessionPeer({ privateKey: bobKeys.privateKey, contacts: [aliceKeys.publicKey] }, { transport })
 * bob.addEventListener('session', ({ detail: session }) => {
 *   session.addEventListener('message', ({ detail }) => console.log(new TextDecoder().decode(detail.payload)))
 * })
 * alice.start()
 * bob.start()
 * const session = await alice.connect(bobKeys.publicKey)
 * await session.send(new TextEncoder().encode('hello'))
 * await session.close()
 * ```
 *
 * Session v2 (docs/SESSION.md) replaces the handshake with one-time invitations and the hash
 * ratchet with a Double Ratchet: {@link createSessionPeerV2} makes a peer whose
 * `createInvitation()` gives a `hush:invite?d=…` URI to hand over out of band, and whose
 * `join(uri)` returns a {@link Conversation} at once (early data allowed). Both sides compare
 * {@link formatSafetyNumber}`(`{@link safetyNumber}`(own, peer))` out of band.
 */
export type { SessionPeer, SessionPeerComponents, SessionPeerEvents, SessionPeerInit, SessionRequest } from './peer.ts'
export { createSessionPeer } from './peer.ts'
export type { Session, SessionCloseReason, SessionEvents, SessionMessage, SessionState, SessionStats } from './session-api.ts'
export type { SessionSettingsInit } from './settings.ts'
export type { AbortOptions, HistoryRange, SessionTransport, SubscribeOptions, TransportPost, TransportPostOptions } from './transport.ts'
export type { MemoryTransport, MemoryTransportFaults, MemoryTransportInit } from './memory-transport.ts'
export { createMemoryTransport } from './memory-transport.ts'
export type { ListenerOptions, TypedEventTarget } from './events.ts'
export type { Ack, AckFrame, CloseFrame, DataFrame, Frame, FrameType, HandshakeFrame, ReplyFrame } from './frames.ts'
export { decodeFrame, encodeFrame } from './frames.ts'
export { discoveryTopic } from './topics.ts'
export {
  FRAME_SIZE_CLASSES_BYTES,
  MAX_MESSAGE_BYTES,
  DEFAULT_DISCOVERY_PARTITIONS,
  DEFAULT_TOPIC_ROTATION_MS,
  DEFAULT_TTL_SECONDS,
} from './constants.ts'
export type { AccountData, AccountKdfOptions, Contact } from './account.ts'
export { addContact, createAccountData, decryptAccount, encryptAccount, removeContact } from './account.ts'
export { loadAccount, saveAccount } from './account-file.ts'
export { writeFileAtomic } from './durable-file.ts'
export {
  AccountDecryptionError,
  HandshakeRejectedError,
  HandshakeTimeoutError,
  InvalidAccountError,
  InvalidFrameError,
  InvalidInvitationError,
  RecordRejectedError,
  SessionClosedError,
} from './errors.ts'

// Session v2 (docs/SESSION.md): invitations, the Double Ratchet, safety numbers. v1 above stays until it is removed.
export type {
  CreateInvitationOptions,
  CreatedInvitation,
  IdentityChoice,
  SessionPeerV2,
  SessionPeerV2Components,
  SessionPeerV2Events,
  SessionPeerV2Init,
} from './v2/session-peer.ts'
export { createSessionPeerV2 } from './v2/session-peer.ts'
export type { Invitation } from './v2/invitation.ts'
export { parseInvitation } from './v2/invitation.ts'
export type { Conversation } from './v2/conversation.ts'
export type { ConversationCloseReason, ConversationEvents, ConversationState, ConversationStats } from './v2/conversation-api.ts'
export type { SessionV2SettingsInit } from './v2/settings.ts'
export { formatSafetyNumber, safetyNumber } from './v2/safety-number.ts'
export { MAX_MESSAGE_BYTES as MAX_MESSAGE_BYTES_V2 } from './v2/frames.ts'
export { FileStateStore, MemoryStateStore } from './v2/state-store.ts'
export type { LoadedState, StateChanges, StateStore } from './v2/state-store.ts'
