/**
 * Public parameter and result types of the Whisper service, shaped after geth v1.9's shh API
 * (spec §8) with bytes as `Uint8Array` (the JSON-RPC layer converts to hex).
 */
import type { Bloom, Envelope, Topic } from '@hush/envelope'
import type { SealProgress } from '@hush/pow'
import type { AbortOptions, PeerId } from '@libp2p/interface'
import type { ReceivedMessage } from './filters.ts'
import type { PeerCounters } from './peer-counters.ts'
import type { DropReason } from './validator.ts'

/** Filter criteria (geth `Criteria`): exactly one of `symKeyID` and `privateKeyID`. */
export interface MessageCriteria {
  /** Id of a symmetric key in the key store. */
  symKeyID?: string
  /** Id of a key pair in the key store, for asymmetric messages. */
  privateKeyID?: string
  /** Required signer: the 65-byte public key. */
  sig?: Uint8Array
  /** Minimum PoW of delivered messages. @default 0 */
  minPow?: number
  /** Topics to watch; empty or absent means every topic. */
  topics?: readonly Topic[]
  /** Deliver direct p2p messages from trusted peers too. @default false */
  allowP2P?: boolean
}

/** What to post (geth `NewMessage`): exactly one of `symKeyID` and `pubKey`. */
export interface PostParams {
  /** Id of the symmetric key to encrypt with. */
  symKeyID?: string
  /** The recipient's 65-byte public key, for asymmetric encryption. */
  pubKey?: Uint8Array
  /** Id of the key pair to sign with; unsigned when absent. */
  sig?: string
  /** Time to live in seconds. @default 50 */
  ttl?: number
  /** The 4-byte topic; required for symmetric messages (geth). */
  topic?: Topic
  /** The application bytes. */
  payload: Uint8Array
  /** Padding used verbatim; random padding to 256 bytes when absent. */
  padding?: Uint8Array
  /** Seconds of work allowed for sealing; the envelope fails to post if the target is not reached. */
  powTime?: number
  /** PoW target. @default the node's minimum PoW */
  powTarget?: number
  /** Send directly to this trusted peer as a p2p message (code 127) instead of flooding. */
  targetPeer?: string | PeerId
}

/** Options of `post` and `postEnvelope`. */
export interface PostOptions extends AbortOptions {
  /** Called with sealing progress. */
  onProgress?: (progress: SealProgress) => void
}

/** The envelope a layer with its own crypto posts through `postEnvelope` (design.md §6). */
export interface RawPost {
  topic: Topic
  data: Uint8Array
  ttlSeconds: number
}

/** Options of `postEnvelope`. */
export interface PostEnvelopeOptions extends PostOptions {
  /** PoW to reach; the node's own minimum applies when higher. */
  powTarget?: number
  /** Time budget for sealing. */
  powTimeMs?: number
}

/** An envelope as `subscribeEnvelopes` yields it: the envelope (its own copy) and whose it is. */
export interface ReceivedEnvelope extends Envelope {
  /** Whether this node posted it (through `post` or `postEnvelope`) rather than a peer. */
  readonly isOwn: boolean
}

/** Options of `subscribeEnvelopes`. */
export interface SubscribeEnvelopesOptions extends AbortOptions {
  /**
   * Also yield, first, the envelopes on these topics the node already holds in its pool (live
   * ones): for a layer that starts listening on a topic its peer may already have used.
   * @default false
   */
  includePooled?: boolean
}

/** Traffic counters, summed over peers (the same counters each peer keeps). */
export type WhisperTraffic = PeerCounters

/** Snapshot of the node (geth `Info` plus our counters). */
export interface WhisperInfo {
  /** Bytes of envelopes in the pool (sum of `size()`). */
  memory: number
  /** Envelopes in the pool. */
  envelopes: number
  /** Ready peers: connected, speaking /shh/6.0.0, status exchanged. */
  peers: number
  /** Our minimum PoW. */
  minPow: number
  /** Our max envelope size. */
  maxMessageSize: number
  /** Whether we run in light mode. */
  isLight: boolean
  /** Our announced bloom; `undefined` for a full node. */
  bloom: Bloom | undefined
  /** Drops by reason since start. */
  drops: Record<DropReason, number>
  /** Duplicate envelopes received. */
  duplicates: number
  /** New envelopes added to the pool. */
  added: number
  /** Messages delivered to filters. */
  delivered: number
  /** Installed filters. */
  filters: number
  /** Traffic with peers since start: frames and bytes (length prefixes included) both ways. */
  traffic: WhisperTraffic
  /** Process heap and external memory, in bytes. */
  process: { heapUsed: number; arrayBuffers: number }
}

/** Detail of the `envelope` event: a new envelope entered the pool. */
export interface EnvelopeEventDetail {
  envelope: Envelope
  /** A copy of the envelope's canonical RLP (an archive stores it as is); `envelope`'s fields view it. */
  raw: Uint8Array
  hash: Uint8Array
  pow: number
  /** The peer it came from; `undefined` for our own. */
  from: PeerId | undefined
}

/** Detail of the `envelope:drop` event. */
export interface DropEventDetail {
  reason: DropReason
  from: PeerId | undefined
}

/**
 * A p2p request (code 126), as a mail server registered with `setRequestHandler` gets it. The node
 * checks nothing but the envelope's shape: PoW, expiry, signature and payload are the handler's
 * business.
 */
export interface P2PRequest {
  /** The envelope, decoded from `raw` (its fields view `raw`). */
  readonly envelope: Envelope
  /** A copy of the envelope's canonical RLP as received. */
  readonly raw: Uint8Array
  /** keccak256(raw): the envelope hash. */
  readonly hash: Uint8Array
  /** The peer that sent it. */
  readonly from: PeerId
}

/** The handler of p2p requests (geth `RegisterServer`); what it throws or rejects with is logged. */
export type P2PRequestHandler = (request: P2PRequest) => void

/** Per-call options of `sendP2PMessages` and `sendP2PComplete`. */
export type P2PSendOptions = AbortOptions

/** Detail of the `p2p:message` event: a direct p2p message (code 127) from a trusted peer. */
export interface P2PMessageEventDetail {
  /** A copy of the envelope's canonical RLP. */
  raw: Uint8Array
  /** keccak256(raw). */
  hash: Uint8Array
  /** The trusted peer that sent it. */
  from: PeerId
  /**
   * Whether it was delivered to filters and raw subscriptions now; false when the node had it
   * already (pooled, seen by the pool, or delivered as a p2p message within the last hour).
   */
  delivered: boolean
}

/** Detail of the `p2p:complete` event: a trusted peer (a mail server) finished a request. */
export interface P2PCompleteEventDetail {
  /** A copy of the frame's body: one encoded RLP list of at most 4096 bytes, opaque to the node. */
  body: Uint8Array
  /** The trusted peer that sent it. */
  from: PeerId
}

/** The service's events (CustomEvent detail types). */
export interface WhisperEvents {
  /** A filter delivered a message. */
  message: CustomEvent<ReceivedMessage>
  /** A new, valid envelope entered the pool. */
  envelope: CustomEvent<EnvelopeEventDetail>
  /** An envelope or frame was dropped. */
  'envelope:drop': CustomEvent<DropEventDetail>
  /**
   * A peer finished the status exchange: envelopes now flow both ways, and `getPeers()` lists it.
   */
  'peer:ready': CustomEvent<PeerId>
  /** A ready peer went away (closed, failed, stopped reading, or banned). */
  'peer:disconnect': CustomEvent<PeerId>
  /** It was disconnected and refused for misbehaving. */
  'peer:ban': CustomEvent<PeerId>
  /** A direct p2p message (code 127) from a trusted peer decoded (delivered or a duplicate). */
  'p2p:message': CustomEvent<P2PMessageEventDetail>
  /** A trusted peer sent "p2p request complete" (code 125). */
  'p2p:complete': CustomEvent<P2PCompleteEventDetail>
}
