/**
 * What the mail server and the history client need of a Hush node, declared here and satisfied
 * structurally by `@hush/node`'s Whisper service (`node.services.shh`): the package does not
 * import the node, the node does not import it.
 */
import type { Envelope } from '@hush/envelope'

/** A peer id (libp2p's `PeerId`, or anything naming a peer by its string form). */
export interface PeerRef {
  toString(): string
}

/** A newly pooled envelope (the node's `'envelope'` event). */
export interface PooledEnvelope {
  readonly envelope: Envelope
  /** Its canonical RLP (a copy). */
  readonly raw: Uint8Array
  readonly hash: Uint8Array
}

/** A code-126 request envelope from a peer. */
export interface P2PRequestLike {
  readonly envelope: Envelope
  readonly raw: Uint8Array
  readonly hash: Uint8Array
  readonly from: PeerRef
}

/** A code-127 envelope from a trusted peer (the node's `'p2p:message'` event). */
export interface P2PMessageLike {
  readonly raw: Uint8Array
  readonly hash: Uint8Array
  readonly from: PeerRef
}

/** A code-125 completion from a trusted peer (the node's `'p2p:complete'` event). */
export interface P2PCompleteLike {
  readonly body: Uint8Array
  readonly from: PeerRef
}

/** The node as the mail server uses it. */
export interface MailServerHost {
  addEventListener(type: 'envelope', listener: (event: CustomEvent<PooledEnvelope>) => void): void
  removeEventListener(type: 'envelope', listener: (event: CustomEvent<PooledEnvelope>) => void): void
  /** Receives code-126 requests (one handler per node). */
  setRequestHandler(handler: ((request: P2PRequestLike) => void) | undefined): void
  /** Costs a peer score for a bad request. */
  penalize(peer: PeerRef, reason: 'bad-request'): void
  /** Sends envelopes as code-127 frames, waiting for the peer's stream to drain when needed. */
  sendP2PMessages(peer: PeerRef, raws: readonly Uint8Array[], options?: { signal?: AbortSignal }): Promise<void>
  /** Sends a code-125 completion after them. */
  sendP2PComplete(peer: PeerRef, body: Uint8Array, options?: { signal?: AbortSignal }): Promise<void>
}

/** The node as the history client uses it. */
export interface HistoryClientHost {
  /** Accepts code-127 and code-125 frames from the peer (a client trusts the servers it asks). */
  markTrustedPeer(peer: PeerRef): void
  /** Sends a request envelope as a code-126 frame. */
  sendP2PRequest(peer: PeerRef, raw: Uint8Array): void
  addEventListener(type: 'p2p:message', listener: (event: CustomEvent<P2PMessageLike>) => void): void
  addEventListener(type: 'p2p:complete', listener: (event: CustomEvent<P2PCompleteLike>) => void): void
  removeEventListener(type: 'p2p:message', listener: (event: CustomEvent<P2PMessageLike>) => void): void
  removeEventListener(type: 'p2p:complete', listener: (event: CustomEvent<P2PCompleteLike>) => void): void
}
