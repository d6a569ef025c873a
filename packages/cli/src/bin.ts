#!/usr/bin/env node
/**
 * The `hush` executable. Exit codes: see `EXIT` in errors.ts (0 done, 1 user error, 2 bad usage,
 * 70 a bug, shown with its stack).
 * @module
 */
import { reportError } from './errors.ts'
import { createProgram } from './program.ts'

try {
  // commander prints no errors itself (program.ts): reportError writes the one line.
  await createProgram().parseAsync(process.argv)
} catch (err) {
  process.exitCode = reportError(err, (text) => process.stderr.write(text))
}
