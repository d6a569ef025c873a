/**
 * Named errors of @hush/messenger (house-style §3.6): the `name` is the contract. The RPC maps
 * every one of them to a −32000 refusal with its message.
 */

/** There is no account in the messenger directory yet: create one first. */
export class NoAccountError extends Error {
  static override name = 'NoAccountError'
  constructor(message = 'there is no messenger account yet: create one first', options?: ErrorOptions) {
    super(message, options)
    this.name = 'NoAccountError'
  }
}

/** An account already exists in the messenger directory. */
export class AccountExistsError extends Error {
  static override name = 'AccountExistsError'
  constructor(message = 'a messenger account already exists here: unlock it', options?: ErrorOptions) {
    super(message, options)
    this.name = 'AccountExistsError'
  }
}

/** The password does not open the account (or the file was altered). */
export class WrongPasswordError extends Error {
  static override name = 'WrongPasswordError'
  constructor(message = 'wrong password (or the account file was altered)', options?: ErrorOptions) {
    super(message, options)
    this.name = 'WrongPasswordError'
  }
}

/** The account is locked: unlock it first. */
export class LockedError extends Error {
  static override name = 'LockedError'
  constructor(message = 'the messenger account is locked: unlock it first', options?: ErrorOptions) {
    super(message, options)
    this.name = 'LockedError'
  }
}

/** No friend, conversation or request with that key or id; the message says which. */
export class NotFoundError extends Error {
  static override name = 'NotFoundError'
  constructor(message = 'not found', options?: ErrorOptions) {
    super(message, options)
    this.name = 'NotFoundError'
  }
}

/** A friend with that name or public key exists already; the message says which. */
export class FriendExistsError extends Error {
  static override name = 'FriendExistsError'
  constructor(message = 'that friend exists already', options?: ErrorOptions) {
    super(message, options)
    this.name = 'FriendExistsError'
  }
}

/** The conversation cannot take messages: the friend has not accepted yet, or it is closing. */
export class NotOpenError extends Error {
  static override name = 'NotOpenError'
  constructor(message = 'the conversation is not open', options?: ErrorOptions) {
    super(message, options)
    this.name = 'NotOpenError'
  }
}
