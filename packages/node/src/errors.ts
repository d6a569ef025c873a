/** Named errors of @hush/node; the `name` is the contract (house-style §3.6). */

/** A peer sent bytes that are not a valid shh/6 frame (wrong shape, oversized, bad varint). */
export class InvalidFrameError extends Error {
  static override name = 'InvalidFrameError'

  constructor(message = 'Invalid frame', options?: ErrorOptions) {
    super(message, options)
    this.name = 'InvalidFrameError'
  }
}

/** A key id does not name a key in the key store. */
export class KeyNotFoundError extends Error {
  static override name = 'KeyNotFoundError'

  constructor(message = 'Key not found', options?: ErrorOptions) {
    super(message, options)
    this.name = 'KeyNotFoundError'
  }
}

/** A filter id does not name an installed filter. */
export class FilterNotFoundError extends Error {
  static override name = 'FilterNotFoundError'

  constructor(message = 'Filter not found', options?: ErrorOptions) {
    super(message, options)
    this.name = 'FilterNotFoundError'
  }
}

/** The node refused an envelope the app itself posted (too large, TTL 0, …). */
export class PostRejectedError extends Error {
  static override name = 'PostRejectedError'
  /** The validation outcome that refused it. */
  readonly reason: string

  constructor(reason: string, message = `Envelope rejected: ${reason}`, options?: ErrorOptions) {
    super(message, options)
    this.name = 'PostRejectedError'
    this.reason = reason
  }
}

/** An operation needs a started node. */
export class NotStartedError extends Error {
  static override name = 'NotStartedError'

  constructor(message = 'The Whisper service is not started', options?: ErrorOptions) {
    super(message, options)
    this.name = 'NotStartedError'
  }
}

/** A peer id does not name a connected peer. */
export class PeerNotFoundError extends Error {
  static override name = 'PeerNotFoundError'

  constructor(message = 'Peer not connected', options?: ErrorOptions) {
    super(message, options)
    this.name = 'PeerNotFoundError'
  }
}
