/** Errors the `hush` command reports to the person running it (house-style §3.6). */

/** A problem the user can fix: a bad flag, an unreachable node, a refused request. */
export class CliError extends Error {
  static override name = 'CliError'

  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'CliError'
  }
}
