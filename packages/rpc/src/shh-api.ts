/**
 * The node methods the RPC server calls, and the types they exchange, defined here (house style
 * §3.5, a consumer-defined interface) so that @hush/rpc needs no runtime or type dependency on
 * @hush/node. `WhisperService` from `@hush/node` satisfies {@link ShhApi} structurally; tests
 * pass object literals.
 */

import type { PowEstimate, PowQuery } from './pow-estimate.ts'

/** Per-call options the server passes. */
export interface ShhCallOptions {
  /** Aborted when the server closes or the client's connection ends. */
  signal?: AbortSignal
}

/**
 * What `shh_post` asks the node to send (geth `NewMessage`, spec §8.2), decoded from JSON: bytes
 * as `Uint8Array`. Exactly one of `symKeyID` and `pubKey`.
 */
export interface ShhPostParams {
  /** Id of the symmetric key to encrypt with. */
  symKeyID?: string
  /** The recipient's 65-byte public key, for asymmetric encryption. */
  pubKey?: Uint8Array
  /** Id of the key pair to sign with; unsigned when absent. */
  sig?: string
  /** Time to live in seconds; the node's default (50) when absent. */
  ttl?: number
  /** The 4-byte topic; required for symmetric messages. */
  topic?: Uint8Array
  /** The application bytes. */
  payload: Uint8Array
  /** Padding used verbatim; the node pads when absent. */
  padding?: Uint8Array
  /** Seconds the node may spend sealing; the post fails if the target is not reached by then. */
  powTime?: number
  /** PoW target; the node's minimum PoW when absent. */
  powTarget?: number
  /** Send directly to this peer (code 127) instead of flooding. */
  targetPeer?: string
}

/** Filter criteria (geth `Criteria`, spec §8.3): exactly one of `symKeyID` and `privateKeyID`. */
export interface ShhCriteria {
  /** Id of a symmetric key. */
  symKeyID?: string
  /** Id of a key pair, for asymmetric messages. */
  privateKeyID?: string
  /** Required signer: the 65-byte public key. */
  sig?: Uint8Array
  /** Minimum PoW of delivered messages. */
  minPow?: number
  /** 4-byte topics to watch; empty or absent means every topic. */
  topics?: readonly Uint8Array[]
  /** Deliver direct p2p messages from trusted peers too. */
  allowP2P?: boolean
}

/** A message a filter delivered (the fields of geth's RPC `Message`, spec §6.3, as bytes). */
export interface ShhMessage {
  /** The application bytes. */
  readonly payload: Uint8Array
  /** The padding bytes. */
  readonly padding: Uint8Array
  /** The signer's 65-byte public key, when the payload was signed. */
  readonly senderPublicKey?: Uint8Array
  /** The 65-byte public key it was encrypted to, for asymmetric messages. */
  readonly recipientPublicKey?: Uint8Array
  /** The envelope's 4-byte topic. */
  readonly topic: Uint8Array
  /** The envelope's TTL in seconds. */
  readonly ttl: number
  /** When it was sent (expiry − TTL), unix seconds. */
  readonly timestamp: number
  /** The envelope's PoW. */
  readonly pow: number
  /** The 32-byte envelope hash. */
  readonly hash: Uint8Array
}

/** The node state `shh_info` reports (spec §8.1). */
export interface ShhInfo {
  /** Bytes of pooled envelopes (sum of `size()`). */
  readonly memory: number
  /** Envelopes in the pool. */
  readonly envelopes: number
  /** The node's minimum PoW. */
  readonly minPow: number
  /** The node's largest accepted envelope, in bytes. */
  readonly maxMessageSize: number
}

/** The node methods behind the `shh_*` methods (geth's shh API, spec §8.1). */
export interface ShhApi {
  /** `shh_newKeyPair`: generates a key pair, returns its id. */
  newKeyPair(): string
  /** `shh_addPrivateKey`: stores a private key, returns its id. */
  addPrivateKey(privateKey: Uint8Array): string
  /** `shh_deleteKeyPair`: `false` when the id is unknown. */
  deleteKeyPair(id: string): boolean
  /** `shh_hasKeyPair`. */
  hasKeyPair(id: string): boolean
  /** `shh_getPublicKey`: the 65-byte public key; throws for an unknown id. */
  getPublicKey(id: string): Uint8Array
  /** `shh_getPrivateKey`: the 32-byte private key; throws for an unknown id. */
  getPrivateKey(id: string): Uint8Array
  /** `shh_newSymKey`: generates a symmetric key, returns its id. */
  newSymKey(): string
  /** `shh_addSymKey`: stores a 32-byte key, returns its id. */
  addSymKey(key: Uint8Array): string
  /**
   * `shh_generateSymKeyFromPassword`: derives (PBKDF2, spec §5.7) and stores a key, returns its
   * id. Asynchronous, so the derivation does not block the event loop; stores nothing once
   * `options.signal` has aborted.
   */
  generateSymKeyFromPasswordAsync(password: string, options?: ShhCallOptions): Promise<string>
  /** `shh_hasSymKey`. */
  hasSymKey(id: string): boolean
  /** `shh_getSymKey`: the 32-byte key; throws for an unknown id. */
  getSymKey(id: string): Uint8Array
  /** `shh_deleteSymKey`: `false` when the id is unknown. */
  deleteSymKey(id: string): boolean
  /**
   * `shh_post`: wraps, seals and sends a message; resolves to the envelope hash. Must stop
   * sealing, and send nothing, once `options.signal` aborts.
   */
  post(params: ShhPostParams, options?: ShhCallOptions): Promise<Uint8Array>
  /**
   * `hush_pooledMessages`: the messages matching `criteria` among the envelopes the node's pool
   * holds now, installing nothing (the node's `pooledMessages`).
   */
  pooledMessages(criteria: ShhCriteria): readonly ShhMessage[]
  /** `hush_powEstimate`: how long the node expects to seal such an envelope (the node's `sealEstimate`). */
  sealEstimate(query: PowQuery): PowEstimate
  /** `shh_newMessageFilter`: installs a polling filter, returns its id. */
  newMessageFilter(criteria: ShhCriteria): string
  /** `shh_getFilterMessages`: drains a filter; throws for an unknown id. */
  getFilterMessages(id: string): readonly ShhMessage[]
  /** `shh_deleteMessageFilter`: throws (or returns `false`) for an unknown id. */
  deleteMessageFilter(id: string): boolean
  /**
   * `shh_subscribe`: installs a filter at once (so its errors throw here) and yields its
   * messages; the iterable ends, and the filter is removed, when `options.signal` aborts.
   */
  subscribe(criteria: ShhCriteria, options?: ShhCallOptions): AsyncIterable<ShhMessage>
  /** `shh_setMinPoW`. */
  setMinPoW(pow: number): void
  /** `shh_setMaxMessageSize`. */
  setMaxMessageSize(size: number): void
  /** `shh_setBloomFilter`: a 64-byte bloom. */
  setBloomFilter(bloom: Uint8Array): void
  /** `shh_markTrustedPeer`: a connected peer's id. */
  markTrustedPeer(peer: string): void
  /** `shh_info` (and the post's default PoW target). */
  info(): ShhInfo
  /** `net_peerCount` and `hush_peers`: the peers the node exchanges envelopes with now. */
  getPeers(): readonly { toString(): string }[]
}
