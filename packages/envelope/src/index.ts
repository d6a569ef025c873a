/**
 * @packageDocumentation
 * Whisper v6 envelopes, byte-compatible with geth v1.9: the RLP codec, topics and blooms, the
 * payload format, ECIES on secp256k1 and AES-256-GCM. Pure and synchronous, except the async
 * twin of the password key (`symKeyFromPasswordAsync`), which keeps PBKDF2 off the event loop.
 *
 * @example
 * ```ts
 * import { encodeEnvelope, decodeEnvelope, envelopeHash, topicFromString } from '@hush/envelope'
 * const bytes = encodeEnvelope({ expiry: 1764072050, ttl: 50, topic: topicFromString('chat'), data, nonce: 0n })
 * const envelope = decodeEnvelope(bytes)
 * ```
 */
export type { Envelope, EnvelopeLimits } from './envelope.ts'
export {
  decodeEnvelope,
  encodeEnvelope,
  encodeEnvelopeWithoutNonce,
  envelopeHash,
  envelopeSize,
} from './envelope.ts'
export type { Bloom, Topic } from './topic.ts'
export {
  FULL_BLOOM,
  bloomMatches,
  bloomUnion,
  bytesToTopic,
  isFullBloom,
  topicFromHex,
  topicFromNumber,
  topicFromString,
  topicToBloom,
  topicToBloomOr,
  topicToHex,
  topicToNumber,
  topicsToBloom,
} from './topic.ts'
export { keccak256 } from './keccak.ts'
export type { RlpItem, RlpItemBounds, RlpLimits } from './rlp.ts'
export { decodeRlp, encodeRlp, readRlpItem, rlpHeaderLength, scanRlpItem, uintToBytes, bytesToUint, writeRlpHeader } from './rlp.ts'
export * from './constants.ts'
export { InvalidEnvelopeError, InvalidRlpError, InvalidTopicError } from './errors.ts'
export type { PayloadInit, UnwrappedPayload } from './payload.ts'
export { autoPaddingLength, unwrapPayload, wrapPayload } from './payload.ts'
export { decryptSymmetric, encryptSymmetric } from './aes-gcm.ts'
export { decryptAsymmetric, encryptAsymmetric } from './ecies.ts'
export type { KeyPair, SymKeyFromPasswordOptions } from './keys.ts'
export {
  generateKeyPair,
  generatePrivateKey,
  generateSymKey,
  getPublicKey,
  isValidPrivateKey,
  isValidPublicKey,
  symKeyFromPassword,
  symKeyFromPasswordAsync,
} from './keys.ts'
export type { OpenMessageKey, OpenedMessage, WrapMessageBase, WrapMessageInit } from './message.ts'
export { openMessage, wrapMessage } from './message.ts'
export type { CryptoBackend, CryptoOptions } from './backend.ts'
export { availableCryptoBackends, defaultCryptoBackend, getNodeBackend, nobleBackend } from './backend.ts'
export { DecryptionError, InvalidPayloadError } from './errors.ts'
