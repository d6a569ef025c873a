/**
 * The node methods the RPC server calls. `WhisperService` from `@hush/node` satisfies it; tests
 * pass object literals.
 */
import type { MessageCriteria, PostParams, ReceivedMessage, WhisperInfo } from '@hush/node'

/** Per-call options the server passes: aborted when the server closes or the client leaves. */
export interface ShhCallOptions {
  signal?: AbortSignal
}

/** The subset of `WhisperService` behind the `shh_*` methods (geth's shh API, spec §8.1). */
export interface ShhApi {
  newKeyPair(): string
  addPrivateKey(privateKey: Uint8Array): string
  deleteKeyPair(id: string): boolean
  hasKeyPair(id: string): boolean
  getPublicKey(id: string): Uint8Array
  getPrivateKey(id: string): Uint8Array
  newSymKey(): string
  addSymKey(key: Uint8Array): string
  generateSymKeyFromPassword(password: string): string
  hasSymKey(id: string): boolean
  getSymKey(id: string): Uint8Array
  deleteSymKey(id: string): boolean
  post(params: PostParams, options?: ShhCallOptions): Promise<Uint8Array>
  newMessageFilter(criteria: MessageCriteria): string
  getFilterMessages(id: string): ReceivedMessage[]
  deleteMessageFilter(id: string): boolean
  /**
   * Installs a filter at once (so its errors throw here) and yields its messages; the iterable
   * ends, and the filter is removed, when `options.signal` aborts.
   */
  subscribe(criteria: MessageCriteria, options?: ShhCallOptions): AsyncIterable<ReceivedMessage>
  setMinPoW(pow: number): void
  setMaxMessageSize(size: number): void
  setBloomFilter(bloom: Uint8Array): void
  markTrustedPeer(peer: string): void
  info(): Pick<WhisperInfo, 'memory' | 'envelopes' | 'minPow' | 'maxMessageSize'>
}
