/**
 * Shared flag parsing for the commands: topics, hex, data directory, config files.
 */
import { readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { type Topic, topicFromHex, topicFromString } from '@hush/envelope'
import { CliError } from './errors.ts'

/** A topic from `0x` + 8 hex digits, or from a name (first 4 bytes of keccak256 of it). */
export function parseTopic(value: string): Topic {
  return value.startsWith('0x') ? topicFromHex(value) : topicFromString(value)
}

/** The data directory: `--data-dir`, else `$HUSH_DIR`, else `~/.hush`. */
export function dataDir(flag: string | undefined): string {
  return flag ?? process.env.HUSH_DIR ?? join(homedir(), '.hush')
}

/**
 * Reads a JSON config file whose keys are the command's long flag names in camelCase
 * (`{"listen": [...], "minPow": 0.5}`); flags given on the command line win.
 * @throws {CliError} when the file is missing or not a JSON object
 */
export async function readConfig(path: string): Promise<Record<string, unknown>> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new CliError(`cannot read the config file ${path}: ${(err as Error).message}`, { cause: err })
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    throw new CliError(`the config file ${path} is not valid JSON: ${(err as Error).message}`, { cause: err })
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new CliError(`the config file ${path} must hold a JSON object`)
  return parsed as Record<string, unknown>
}
