/**
 * The commander side of the flags: value parsers that turn bad input into usage errors naming the
 * flag, and the flag groups several commands share (node, RPC, account).
 */
import { type Command, InvalidArgumentError } from 'commander'
import { type AccountTarget, accountPassword } from './commands/account.ts'
import type { NamedTopic } from './commands/watch.ts'
import { parseRpcUrl, parseTopic } from './options.ts'
import { readToken } from './rpc-access.ts'
import type { RpcTarget } from './rpc-client.ts'

/** Parses a number flag, with a clear message for bad input. */
export function numberFlag(label: string, { min = -Infinity, integer = false }: { min?: number; integer?: boolean } = {}): (value: string) => number {
  return (value: string): number => {
    const n = Number(value)
    if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
      throw new InvalidArgumentError(`${label} must be ${integer ? 'an integer' : 'a number'}${min > -Infinity ? ` ≥ ${min}` : ''}, got "${value}"`)
    }
    return n
  }
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value]

/** A repeatable `--topic`: `0x` and 8 hex digits, or a name. */
export function topicFlag(value: string, previous: Uint8Array[] | undefined): Uint8Array[] {
  try {
    return [...(previous ?? []), parseTopic(value)]
  } catch {
    throw new InvalidArgumentError(`--topic must be 0x and 8 hex digits, or a name; got "${value}"`)
  }
}

/** A topic flag that also keeps what the user typed, so output can show their name for it. */
export function namedTopicFlag(value: string, previous: NamedTopic[] | undefined): NamedTopic[] {
  const [topic] = topicFlag(value, undefined) as [Uint8Array]
  return [...(previous ?? []), { name: value, topic }]
}

/** A repeatable multiaddr flag; a value that is no multiaddr at all is a usage error naming the flag. */
function multiaddrFlag(label: string, example: string): (value: string, previous: string[] | undefined) => string[] {
  return (value, previous) => {
    if (!/^\/[a-z0-9]+\/\S+$/i.test(value)) throw new InvalidArgumentError(`${label} must be a multiaddr like ${example}; got "${value}"`)
    return collect(value, previous)
  }
}

/** The flags of commands that run their own node: where to listen, whom to join, the PoW. */
export function nodeFlags(command: Command): Command {
  return command
    .option('--listen <multiaddr>', 'address to listen on (repeatable; default every interface: /ip4/0.0.0.0/tcp/4001 for start, a free port for chat)', multiaddrFlag('--listen', '/ip4/127.0.0.1/tcp/4001'))
    .option('--bootstrap <multiaddr>', 'peer to connect to and keep (repeatable)', multiaddrFlag('--bootstrap', '/ip4/127.0.0.1/tcp/4001/p2p/12D3Koo…'))
    .option('--min-pow <pow>', 'minimum PoW of accepted envelopes (and of our own)', numberFlag('--min-pow', { min: 0 }))
}

/** What {@link rpcOptions} parses. */
export interface RpcFlags {
  rpc: string
  token?: string
  tokenFile?: string
}

/** The RPC flags every client command takes. */
export function rpcOptions(command: Command): Command {
  return command
    .option('--rpc <url>', 'the node\'s JSON-RPC endpoint (http:// is assumed when no scheme is given)', process.env.HUSH_RPC || 'http://127.0.0.1:8545')
    .option('--token <token>', 'bearer token, if the node requires one (else --token-file, else $HUSH_TOKEN)')
    .option('--token-file <file>', 'read the bearer token from the first line of this file')
}

/** The node the RPC flags name. */
export function target(opts: RpcFlags): RpcTarget {
  const token = readToken(opts.token, opts.tokenFile)
  return { url: parseRpcUrl(opts.rpc), ...(token !== undefined && { token }) }
}

/** What {@link accountFlags} parses. */
export interface AccountFlags {
  account: string
  password?: string
}

/** The flags naming the account file and its password. */
export function accountFlags(command: Command): Command {
  return command
    .option('--account <file>', 'the account file', process.env.HUSH_ACCOUNT ?? 'hush.account')
    .option('--password <password>', 'the account password (else $HUSH_PASSWORD, else asked on the terminal; a flag value shows in `ps`)')
}

/**
 * The account the account flags name: the password from the flag, `HUSH_PASSWORD`, or the
 * terminal (see {@link accountPassword}).
 */
export async function accountAt(opts: AccountFlags): Promise<AccountTarget> {
  return { path: opts.account, password: await accountPassword(opts.password, opts.account) }
}
