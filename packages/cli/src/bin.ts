#!/usr/bin/env node
/**
 * The `hush` executable.
 * @module
 */
import { CommanderError } from 'commander'
import { CliError } from './errors.ts'
import { createProgram } from './program.ts'

try {
  await createProgram().parseAsync(process.argv)
} catch (err) {
  if (err instanceof CommanderError) {
    // commander printed the message (or the help); a usage error exits 2 like a CliError.
    process.exitCode = err.exitCode === 0 ? 0 : 2
  } else if (err instanceof CliError || err instanceof RangeError || err instanceof TypeError) {
    process.stderr.write(`hush: ${(err as Error).message}\n`)
    process.exitCode = 2
  } else {
    process.stderr.write(`hush: ${(err as Error)?.stack ?? String(err)}\n`)
    process.exitCode = 1
  }
}
