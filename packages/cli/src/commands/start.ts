/**
 * `hush start`: runs a node with the shh JSON-RPC endpoint until SIGINT/SIGTERM; with `--mail`,
 * also a mail server (see `mail-mode.ts`).
 */
import { once } from 'node:events'
import { join, resolve } from 'node:path'
import { requestHistory } from '@hush/mail'
import { createHushNode } from '@hush/node'
import { createRpcServer } from '@hush/rpc'
import { CliError, EXIT } from '../errors.ts'
import { untilInterrupted } from '../interrupt.ts'
import { DEFAULT_METRICS_HOST, type MetricsServer, nodeMetrics } from '../metrics.ts'
import { dataDir, parseDuration, parseSize, readConfig, readPassword } from '../options.ts'
import { warnIfWeak } from '../weak-password.ts'
import { type MailMode, startMailMode } from './mail-mode.ts'

/** Settings of `hush start` (flags, or the same keys in a JSON config file). */
export interface StartOptions {
  dataDir?: string
  listen?: string[]
  bootstrap?: string[]
  minPow?: number
  light?: boolean
  rpcHost?: string
  rpcPort?: number
  token?: string
  config?: string
  /** Run a mail server: archive every envelope the node accepts, answer history requests. */
  mail?: boolean
  /** The archive directory. @default `<data dir>/mail` */
  mailDir?: string
  /** A file holding the mail password (else `HUSH_MAIL_PASSWORD`). */
  mailPasswordFile?: string
  /** Least PoW of a history request. @default 0 */
  mailMinPow?: number
  /** The archive: `leveldb` (default) or `postgres` (connection string in $HUSH_MAIL_POSTGRES_URL). */
  mailStore?: 'leveldb' | 'postgres'
  /** Retention by age, e.g. `30d`. */
  mailMaxAge?: string
  /** Retention by size, e.g. `50G`. */
  mailMaxBytes?: string
  /** Serve Prometheus metrics on this port (0 picks a free one); none when absent. */
  metrics?: number
  /** The metrics server's bind address. @default '127.0.0.1' */
  metricsHost?: string
}

const KNOWN = new Set(['dataDir', 'listen', 'bootstrap', 'minPow', 'light', 'rpcHost', 'rpcPort', 'token', 'mail', 'mailDir', 'mailPasswordFile', 'mailMinPow', 'mailStore', 'mailMaxAge', 'mailMaxBytes', 'metrics', 'metricsHost'])

/** The environment variable `--mail` reads the password from when no file is given. */
export const MAIL_PASSWORD_ENV = 'HUSH_MAIL_PASSWORD'

/** Merges a config file under the flags; flags win. */
async function withConfig(options: StartOptions, given: Set<string>): Promise<StartOptions> {
  if (options.config === undefined) return options
  const config = await readConfig(options.config)
  for (const key of Object.keys(config)) if (!KNOWN.has(key)) throw new CliError(`unknown key "${key}" in ${options.config}`)
  const merged: Record<string, unknown> = { ...options }
  for (const [key, value] of Object.entries(config)) if (!given.has(key)) merged[key] = value
  return merged as StartOptions
}

/** The `code` of `err` or of an error in its `cause` chain (or in an AggregateError's `errors`). */
function errorCode(err: unknown, depth = 0): string | undefined {
  if (typeof err !== 'object' || err === null || depth > 8) return undefined
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown }
  if (typeof e.code === 'string' && e.code.startsWith('E')) return e.code
  for (const inner of [e.cause, ...(Array.isArray(e.errors) ? e.errors : [])]) {
    const code = errorCode(inner, depth + 1)
    if (code !== undefined) return code
  }
  return undefined
}

/** One line for a node that would not start: a listen address in use or not ours, else libp2p's first line. */
export function nodeStartError(err: unknown, listen: readonly string[]): CliError {
  const code = errorCode(err)
  const message = (err as Error)?.message ?? String(err)
  const where = listen.length > 0 ? listen.join(', ') : 'the listen address'
  if (code === 'EADDRINUSE' || /EADDRINUSE|address already in use/i.test(message)) return new CliError(`cannot listen on ${where}: address in use`, { cause: err, exitCode: EXIT.failure })
  if (code === 'EADDRNOTAVAIL' || /EADDRNOTAVAIL/.test(message)) return new CliError(`cannot listen on ${where}: not an address of this machine`, { cause: err, exitCode: EXIT.failure })
  if (code === 'EACCES' || /EACCES/.test(message)) return new CliError(`cannot listen on ${where}: permission denied`, { cause: err, exitCode: EXIT.failure })
  return new CliError(`cannot start the node: ${message.split('\n')[0]}`, { cause: err, exitCode: EXIT.failure })
}

/**
 * Starts the node and the RPC server; resolves with a function that stops both.
 * @throws {CliError} for unusable settings (a port in use, a bad address)
 */
async function startNode(options: StartOptions, given: Set<string> = new Set(), print: (line: string) => void = console.log): Promise<() => Promise<void>> {
  const o = await withConfig(options, given)
  // Read before anything starts, so a missing password fails at once.
  const mailPassword = o.mail === true ? await readPassword(o.mailPasswordFile, MAIL_PASSWORD_ENV, '--mail-password-file') : undefined
  if (o.mailStore !== undefined && o.mailStore !== 'leveldb' && o.mailStore !== 'postgres') throw new CliError(`--mail-store must be leveldb or postgres; got "${String(o.mailStore)}"`)
  const maxAgeSeconds = o.mailMaxAge === undefined ? undefined : parseDuration(o.mailMaxAge, '--mail-max-age')
  const maxBytes = o.mailMaxBytes === undefined ? undefined : parseSize(o.mailMaxBytes, '--mail-max-bytes')
  const retention = maxAgeSeconds === undefined && maxBytes === undefined ? undefined : { ...(maxAgeSeconds !== undefined && { maxAgeSeconds }), ...(maxBytes !== undefined && { maxBytes }) }
  const metrics = o.metrics === undefined ? undefined : nodeMetrics(o.metricsHost ?? DEFAULT_METRICS_HOST, o.metrics)
  let node
  try {
    node = await createHushNode({
      listen: o.listen ?? ['/ip4/127.0.0.1/tcp/0'],
      ...(o.bootstrap !== undefined && { bootstrap: o.bootstrap }),
      ...(o.dataDir !== undefined && { dataDir: o.dataDir }),
      whisper: { ...(o.minPow !== undefined && { minPow: o.minPow }), isLight: o.light === true },
      ...(metrics !== undefined && { libp2p: { metrics: metrics.libp2p } }),
    })
  } catch (err) {
    throw nodeStartError(err, o.listen ?? [])
  }
  const shh = node.services.shh
  let mail: MailMode | undefined
  if (mailPassword !== undefined) {
    const path = resolve(o.mailDir ?? join(dataDir(o.dataDir), 'mail'))
    try {
      mail = await startMailMode(
        shh,
        {
          store: o.mailStore ?? 'leveldb',
          path,
          password: mailPassword,
          ...(o.mailMinPow !== undefined && { minPow: o.mailMinPow }),
          ...(retention !== undefined && { retention }),
        },
        print
      )
    } catch (err) {
      await node.stop()
      throw err
    }
    warnIfWeak(mailPassword)
  }
  let rpc
  try {
    rpc = await createRpcServer({
      shh,
      host: o.rpcHost ?? '127.0.0.1',
      port: o.rpcPort ?? 8545,
      ...(o.token !== undefined && { token: o.token }),
      shhext: { requestHistory: (request) => requestHistory(shh, request), ...(mail !== undefined && { mailServer: mail.server }) },
    })
  } catch (err) {
    await mail?.stop()
    await node.stop()
    const code = errorCode(err)
    const where = `${o.rpcHost ?? '127.0.0.1'}:${o.rpcPort ?? 8545}`
    if (code === 'EADDRINUSE') throw new CliError(`cannot serve RPC on ${where}: address in use (pick another --rpc-port, or 0 for a free one)`, { cause: err, exitCode: EXIT.failure })
    throw new CliError(`cannot start the RPC server on ${where}: ${(err as Error).message.split('\n')[0]}`, { cause: err, exitCode: EXIT.failure })
  }
  let metricsServer: MetricsServer | undefined
  if (metrics !== undefined) {
    try {
      metricsServer = await metrics.serve()
    } catch (err) {
      await rpc.close()
      await mail?.stop()
      await node.stop()
      throw err
    }
  }
  print(`peer id: ${node.peerId.toString()}`)
  for (const addr of node.getMultiaddrs()) print(`listening: ${addr.toString()}`)
  print(`rpc: ${rpc.url}`)
  if (rpc.wsUrl !== undefined) print(`ws: ${rpc.wsUrl}`)
  if (metricsServer !== undefined) print(`metrics: ${metricsServer.url}`)
  // Peers as they come and go, so an unreachable --bootstrap is visible.
  shh.addEventListener('peer:ready', ({ detail }) => print(`peer connected: ${detail.toString()} (${shh.getPeers().length} now)`))
  shh.addEventListener('peer:disconnect', ({ detail }) => print(`peer disconnected: ${detail.toString()} (${shh.getPeers().length} now)`))
  const lonely =
    o.bootstrap !== undefined && o.bootstrap.length > 0
      ? setTimeout(() => {
          if (shh.getPeers().length === 0) print('! no peer after 15 s: is each --bootstrap a `listening:` address of a running node?')
        }, 15_000)
      : undefined
  const server = rpc
  const libp2p = node
  const mailMode = mail
  return async () => {
    clearTimeout(lonely)
    await server.close()
    await metricsServer?.close()
    // The mail server first: it writes what is pending, then the archive closes, then the node.
    await mailMode?.stop()
    await libp2p.stop()
  }
}

/** `hush start`: runs until SIGINT or SIGTERM, then stops cleanly. */
export async function runStart(options: StartOptions, given: Set<string>): Promise<void> {
  const stop = await startNode(options, given)
  await untilInterrupted((signal) => once(signal, 'abort'))
  await stop()
}
