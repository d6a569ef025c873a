/**
 * Named errors of @hush/session. The `name` is the contract: callers and tests check `err.name`,
 * never the message (house-style §3.6).
 */

/** Thrown when session frame bytes are not one well-formed, padded frame (see `frames.ts`). */
export class InvalidFrameError extends Error {
  static override name = 'InvalidFrameError'

  constructor(message = 'Invalid session frame', options?: ErrorOptions) {
    super(message, options)
    this.name = 'InvalidFrameError'
  }
}

/**
 * Thrown when a received handshake is refused: not signed, addressed to another key, stale,
 * from the future, a replay of a session id already seen, or made before the replay horizon.
 */
export class HandshakeRejectedError extends Error {
  static override name = 'HandshakeRejectedError'

  constructor(message = 'Handshake rejected', options?: ErrorOptions) {
    super(message, options)
    this.name = 'HandshakeRejectedError'
  }
}

/** Thrown when a session record cannot be opened: wrong keys, tampered bytes, or a number out of reach. */
export class RecordRejectedError extends Error {
  static override name = 'RecordRejectedError'

  constructor(message = 'Session record rejected', options?: ErrorOptions) {
    super(message, options)
    this.name = 'RecordRejectedError'
  }
}

/** Thrown by `send` and `close` on a session that is closed, and by waits cut short by a close. */
export class SessionClosedError extends Error {
  static override name = 'SessionClosedError'

  constructor(message = 'Session is closed', options?: ErrorOptions) {
    super(message, options)
    this.name = 'SessionClosedError'
  }
}

/** Thrown by `connect` when the peer rejects or never answers the handshake in time. */
export class HandshakeTimeoutError extends Error {
  static override name = 'HandshakeTimeoutError'

  constructor(message = 'No handshake reply in time', options?: ErrorOptions) {
    super(message, options)
    this.name = 'HandshakeTimeoutError'
  }
}

/** Thrown when account bytes are not an account file of a known version, or hold invalid data. */
export class InvalidAccountError extends Error {
  static override name = 'InvalidAccountError'

  constructor(message = 'Invalid account file', options?: ErrorOptions) {
    super(message, options)
    this.name = 'InvalidAccountError'
  }
}

/** Thrown when an account file does not decrypt: wrong password, or the file was altered. */
export class AccountDecryptionError extends Error {
  static override name = 'AccountDecryptionError'

  constructor(message = 'Account does not decrypt: wrong password or altered file', options?: ErrorOptions) {
    super(message, options)
    this.name = 'AccountDecryptionError'
  }
}

/**
 * Thrown when a session state file cannot be read back: a snapshot that does not decrypt under the
 * account's state key, or an unreadable entry in the middle of an append log (a torn last entry
 * is a crash during an append and is cut off instead; docs/SESSION.md §12.2).
 */
export class StateCorruptedError extends Error {
  static override name = 'StateCorruptedError'

  constructor(message = 'Session state file corrupted', options?: ErrorOptions) {
    super(message, options)
    this.name = 'StateCorruptedError'
  }
}

/**
 * Thrown when an invitation (docs/SESSION.md §4.2) is refused: not a `hush:invite` URI or compact
 * form, a wrong length or alphabet, a bad checksum, version or flags, an expiry too close, or
 * `I = S_B`. Nothing is sent for it.
 */
export class InvalidInvitationError extends Error {
  static override name = 'InvalidInvitationError'

  constructor(message = 'Invalid invitation', options?: ErrorOptions) {
    super(message, options)
    this.name = 'InvalidInvitationError'
  }
}
