/**
 * `hush start`: runs a node with the shh JSON-RPC endpoint until SIGINT/SIGTERM; with `--mail`,
 * also a mail server (see `mail-mode.ts`).
 */
import { once } from 'node:events'
import { stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { symKeyFromPasswordAsync } from '@hush/envelope'
import { historyFetcher, requestHistory } from '@hush/mail'
import { createMessenger } from '@hush/messenger'
import { type DiscoveryInit, createHushNode } from '@hush/node'
import { createRpcServer } from '@hush/rpc'
import { CliError, EXIT } from '../errors.ts'
import { untilInterrupted } from '../interrupt.ts'
import { lockDataDir } from '../data-dir-lock.ts'
import { START_LISTEN, listeningLines } from '../listen-addresses.ts'
import { DEFAULT_METRICS_HOST, type MetricsServer, nodeMetrics } from '../metrics.ts'
import { dataDir, parseDuration, parseSize, readConfig, readPassword } from '../options.ts'
import { checkRpcExposure, isLoopbackHost, readToken } from '../rpc-access.ts'
import { warnIfWeak } from '../weak-password.ts'
import { type MailMode, startMailMode } from './mail-mode.ts'

/** Settings of `hush start` (flags, or the same keys in a JSON config file). */
export interface StartOptions {
  dataDir?: string
  listen?: string[]
  bootstrap?: string[]
  /** Peer discovery: `dht`, `mdns` (comma-separated) or `none`. @default dht, plus mdns when listening beyond loopback */
  discover?: string
  minPow?: number
  light?: boolean
  rpcHost?: string
  rpcPort?: number
  /** The RPC's bearer token (visible in `ps`: prefer `tokenFile` or `$HUSH_TOKEN`). */
  token?: string
  /** A file whose first line is the RPC's bearer token. */
  tokenFile?: string
  /** Serve the RPC beyond loopback without a token (refused otherwise). */
  insecure?: boolean
  /** A built web app directory to serve on the RPC's port (`apps/board/dist`, …). */
  ui?: string
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
  /** Serve the `hush_*` messenger methods (issue 15), the account under `<data dir>/messenger`. */
  messenger?: boolean
  /** A mail server (multiaddr ending in `/p2p/<id>`, also dialed) the messenger catches up from; its password as `mail`'s. */
  messengerMail?: string
  /** Serve Prometheus metrics on this port (0 picks a free one); none when absent. */
  metrics?: number
  /** The metrics server's bind address. @default '127.0.0.1' */
  metricsHost?: string
}

const KNOWN = new Set(['dataDir', 'listen', 'bootstrap', 'discover', 'minPow', 'light', 'rpcHost', 'rpcPort', 'token', 'tokenFile', 'insecure', 'ui', 'mail', 'mailDir', 'mailPasswordFile', 'mailMinPow', 'mailStore', 'mailMaxAge', 'mailMaxBytes', 'messenger', 'messengerMail', 'metrics', 'metricsHost'])

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

/**
 * One line for a node that would not start: a listen address in use or not ours, else libp2p's
 * first line. `inUseHint` is added to the address-in-use line.
 */
export function nodeStartError(err: unknown, listen: readonly string[], inUseHint = ''): CliError {
  const code = errorCode(err)
  const message = (err as Error)?.message ?? String(err)
  const where = listen.length > 0 ? listen.join(', ') : 'the listen address'
  if (code === 'EADDRINUSE' || /EADDRINUSE|address already in use/i.test(message)) return new CliError(`cannot listen on ${where}: address in use${inUseHint}`, { cause: err, exitCode: EXIT.failure })
  if (code === 'EADDRNOTAVAIL' || /EADDRNOTAVAIL/.test(message)) return new CliError(`cannot listen on ${where}: not an address of this machine`, { cause: err, exitCode: EXIT.failure })
  if (code === 'EACCES' || /EACCES/.test(message)) return new CliError(`cannot listen on ${where}: permission denied`, { cause: err, exitCode: EXIT.failure })
  return new CliError(`cannot start the node: ${message.split('\n')[0]}`, { cause: err, exitCode: EXIT.failure })
}

/**
 * What `--discover` turns on. Unset: the DHT, and mDNS when a listen address is not loopback (a
 * node on loopback only has no LAN to find, and would announce on the machine's real interfaces).
 * @throws {CliError} for a word other than dht, mdns or none, or none with another
 */
export function parseDiscover(list: string | undefined, listen: readonly string[]): DiscoveryInit {
  if (list === undefined) return { dht: true, mdns: listen.some((addr) => !isLoopbackHost(addr.split('/')[2] ?? '')) }
  const words = String(list).split(',').map((w) => w.trim())
  for (const w of words) if (w !== 'dht' && w !== 'mdns' && w !== 'none') throw new CliError(`--discover takes dht, mdns (comma-separated) or none; got "${w}"`)
  if (words.includes('none') && words.length > 1) throw new CliError(`--discover none cannot go with other words; got "${list}"`)
  return { dht: words.includes('dht'), mdns: words.includes('mdns') }
}

/**
 * The peer id of `--messenger-mail`'s multiaddr.
 * @throws {CliError} when it has no `/p2p/<id>`
 */
function mailPeerOf(address: string): string {
  const parts = address.split('/')
  const at = parts.lastIndexOf('p2p')
  const id = at === -1 ? undefined : parts[at + 1]
  if (!address.startsWith('/') || id === undefined || id === '') {
    throw new CliError(`--messenger-mail must be a mail server's multiaddr ending in /p2p/<peer id> (a \`listening:\` line of its hush start); got "${address}"`)
  }
  return id
}

/**
 * The `--ui` directory, absolute, once it holds an app (`index.html`).
 * @throws {CliError} when it does not, or when the RPC wants a token, which a page cannot send
 */
async function checkUi(dir: string, token: string | undefined): Promise<string> {
  if (token !== undefined) throw new CliError('--ui serves a page to this machine\'s browser, which cannot send the RPC token: serve it without one (the RPC on loopback)')
  const root = resolve(dir)
  const built = await stat(join(root, 'index.html')).then(
    (s) => s.isFile(),
    () => false
  )
  if (!built) throw new CliError(`--ui ${dir} holds no index.html: give the app's built directory (e.g. \`npm run build -w @hush/board\` makes apps/board/dist)`, { exitCode: EXIT.failure })
  return root
}

/**
 * Starts the node and the RPC server (and the mail and metrics servers when asked); resolves with
 * a function that stops them all. What was started before a failing step is stopped again.
 * @throws {CliError} for unusable settings (a port in use, a bad address, a data dir in use, an
 *   RPC open to other machines without a token)
 */
async function startNode(options: StartOptions, given: Set<string> = new Set(), print: (line: string) => void = console.log): Promise<() => Promise<void>> {
  const o = await withConfig(options, given)
  // Everything that can be refused is checked before anything starts.
  const mailPassword = o.mail === true ? await readPassword(o.mailPasswordFile, MAIL_PASSWORD_ENV, '--mail-password-file') : undefined
  if (o.mailStore !== undefined && o.mailStore !== 'leveldb' && o.mailStore !== 'postgres') throw new CliError(`--mail-store must be leveldb or postgres; got "${String(o.mailStore)}"`)
  const maxAgeSeconds = o.mailMaxAge === undefined ? undefined : parseDuration(o.mailMaxAge, '--mail-max-age')
  const maxBytes = o.mailMaxBytes === undefined ? undefined : parseSize(o.mailMaxBytes, '--mail-max-bytes')
  const retention = maxAgeSeconds === undefined && maxBytes === undefined ? undefined : { ...(maxAgeSeconds !== undefined && { maxAgeSeconds }), ...(maxBytes !== undefined && { maxBytes }) }
  const metrics = o.metrics === undefined ? undefined : nodeMetrics(o.metricsHost ?? DEFAULT_METRICS_HOST, o.metrics)
  const token = readToken(o.token, o.tokenFile)
  const rpcHost = o.rpcHost ?? '127.0.0.1'
  const rpcPort = o.rpcPort ?? 8545
  checkRpcExposure(rpcHost, token, o.insecure === true)
  const ui = o.ui === undefined ? undefined : await checkUi(o.ui, token)
  if (o.messengerMail !== undefined && o.messenger !== true) throw new CliError('--messenger-mail needs --messenger')
  const messengerMail = o.messengerMail === undefined ? undefined : mailPeerOf(o.messengerMail)
  const messengerMailPassword = messengerMail === undefined ? undefined : (mailPassword ?? (await readPassword(o.mailPasswordFile, MAIL_PASSWORD_ENV, '--mail-password-file')))
  const dir = resolve(dataDir(o.dataDir))
  const listen = o.listen ?? [START_LISTEN]
  const bootstrap = o.messengerMail === undefined ? o.bootstrap : [...(o.bootstrap ?? []), o.messengerMail]
  const discover = parseDiscover(o.discover, listen)

  // Each started part's stop, undone in reverse order on a later failure and by the returned stop.
  const undo: Array<() => unknown> = []
  const unwind = async (): Promise<void> => {
    for (const step of undo.splice(0).reverse()) await step()
  }
  try {
    undo.push(await lockDataDir(dir))
    const inUseHint = o.listen === undefined ? ' (another hush start? give this one --listen /ip4/0.0.0.0/tcp/<port> and its own --data-dir)' : ''
    const node = await createHushNode({
      listen,
      dataDir: dir,
      ...(bootstrap !== undefined && { bootstrap }),
      discover,
      whisper: { ...(o.minPow !== undefined && { minPow: o.minPow }), isLight: o.light === true },
      ...(metrics !== undefined && { libp2p: { metrics: metrics.libp2p } }),
    }).catch((err: unknown) => {
      throw nodeStartError(err, listen, inUseHint)
    })
    undo.push(() => node.stop())
    const shh = node.services.shh
    let mail: MailMode | undefined
    if (mailPassword !== undefined) {
      const path = resolve(o.mailDir ?? join(dir, 'mail'))
      const started = await startMailMode(
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
      undo.push(() => started.stop())
      mail = started
      warnIfWeak(mailPassword)
    }
    // The messenger (docs/SESSION.md §21): locked until hush_accountUnlock; catches up from --messenger-mail.
    const messenger =
      o.messenger === true
        ? createMessenger(
            { dir: join(dir, 'messenger') },
            {
              transport:
                messengerMail === undefined || messengerMailPassword === undefined
                  ? shh
                  : {
                      postEnvelope: shh.postEnvelope.bind(shh),
                      subscribeEnvelopes: shh.subscribeEnvelopes.bind(shh),
                      requestHistory: historyFetcher(shh, { peers: [messengerMail], symKey: await symKeyFromPasswordAsync(messengerMailPassword) }),
                    },
            }
          )
        : undefined
    if (messenger !== undefined) undo.push(() => messenger.lock())
    const rpc = await createRpcServer({
      shh,
      host: rpcHost,
      port: rpcPort,
      ...(token !== undefined && { token }),
      shhext: { requestHistory: (request) => requestHistory(shh, request), ...(mail !== undefined && { mailServer: mail.server }) },
      nodeInfo: () => ({ id: node.peerId.toString(), addresses: node.getMultiaddrs().map(String) }),
      ...(ui !== undefined && { ui: { root: ui } }),
      ...(messenger !== undefined && { messenger }),
    }).catch((err: unknown) => {
      const where = `${rpcHost}:${rpcPort}`
      if (errorCode(err) === 'EADDRINUSE') throw new CliError(`cannot serve RPC on ${where}: address in use (pick another --rpc-port, or 0 for a free one)`, { cause: err, exitCode: EXIT.failure })
      throw new CliError(`cannot start the RPC server on ${where}: ${(err as Error).message.split('\n')[0]}`, { cause: err, exitCode: EXIT.failure })
    })
    undo.push(() => rpc.close())
    let metricsServer: MetricsServer | undefined
    if (metrics !== undefined) {
      const served = await metrics.serve()
      undo.push(() => served.close())
      metricsServer = served
    }
    print(`data dir: ${dir} (the peer key, so the peer id stays; --data-dir or $HUSH_DIR for another)`)
    print(`peer id: ${node.peerId.toString()}`)
    for (const line of listeningLines(node.getMultiaddrs())) print(line)
    print(`rpc: ${rpc.url}`)
    if (rpc.wsUrl !== undefined) print(`ws: ${rpc.wsUrl}`)
    if (ui !== undefined) print(`ui: ${rpc.url}/ (open it in a browser on this machine)`)
    if (token === undefined && !isLoopbackHost(rpcHost)) print(`! the RPC on ${rpcHost} needs no token (--insecure): anyone who reaches it can use this node's keys`)
    if (metricsServer !== undefined) print(`metrics: ${metricsServer.url}`)
    if (messenger !== undefined) print(`messenger: ${join(dir, 'messenger')} (hush_* methods on the RPC; the account stays locked until hush_accountUnlock)`)
    // Peers as they come and go, so an unreachable --bootstrap is visible.
    shh.addEventListener('peer:ready', ({ detail }) => print(`peer connected: ${detail.toString()} (${shh.getPeers().length} now)`))
    shh.addEventListener('peer:disconnect', ({ detail }) => print(`peer disconnected: ${detail.toString()} (${shh.getPeers().length} now)`))
    const lonely =
      o.bootstrap !== undefined && o.bootstrap.length > 0
        ? setTimeout(() => {
            if (shh.getPeers().length === 0) print('! no peer after 15 s: is each --bootstrap a `listening:` address of a running node? (still trying)')
          }, 15_000)
        : undefined
    return async () => {
      clearTimeout(lonely)
      // The RPC and metrics first, then the mail server (it writes what is pending), the node, the lock.
      await unwind()
    }
  } catch (err) {
    await unwind()
    throw err
  }
}

/** `hush start`: runs until SIGINT or SIGTERM, then stops cleanly. */
export async function runStart(options: StartOptions, given: Set<string>): Promise<void> {
  const stop = await startNode(options, given)
  await untilInterrupted((signal) => once(signal, 'abort'))
  await stop()
}
