/**
 * Who may use a node's RPC. Anyone who reaches the RPC port can use the node's keys, so `hush
 * start` refuses to serve it beyond this machine without a token, and the token itself comes
 * from a file or the environment rather than a flag value (flag values show in `ps`).
 */
import { readFileSync } from 'node:fs'
import { isIPv4 } from 'node:net'
import { CliError, EXIT } from './errors.ts'

/** The environment variable the token is read from, by `hush start` and by every client command. */
const TOKEN_ENV = 'HUSH_TOKEN'

/** Whether `host` is a loopback address or name: only this machine can reach it. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase()
  return h === 'localhost' || h === '::1' || (isIPv4(h) && h.startsWith('127.'))
}

/**
 * The token: `--token`, else the first line of `--token-file`, else `$HUSH_TOKEN`; `undefined`
 * when none is set.
 * @throws {CliError} when the file cannot be read or holds no token, or both flags are given
 */
export function readToken(flag: string | undefined, file: string | undefined): string | undefined {
  if (flag !== undefined && file !== undefined) throw new CliError('give at most one of --token and --token-file')
  if (file !== undefined) {
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch (err) {
      throw new CliError(`cannot read --token-file ${file}: ${(err as Error).message}`, { cause: err, exitCode: EXIT.failure })
    }
    const token = text.split(/\r?\n/, 1)[0] as string
    if (token === '') throw new CliError(`--token-file ${file} holds no token (its first line is empty)`)
    return token
  }
  const token = flag ?? process.env[TOKEN_ENV]
  return token === '' ? undefined : token
}

/**
 * Refuses an RPC bound beyond loopback without a token, unless the user said `--insecure`.
 * @throws {CliError} (bad usage) naming the host and the ways out
 */
export function checkRpcExposure(host: string, token: string | undefined, insecure: boolean): void {
  if (token !== undefined || insecure || isLoopbackHost(host)) return
  throw new CliError(
    `--rpc-host ${host} lets other machines use this node's keys: give a token (--token-file <file> or $${TOKEN_ENV}) that clients must send, or --insecure to serve it without one`
  )
}
