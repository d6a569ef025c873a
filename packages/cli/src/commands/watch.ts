/**
 * `hush watch`: installs a filter on a running node and prints its messages as they arrive.
 */
import { formatMessageLine, type RpcMessageLine } from '../message-line.ts'
import { type RpcTarget, rpcCall } from '../rpc-client.ts'

/** What to watch. */
export interface WatchOptions {
  symKeyId?: string
  keyId?: string
  topics: Uint8Array[]
  minPow?: number
  /** Stop after this many messages. */
  count?: number
  intervalMs: number
  signal?: AbortSignal
  print?: (line: string) => void
}

/** Polls the filter until `count` messages arrived or the signal aborts; returns how many. */
export async function runWatch(target: RpcTarget, options: WatchOptions): Promise<number> {
  const print = options.print ?? ((line: string) => console.log(line))
  const criteria = {
    ...(options.symKeyId !== undefined && { symKeyID: options.symKeyId }),
    ...(options.keyId !== undefined && { privateKeyID: options.keyId }),
    topics: options.topics.map((t) => `0x${Buffer.from(t).toString('hex')}`),
    ...(options.minPow !== undefined && { minPow: options.minPow }),
  }
  const id = await rpcCall<string>(target, 'shh_newMessageFilter', [criteria])
  let seen = 0
  try {
    while (options.signal?.aborted !== true && (options.count === undefined || seen < options.count)) {
      for (const m of await rpcCall<RpcMessageLine[]>(target, 'shh_getFilterMessages', [id])) {
        seen++
        print(formatMessageLine(m))
      }
      if (options.count !== undefined && seen >= options.count) break
      await new Promise((r) => setTimeout(r, options.intervalMs))
    }
  } finally {
    await rpcCall(target, 'shh_deleteMessageFilter', [id]).catch(() => undefined)
  }
  return seen
}
