/**
 * Named protocol errors of @hush/envelope. The `name` is the contract: callers and tests check
 * `err.name`, never the message (house-style §3.6).
 */

/** Thrown when envelope bytes are not a canonical 5-item Whisper v6 envelope within the limits. */
export class InvalidEnvelopeError extends Error {
  static override name = 'InvalidEnvelopeError'

  constructor(message = 'Invalid envelope', options?: ErrorOptions) {
    super(message, options)
    this.name = 'InvalidEnvelopeError'
  }
}

/** Thrown when bytes are not canonical RLP of the expected shape. */
export class InvalidRlpError extends Error {
  static override name = 'InvalidRlpError'

  constructor(message = 'Invalid RLP', options?: ErrorOptions) {
    super(message, options)
    this.name = 'InvalidRlpError'
  }
}

/** Thrown when a topic string is not 4 bytes of hex (geth's `TopicType.UnmarshalText`). */
export class InvalidTopicError extends Error {
  static override name = 'InvalidTopicError'

  constructor(message = 'Invalid topic', options?: ErrorOptions) {
    super(message, options)
    this.name = 'InvalidTopicError'
  }
}

/**
 * Thrown when a decrypted plaintext is not a well-formed Whisper payload: empty, a size field or
 * payload running past the end, a signature too short or one that recovers no public key (spec §5.4).
 */
export class InvalidPayloadError extends Error {
  static override name = 'InvalidPayloadError'

  constructor(message = 'Invalid payload', options?: ErrorOptions) {
    super(message, options)
    this.name = 'InvalidPayloadError'
  }
}

/**
 * Thrown when ciphertext cannot be decrypted with the given key: too short, a malformed ephemeral
 * key, or a MAC/tag that does not verify. For a receiver this means "not for me" (spec §5.5, §5.6).
 */
export class DecryptionError extends Error {
  static override name = 'DecryptionError'

  constructor(message = 'Decryption failed', options?: ErrorOptions) {
    super(message, options)
    this.name = 'DecryptionError'
  }
}
