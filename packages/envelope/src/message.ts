/**
 * The high-level helpers (spec §5.8, geth `Wrap` and `Open`): a payload in, an envelope ready
 * for sealing out; an envelope and a key in, the opened message out, or `undefined` when the
 * envelope is not for that key.
 */
import { assertBytes, assertUint } from './assert.ts'
import { decryptSymmetric, encryptSymmetric } from './aes-gcm.ts'
import type { CryptoOptions } from './backend.ts'
import { DEFAULT_TTL_SECONDS, MAX_UINT32, TOPIC_LENGTH_BYTES } from './constants.ts'
import { decryptAsymmetric, encryptAsymmetric } from './ecies.ts'
import { type Envelope, envelopeHash } from './envelope.ts'
import { DecryptionError, InvalidPayloadError } from './errors.ts'
import { type UnwrappedPayload, unwrapPayload, wrapPayload } from './payload.ts'
import type { Topic } from './topic.ts'

/** Fields common to both kinds of {@link WrapMessageInit}. */
export interface WrapMessageBase extends CryptoOptions {
  /** The 4-byte topic. */
  topic: Topic
  /** The application bytes. */
  payload: Uint8Array
  /** A secp256k1 private key to sign the payload with; unsigned when absent. */
  signingKey?: Uint8Array
  /**
   * Time to live in seconds; 0 means the default, as in geth.
   * @default 50
   */
  ttl?: number
  /**
   * Padding used verbatim; empty or absent means random padding to a multiple of 256.
   * @default automatic
   */
  padding?: Uint8Array
  /**
   * The current unix time in seconds; `expiry = now + ttl`.
   * @default Math.floor(Date.now() / 1000)
   */
  now?: number
}

/** Input of {@link wrapMessage}: a symmetric key or a recipient public key, not both. */
export type WrapMessageInit =
  | (WrapMessageBase & { symKey: Uint8Array; publicKey?: never })
  | (WrapMessageBase & { publicKey: Uint8Array; symKey?: never })

/** The key to try in {@link openMessage}: a symmetric key or our private key. */
export type OpenMessageKey = { symKey: Uint8Array; privateKey?: never } | { privateKey: Uint8Array; symKey?: never }

/** An opened envelope: the parsed payload plus the envelope fields a receiver reports (spec §6.3). */
export interface OpenedMessage extends UnwrappedPayload {
  /** Which key opened it. */
  readonly encryption: 'symmetric' | 'asymmetric'
  /** The envelope's topic. */
  readonly topic: Topic
  /** The envelope's TTL in seconds. */
  readonly ttl: number
  /** The envelope's expiry, unix seconds. */
  readonly expiry: number
  /** When it was sent: `expiry − ttl`, unix seconds. */
  readonly timestamp: number
  /** The envelope hash (Keccak-256 of its RLP), computed on first access. */
  readonly hash: Uint8Array
}

/**
 * The {@link OpenedMessage} implementation: a class, not an object literal, because a literal
 * with a spread and a lazy getter cost more than the AES-GCM decrypt of a 4 KiB payload.
 */
class Opened implements OpenedMessage {
  readonly payload: Uint8Array
  readonly padding: Uint8Array
  readonly signature?: Uint8Array
  readonly senderPublicKey?: Uint8Array
  readonly encryption: 'symmetric' | 'asymmetric'
  readonly topic: Topic
  readonly ttl: number
  readonly expiry: number
  readonly timestamp: number
  readonly #envelope: Envelope
  #hash: Uint8Array | undefined

  constructor(parsed: UnwrappedPayload, envelope: Envelope, encryption: 'symmetric' | 'asymmetric') {
    this.payload = parsed.payload
    this.padding = parsed.padding
    if (parsed.signature !== undefined) this.signature = parsed.signature
    if (parsed.senderPublicKey !== undefined) this.senderPublicKey = parsed.senderPublicKey
    this.encryption = encryption
    this.topic = envelope.topic
    this.ttl = envelope.ttl
    this.expiry = envelope.expiry
    this.timestamp = envelope.expiry - envelope.ttl
    this.#envelope = envelope
  }

  get hash(): Uint8Array {
    return (this.#hash ??= envelopeHash(this.#envelope))
  }
}

/**
 * Builds the envelope for a payload, as geth's `Wrap` does before sealing: payload plaintext
 * (padding, optional signature), then ECIES to `publicKey` or AES-256-GCM under `symKey`,
 * `expiry = now + ttl` and nonce 0 (seal it with @hush/pow before posting).
 * @throws {TypeError | RangeError} for a missing or malformed key, topic, payload or time, or
 *   when both or neither of `symKey` and `publicKey` are given
 * @example
 * ```ts
 * const envelope = wrapMessage({ topic: topicFromString('chat'), payload: utf8ToBytes('hi'), symKey })
 * ```
 */
export function wrapMessage(init: WrapMessageInit): Envelope {
  if (typeof init !== 'object' || init === null) throw new TypeError('init must be an object')
  assertBytes(init.topic, 'init.topic', TOPIC_LENGTH_BYTES)
  const hasSym = init.symKey !== undefined
  const hasPub = init.publicKey !== undefined
  if (hasSym === hasPub) throw new TypeError('init needs exactly one of symKey and publicKey')
  const ttl = init.ttl === undefined || init.ttl === 0 ? DEFAULT_TTL_SECONDS : init.ttl
  assertUint(ttl, 'init.ttl', MAX_UINT32)
  const now = init.now ?? Math.floor(Date.now() / 1000)
  assertUint(now, 'init.now', MAX_UINT32 - ttl)
  const plaintext = wrapPayload({
    payload: init.payload,
    ...(init.padding !== undefined && { padding: init.padding }),
    ...(init.signingKey !== undefined && { signingKey: init.signingKey }),
  })
  const options: CryptoOptions = init.backend === undefined ? {} : { backend: init.backend }
  const data =
    init.publicKey !== undefined
      ? encryptAsymmetric(plaintext, init.publicKey, options)
      : encryptSymmetric(plaintext, init.symKey as Uint8Array, options)
  return { expiry: now + ttl, ttl, topic: init.topic.slice(), data, nonce: 0n }
}

/**
 * Opens an envelope with one key. Returns `undefined` when the envelope is not ours: the
 * tag/MAC does not verify (wrong key), the data is too short or malformed for the scheme, or
 * the plaintext is not a well-formed payload. Byte fields of the result are views into one
 * fresh plaintext buffer.
 * @throws {TypeError | RangeError} only for a malformed key or envelope argument
 * @example
 * ```ts
 * const message = openMessage(envelope, { symKey })
 * if (message !== undefined) show(message.payload, message.senderPublicKey)
 * ```
 */
export function openMessage(
  envelope: Envelope,
  key: OpenMessageKey,
  options: CryptoOptions = {}
): OpenedMessage | undefined {
  if (typeof envelope !== 'object' || envelope === null) throw new TypeError('envelope must be an object')
  if (typeof key !== 'object' || key === null) throw new TypeError('key must be an object')
  assertBytes(envelope.data, 'envelope.data')
  const symmetric = key.symKey !== undefined
  if (symmetric === (key.privateKey !== undefined)) throw new TypeError('key needs exactly one of symKey and privateKey')
  let parsed: UnwrappedPayload
  try {
    const plaintext = symmetric
      ? decryptSymmetric(envelope.data, key.symKey as Uint8Array, options)
      : decryptAsymmetric(envelope.data, key.privateKey as Uint8Array, options)
    parsed = unwrapPayload(plaintext)
  } catch (err) {
    if (err instanceof DecryptionError || err instanceof InvalidPayloadError) return undefined
    throw err
  }
  return new Opened(parsed, envelope, symmetric ? 'symmetric' : 'asymmetric')
}
