/**
 * Shared flag parsing for the commands: topics, hex, data directory, config files.
 */
import { readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { type Topic, isValidPublicKey, topicFromHex, topicFromString } from '@hush/envelope'
import { CliError } from './errors.ts'
import { type PromptPasswordOptions, canPrompt, promptPassword } from './prompt.ts'

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

/**
 * Reads a password from `file` (one trailing newline dropped), else from the environment
 * variable `envName`, else, when stdin and stderr are terminals, asks for it there without echo
 * (twice with `confirm`, for a password being chosen). Never from a flag value: those show in `ps`.
 * @throws {CliError} when none of them gives a non-empty password, or the file cannot be read
 */
export async function readPassword(file: string | undefined, envName: string, fileFlag: string, what = 'mail password', options: PromptPasswordOptions = {}): Promise<string> {
  let password: string | undefined
  if (file !== undefined) {
    try {
      password = (await readFile(file, 'utf8')).replace(/\r?\n$/, '')
    } catch (err) {
      throw new CliError(`cannot read ${fileFlag} ${file}: ${(err as Error).message}`, { cause: err })
    }
  } else {
    password = process.env[envName]
  }
  if (password !== undefined && password !== '') return password
  if (file === undefined && canPrompt()) return promptPassword(what, options)
  throw new CliError(`the ${what} is missing: give ${fileFlag} <file> or set ${envName}, or run hush on a terminal to be asked for it`)
}

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 }

/**
 * A time flag: unix seconds (`1764072000`), `now`, or an age (`90s`, `30m`, `2h`, `7d`) meaning
 * that long before `now`.
 * @throws {CliError} naming `flag` for anything else
 */
export function parseTime(value: string, flag: string, now: number = Math.floor(Date.now() / 1000)): number {
  if (value === 'now') return now
  if (/^\d+$/.test(value)) {
    const n = Number(value)
    if (n <= 0xffffffff) return n
  }
  const age = /^(\d+)([smhd])$/.exec(value)
  if (age !== null) return Math.max(0, now - Number(age[1]) * (UNIT_SECONDS[age[2]] as number))
  throw new CliError(`${flag} must be unix seconds, "now", or an age like 90s, 30m, 2h, 7d; got "${value}"`)
}

/**
 * A duration flag: `90s`, `30m`, `2h`, `7d`; returns seconds.
 * @throws {CliError} naming `flag` for anything else
 */
export function parseDuration(value: string, flag: string): number {
  const m = /^(\d+)([smhd])$/.exec(value)
  const seconds = m === null ? 0 : Number(m[1]) * (UNIT_SECONDS[m[2]] as number)
  if (seconds < 1) throw new CliError(`${flag} must be a duration like 90s, 30m, 2h, 7d; got "${value}"`)
  return seconds
}

const UNIT_BYTES: Readonly<Record<string, number>> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }

/**
 * A size flag: bytes, or with a binary suffix (`512M`, `10G`); returns bytes.
 * @throws {CliError} naming `flag` for anything else
 */
export function parseSize(value: string, flag: string): number {
  const m = /^(\d+)([KMGT]?)$/.exec(value)
  const bytes = m === null ? Number.NaN : Number(m[1]) * (UNIT_BYTES[m[2]] as number)
  if (!Number.isSafeInteger(bytes)) throw new CliError(`${flag} must be a size in bytes, optionally with K, M, G or T (1024-based); got "${value}"`)
  return bytes
}

/**
 * A peer flag: a peer id, or a multiaddr ending in `/p2p/<peer id>`; returns the peer id.
 * @throws {CliError} naming `flag` for a multiaddr without a peer id
 */
export function parsePeer(value: string, flag: string): string {
  if (!value.startsWith('/')) {
    if (value === '' || /\s/.test(value)) throw new CliError(`${flag} must be a peer id or a multiaddr with /p2p/<peer id>; got "${value}"`)
    return value
  }
  const parts = value.split('/')
  const id = parts[parts.lastIndexOf('p2p') + 1]
  if (!parts.includes('p2p') || id === undefined || id === '') throw new CliError(`${flag} must end in /p2p/<peer id>; got "${value}"`)
  return id
}

/**
 * The `--rpc` endpoint: a URL, or `host:port` meaning `http://host:port`.
 * @throws {CliError} (bad usage) for anything that is not an http(s) URL
 */
export function parseRpcUrl(value: string): string {
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new CliError(`--rpc must be the node's URL, like http://127.0.0.1:8545; got "${value}"`)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new CliError(`--rpc must be an http:// or https:// URL, like http://127.0.0.1:8545; got "${value}"`)
  return url
}

/**
 * A public key flag: `0x` (optional) and 130 hex digits, a point on secp256k1 starting `04`;
 * returns it with `0x`.
 * @throws {CliError} (bad usage) naming `flag` for anything else
 */
export function parsePublicKey(value: string, flag: string): string {
  const hex = value.startsWith('0x') || value.startsWith('0X') ? value.slice(2) : value
  const ok = /^[0-9a-fA-F]{130}$/.test(hex) && isValidPublicKey(Uint8Array.from(Buffer.from(hex, 'hex')))
  if (!ok) throw new CliError(`${flag} must be a public key: 0x and 130 hex digits starting 04 (as \`hush keys new\` prints it); got "${value}"`)
  return `0x${hex.toLowerCase()}`
}

/** A key id flag: the 64 hex digits `hush keys new` printed; a `0x` before them is dropped, anything else kept as given. */
export function parseKeyId(value: string): string {
  return /^0x[0-9a-fA-F]{64}$/i.test(value) ? value.slice(2).toLowerCase() : value
}
