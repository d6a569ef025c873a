/**
 * Named errors of @hush/rpc. The `name` is the contract: the dispatcher maps each to a JSON-RPC
 * error code (spec §8 conventions), and tests check `err.name`.
 */

/** A request's params could not be decoded (JSON-RPC −32602, geth's "invalid argument N: …"). */
export class InvalidParamsError extends Error {
  static override name = 'InvalidParamsError'

  constructor(message = 'Invalid params', options?: ErrorOptions) {
    super(message, options)
    this.name = 'InvalidParamsError'
  }
}

/** The method is not served (JSON-RPC −32601, geth's "the method X does not exist/is not available"). */
export class MethodNotFoundError extends Error {
  static override name = 'MethodNotFoundError'

  constructor(method: string, options?: ErrorOptions) {
    super(`the method ${method} does not exist/is not available`, options)
    this.name = 'MethodNotFoundError'
  }
}

/**
 * A request the RPC layer refuses with geth's own error text, such as "specify either a symmetric
 * or an asymmetric key" or "notifications not supported" (JSON-RPC −32000, like node errors).
 */
export class ShhRequestError extends Error {
  static override name = 'ShhRequestError'

  constructor(message = 'Request refused', options?: ErrorOptions) {
    super(message, options)
    this.name = 'ShhRequestError'
  }
}
