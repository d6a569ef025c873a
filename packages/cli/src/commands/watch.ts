/**
 * `hush watch`: installs a filter on a running node and prints its messages as they arrive.
 */
import { fromHex } from '../format.ts'
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

/** The RPC `Message` fields this command prints. */
interface RpcMessage {
  sig?: string
  timestamp: number
  topic: string
  payload: string
  pow: number
  hash: string
}

/** A payload as text when it is printable UTF-8, else as hex. */
function show(payloadHex: string): string {
  const bytes = fromHex(payloadHex, 'payload')
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes)
  // Control characters (other than tab and newline) or undecodable bytes: show hex instead.
  return /[\u0000-\u0008\u000b-\u001f\ufffd]/.test(text) ? payloadHex : text
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
      for (const m of await rpcCall<RpcMessage[]>(target, 'shh_getFilterMessages', [id])) {
        seen++
        const from = m.sig === undefined ? 'unsigned' : `from ${m.sig.slice(0, 12)}…`
        print(`${new Date(m.timestamp * 1000).toISOString()} ${m.topic} ${from} pow ${m.pow.toFixed(3)}: ${show(m.payload)}`)
      }
      if (options.count !== undefined && seen >= options.count) break
      await new Promise((r) => setTimeout(r, options.intervalMs))
    }
  } finally {
    await rpcCall(target, 'shh_deleteMessageFilter', [id]).catch(() => undefined)
  }
  return seen
}
