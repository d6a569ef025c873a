/**
 * `hush watch`: installs a filter on a running node and prints its messages as they arrive.
 */
import { toHex } from '../format.ts'
import { formatMessageLine, type RpcMessageLine } from '../message-line.ts'
import { type RpcTarget, rpcCall } from '../rpc-client.ts'

/** A topic and the name the user wrote for it (a name, or the `0x…` form). */
export interface NamedTopic {
  name: string
  topic: Uint8Array
}

/** What to watch. */
export interface WatchOptions {
  symKeyId?: string
  keyId?: string
  /** The topics (none: all); message lines show each by the name given here. */
  topics: NamedTopic[]
  minPow?: number
  /** Stop after this many messages. */
  count?: number
  intervalMs: number
  signal?: AbortSignal
  print?: (line: string) => void
  /** Where the one "waiting" line goes once the filter is installed (the CLI: stderr). */
  status?: (line: string) => void
}

/** Polls the filter until `count` messages arrived or the signal aborts; returns how many. */
export async function runWatch(target: RpcTarget, options: WatchOptions): Promise<number> {
  const print = options.print ?? ((line: string) => console.log(line))
  const criteria = {
    ...(options.symKeyId !== undefined && { symKeyID: options.symKeyId }),
    ...(options.keyId !== undefined && { privateKeyID: options.keyId }),
    topics: options.topics.map(({ topic }) => toHex(topic)),
    ...(options.minPow !== undefined && { minPow: options.minPow }),
  }
  const id = await rpcCall<string>(target, 'shh_newMessageFilter', [criteria])
  const names = new Map(options.topics.map(({ name, topic }) => [toHex(topic), name]))
  const what = options.topics.length === 0 ? 'every topic' : options.topics.map(({ name }) => name).join(', ')
  options.status?.(`watching ${what}: waiting for messages (Ctrl-C to stop)`)
  let seen = 0
  try {
    while (options.signal?.aborted !== true && (options.count === undefined || seen < options.count)) {
      for (const m of await rpcCall<RpcMessageLine[]>(target, 'shh_getFilterMessages', [id])) {
        seen++
        print(formatMessageLine(m, names))
      }
      if (options.count !== undefined && seen >= options.count) break
      await new Promise((r) => setTimeout(r, options.intervalMs))
    }
  } finally {
    await rpcCall(target, 'shh_deleteMessageFilter', [id]).catch(() => undefined)
  }
  return seen
}
