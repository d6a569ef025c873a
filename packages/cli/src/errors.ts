/**
 * Errors the `hush` command reports to the person running it (house-style §3.6), and its exit codes.
 *
 * Only a {@link CliError} (and commander's own argument errors) is a user error: one line on
 * stderr, no stack. Anything else that reaches `bin.ts` is a bug and is shown with its stack.
 */
import { CommanderError } from 'commander'

/** Exit codes of `hush`. */
export const EXIT = {
  /** Done. */
  ok: 0,
  /** A user error that is not bad usage: an unreachable node, a friend who never answers, a port in use, a refused request. */
  failure: 1,
  /** Bad usage: an unknown command or flag, a missing flag, a bad flag value. */
  usage: 2,
  /** A bug in hush (an unexpected error, shown with its stack): sysexits' EX_SOFTWARE. */
  bug: 70,
  /** Stopped by Ctrl-C (128 + SIGINT, as shells report it), having said what was left undone. */
  interrupted: 130,
} as const

/** The exit code of a {@link CliError}. */
export type CliExitCode = typeof EXIT.failure | typeof EXIT.usage | typeof EXIT.interrupted

/** Options of a {@link CliError}. */
export interface CliErrorOptions extends ErrorOptions {
  /** @default EXIT.usage */
  exitCode?: CliExitCode
}

/** A problem the user can fix: a bad flag (exit 2), an unreachable node or a refused request (exit 1). */
export class CliError extends Error {
  static override name = 'CliError'
  /** How `hush` exits for it. */
  readonly exitCode: CliExitCode

  constructor(message: string, options?: CliErrorOptions) {
    super(message, options)
    this.name = 'CliError'
    this.exitCode = options?.exitCode ?? EXIT.usage
  }
}

/**
 * Writes what `hush` shows for an error that ended a command and returns the exit code: one
 * line for a {@link CliError} or a usage error commander found, the stack for anything else (a bug).
 */
export function reportError(err: unknown, write: (text: string) => void): number {
  if (err instanceof CommanderError) {
    // Help asked for (0), or shown because a command is missing (bad usage); --version.
    if (err.code === 'commander.help' || err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return err.exitCode === 0 ? EXIT.ok : EXIT.usage
    // "error: option '--ttl <seconds>' argument '0' is invalid. --ttl must be …": keep our own reason.
    const reason = err.message.replace(/^error: /, '').replace(/^option '[^']*' argument '[^']*' is invalid\. /, '')
    write(`hush: ${reason} (see --help)\n`)
    return EXIT.usage
  }
  if (err instanceof CliError) {
    write(`hush: ${err.message.split('\n')[0]}\n`)
    return err.exitCode
  }
  write(`hush: internal error (a bug in hush, please report it with this output):\n${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
  return EXIT.bug
}
