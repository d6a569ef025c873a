/**
 * `hush post`: posts a message through a running node's RPC, showing a progress bar while the
 * node seals the envelope (the bar follows this machine's calibrated PoW estimate: the RPC call
 * itself reports no progress).
 */
import { readFile } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { ENVELOPE_HEADER_BYTES, PADDING_BLOCK_BYTES } from '@hush/envelope'
import { estimateSealTime, measureHashRate } from '@hush/pow'
import { CliError, EXIT } from '../errors.ts'
import { formatDuration, formatPow, progressBar, toHex } from '../format.ts'
import { type RpcTarget, rpcCall } from '../rpc-client.ts'
import { ConnectionLostError, openRpcSocket } from '../rpc-socket.ts'

/** What to post. */
export interface PostOptions {
  symKeyId?: string
  pubKey?: string
  sig?: string
  topic: Uint8Array
  ttl: number
  powTarget: number
  powTime: number
  padding?: string
  targetPeer?: string
  /** The message: text (sent as UTF-8) or bytes (sent as they are). */
  message: string | Uint8Array
  /** Draw a progress bar on stderr. @default stderr is a TTY */
  progress?: boolean
  /** Where notes and warnings before sealing go. @default a line on stderr */
  warn?: (line: string) => void
  /**
   * Ctrl-C: aborting cancels the post. Before the node starts sealing nothing is asked of it;
   * while it seals, `hush_cancelRequest` stops it, and the node's answer to the post says whether
   * it was stopped in time.
   */
  signal?: AbortSignal
}

/** Where the message comes from: the argument, `-` for stdin, or `--file`. */
export interface MessageSource {
  /** The `<message>` argument; `-` reads stdin. */
  argument?: string
  /** `--file <path>`. */
  file?: string
  /** Post an empty message too. @default false */
  allowEmpty?: boolean
  /** Where `-` reads from. @default process.stdin */
  stdin?: NodeJS.ReadableStream
}

/**
 * The message to post, read whole: the argument (UTF-8), stdin for `-`, or the file (bytes as they are).
 * @throws {CliError} for neither or both of the argument and `--file` (exit 2), an unreadable file
 *   (exit 1), or an empty message without `allowEmpty` (exit 2)
 */
export async function readMessage(source: MessageSource): Promise<string | Uint8Array> {
  if ((source.argument === undefined) === (source.file === undefined)) throw new CliError('give the message, - to read it from stdin, or --file <path> (one of them)')
  let message: string | Uint8Array
  if (source.file !== undefined) {
    try {
      message = new Uint8Array(await readFile(source.file))
    } catch (err) {
      throw new CliError(`cannot read --file ${source.file}: ${(err as Error).message}`, { cause: err, exitCode: EXIT.failure })
    }
  } else if (source.argument === '-') {
    const chunks: Buffer[] = []
    for await (const chunk of source.stdin ?? process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
    message = new Uint8Array(Buffer.concat(chunks))
  } else {
    message = source.argument as string
  }
  if (message.length === 0 && source.allowEmpty !== true) throw new CliError('the message is empty: give --allow-empty to post it anyway')
  return message
}

/** The line for a key id the node does not hold. */
const missingKey = (kind: string, flag: string, id: string, made: string): CliError =>
  new CliError(`the node holds no ${kind} ${id} (${flag} takes the 64 hex digits \`${made}\` printed; \`hush keys list\` shows them)`, { exitCode: EXIT.failure })

/** The value of a settled call, or its error thrown. */
function settledValue<T>(result: PromiseSettledResult<T>): T {
  if (result.status === 'rejected') throw result.reason
  return result.value
}

/**
 * Posts and resolves to the envelope hash (0x hex).
 * @throws {CliError} when the node holds no key with the id given, `powTarget` is below the node's
 *   minimum PoW, the target is not reached in `powTime`, or the node refuses the post
 */
export async function runPost(target: RpcTarget, options: PostOptions): Promise<string> {
  const signal = options.signal
  const call = { ...(signal !== undefined && { signal }) }
  // Independent reads, asked at once and judged in this order: the first problem named stays the same.
  const [hasSymKey, hasKeyPair, info, peerCount] = await Promise.allSettled([
    options.symKeyId === undefined || rpcCall<boolean>(target, 'shh_hasSymKey', [options.symKeyId], call),
    options.sig === undefined || rpcCall<boolean>(target, 'shh_hasKeyPair', [options.sig], call),
    rpcCall<{ minPow: number }>(target, 'shh_info', [], call),
    rpcCall<string>(target, 'net_peerCount', [], call),
  ])
  if (signal?.aborted === true) throw cancelledBeforeSealing()
  if (options.symKeyId !== undefined && !settledValue(hasSymKey)) throw missingKey('symmetric key', '--sym-key-id', options.symKeyId, 'hush keys new --sym')
  if (options.sig !== undefined && !settledValue(hasKeyPair)) throw missingKey('key pair', '--sig', options.sig, 'hush keys new')
  const params = {
    ...(options.symKeyId !== undefined && { symKeyID: options.symKeyId }),
    ...(options.pubKey !== undefined && { pubKey: options.pubKey }),
    ...(options.sig !== undefined && { sig: options.sig }),
    ...(options.padding !== undefined && { padding: options.padding }),
    ...(options.targetPeer !== undefined && { targetPeer: options.targetPeer }),
    topic: toHex(options.topic),
    ttl: options.ttl,
    payload: toHex(typeof options.message === 'string' ? new TextEncoder().encode(options.message) : options.message),
    powTarget: options.powTarget,
    powTime: options.powTime,
  }
  const warn = options.warn ?? ((line: string) => process.stderr.write(`${line}\n`))
  // The node refuses its own envelope below its minimum PoW: say so before any sealing.
  const { minPow } = settledValue(info)
  const belowMinimum = (): CliError =>
    new CliError(`--pow-target ${formatPow(options.powTarget)} is below the node's minimum PoW ${formatPow(minPow)}: give --pow-target ${formatPow(minPow)} or more`, {
      exitCode: EXIT.failure,
    })
  if (options.powTarget < minPow) throw belowMinimum()
  if (settledValue(peerCount) === '0x0') {
    warn('! the node has no peers: the message stays on it until one connects (`hush status` shows them)')
  }
  const targetPow = options.powTarget
  let expectedMs = 0
  if (targetPow > 0) {
    // The plaintext is padded to 256-byte blocks; ECIES or AES-GCM adds at most 113 bytes.
    const sizeBytes = ENVELOPE_HEADER_BYTES + Math.ceil((options.message.length + 70) / PADDING_BLOCK_BYTES) * PADDING_BLOCK_BYTES + 113
    // A short calibration (the bar shows at once); the node seals on every core for large targets.
    const hashRate = measureHashRate({ durationMs: 40 })
    expectedMs = estimateSealTime({ sizeBytes, ttl: options.ttl, targetPow, hashRate, workers: availableParallelism() }).expectedMs
    if (expectedMs > options.powTime * 1000) {
      warn(
        `! PoW ${formatPow(targetPow)} takes ~${formatDuration(expectedMs)} on this machine, more than --pow-time ${options.powTime} s: ` +
          'the post will likely fail (raise --pow-time or lower --pow-target)'
      )
    }
  }
  const showProgress = options.progress ?? process.stderr.isTTY === true
  let timer: ReturnType<typeof setInterval> | undefined
  if (showProgress && targetPow > 0) {
    const started = Date.now()
    timer = setInterval(() => {
      const elapsed = Date.now() - started
      process.stderr.write(`\rsealing ${progressBar(elapsed / Math.max(expectedMs, 1))} ${formatDuration(elapsed)} of ~${formatDuration(expectedMs)}`)
    }, 100)
  }
  try {
    return await postCancellably({ ...target, timeoutMs: Math.max(60_000, options.powTime * 2000) }, params, signal)
  } catch (err) {
    if (err instanceof CliError && err.message.includes('rejected: low-pow')) throw belowMinimum()
    if (err instanceof CliError && err.message.includes('failed to reach the PoW target')) {
      throw new CliError(
        `the node did not reach PoW ${formatPow(targetPow)} in --pow-time ${options.powTime} s (~${formatDuration(expectedMs)} expected on this machine): raise --pow-time or lower --pow-target`,
        { cause: err, exitCode: EXIT.failure }
      )
    }
    throw err
  } finally {
    if (timer !== undefined) {
      clearInterval(timer)
      process.stderr.write('\r\x1b[2K')
    }
  }
}

/** Ctrl-C before the node was asked to seal: true by construction. */
const cancelledBeforeSealing = (): CliError => new CliError('cancelled, nothing sent', { exitCode: EXIT.interrupted })

/**
 * `shh_post` over the node's WebSocket, cancelled with `hush_cancelRequest` when `signal` aborts;
 * the post's own answer decides what is said: an error means nothing was sent, a hash that it
 * went out before the cancel arrived. A node without a WebSocket gets the post over HTTP, and an
 * abort there can only close the request.
 * @throws {CliError} `cancelled, nothing sent` (exit 130) when the node stopped the post, or one
 *   saying it was too late, or unknown, when it was not
 */
async function postCancellably(target: RpcTarget, params: Record<string, unknown>, signal: AbortSignal | undefined): Promise<string> {
  // A function, not a narrowed property: the signal aborts while this awaits.
  const aborted = (): boolean => signal?.aborted === true
  if (aborted()) throw cancelledBeforeSealing()
  const socket = await openRpcSocket(target)
  if (aborted()) {
    socket?.close()
    throw cancelledBeforeSealing()
  }
  if (socket === undefined) {
    try {
      return await rpcCall<string>(target, 'shh_post', [params], { ...(signal !== undefined && { signal }) })
    } catch (err) {
      if (!aborted()) throw err
      throw new CliError('cancelled: the request was closed, which stops the node sealing, but this node cannot confirm whether the message had already gone out', { cause: err, exitCode: EXIT.interrupted })
    }
  }
  const post = socket.call<string>('shh_post', [params])
  const cancel = (): void => void socket.call('hush_cancelRequest', [post.id]).result.catch(() => undefined)
  signal?.addEventListener('abort', cancel, { once: true })
  const timeoutMs = target.timeoutMs ?? 60_000
  let timer: ReturnType<typeof setTimeout> | undefined
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CliError(`the node did not answer shh_post in ${timeoutMs / 1000} s`, { exitCode: EXIT.failure })), timeoutMs)
  })
  try {
    const [outcome] = await Promise.allSettled([Promise.race([post.result, timedOut])])
    if (outcome.status === 'fulfilled') {
      if (aborted()) throw new CliError(`too late to cancel: the node had already sent the message (envelope ${outcome.value})`, { exitCode: EXIT.failure })
      return outcome.value
    }
    const err: unknown = outcome.reason
    if (err instanceof ConnectionLostError) {
      throw new CliError('the connection to the node ended before it answered the post: whether the message was sent is unknown (`hush status` shows the pool)', { cause: err, exitCode: EXIT.failure })
    }
    // The node answered the post with an error: it sent nothing, whatever stopped it.
    if (aborted()) throw new CliError('cancelled, nothing sent', { cause: err, exitCode: EXIT.interrupted })
    throw err
  } finally {
    clearTimeout(timer)
    signal?.removeEventListener('abort', cancel)
    socket.close()
  }
}
