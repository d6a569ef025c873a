/** Named errors of @hush/mail; the `name` is the contract (house-style §3.6). */

/** A history request's payload is not a valid request (geth's or the extended form). */
export class InvalidHistoryRequestError extends Error {
  static override name = 'InvalidHistoryRequestError'

  constructor(message = 'Invalid history request', options?: ErrorOptions) {
    super(message, options)
    this.name = 'InvalidHistoryRequestError'
  }
}

/** A request-complete frame's body is not a valid completion. */
export class InvalidCompletionError extends Error {
  static override name = 'InvalidCompletionError'

  constructor(message = 'Invalid request completion', options?: ErrorOptions) {
    super(message, options)
    this.name = 'InvalidCompletionError'
  }
}

/** A history request got no (complete) answer in time. */
export class HistoryTimeoutError extends Error {
  static override name = 'HistoryTimeoutError'

  constructor(message = 'The mail server did not answer in time', options?: ErrorOptions) {
    super(message, options)
    this.name = 'HistoryTimeoutError'
  }
}

/** A mail server's answer does not match what was received (count or digest). */
export class HistoryMismatchError extends Error {
  static override name = 'HistoryMismatchError'

  constructor(message = 'The mail server\'s completion does not match the envelopes received', options?: ErrorOptions) {
    super(message, options)
    this.name = 'HistoryMismatchError'
  }
}
