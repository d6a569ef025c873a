/**
 * The node methods the RPC server calls. `WhisperService` from `@hush/node` satisfies it; tests
 * pass object literals.
 */
import type { MessageCriteria, PostParams, ReceivedMessage, WhisperInfo } from '@hush/node'

/** Per-call options the server passes. */
export interface ShhCallOptions {
  /** Aborted when the server closes or the client's connection ends. */
  signal?: AbortSignal
}

/** The subset of `WhisperService` behind the `shh_*` methods (geth's shh API, spec §8.1). */
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
  /** `shh_generateSymKeyFromPassword`: derives and stores a key, returns its id. */
  generateSymKeyFromPassword(password: string): string
  /** `shh_hasSymKey`. */
  hasSymKey(id: string): boolean
  /** `shh_getSymKey`: the 32-byte key; throws for an unknown id. */
  getSymKey(id: string): Uint8Array
  /** `shh_deleteSymKey`: `false` when the id is unknown. */
  deleteSymKey(id: string): boolean
  /** `shh_post`: wraps, seals and sends a message; resolves to the envelope hash. */
  post(params: PostParams, options?: ShhCallOptions): Promise<Uint8Array>
  /** `shh_newMessageFilter`: installs a polling filter, returns its id. */
  newMessageFilter(criteria: MessageCriteria): string
  /** `shh_getFilterMessages`: drains a filter; throws for an unknown id. */
  getFilterMessages(id: string): ReceivedMessage[]
  /** `shh_deleteMessageFilter`: throws (or returns `false`) for an unknown id. */
  deleteMessageFilter(id: string): boolean
  /**
   * `shh_subscribe`: installs a filter at once (so its errors throw here) and yields its
   * messages; the iterable ends, and the filter is removed, when `options.signal` aborts.
   */
  subscribe(criteria: MessageCriteria, options?: ShhCallOptions): AsyncIterable<ReceivedMessage>
  /** `shh_setMinPoW`. */
  setMinPoW(pow: number): void
  /** `shh_setMaxMessageSize`. */
  setMaxMessageSize(size: number): void
  /** `shh_setBloomFilter`: a 64-byte bloom. */
  setBloomFilter(bloom: Uint8Array): void
  /** `shh_markTrustedPeer`: a connected peer's id. */
  markTrustedPeer(peer: string): void
  /** `shh_info`: the fields geth reports. */
  info(): Pick<WhisperInfo, 'memory' | 'envelopes' | 'minPow' | 'maxMessageSize'>
}
