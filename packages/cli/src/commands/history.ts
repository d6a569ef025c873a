/**
 * `hush history`: asks a connected mail server, through the running node's RPC
 * (`shhext_requestMessages`), for the envelopes of a time range, page by page, and prints the
 * messages its filter opens (as `hush watch` does) or only their count.
 */
import { toHex } from '../format.ts'
import { formatMessageLine, type RpcMessageLine } from '../message-line.ts'
import { type RpcTarget, rpcCall } from '../rpc-client.ts'

/** What to ask for. */
export interface HistoryOptions {
  /** The mail server: a peer id, or a multiaddr with `/p2p/<peer id>` (connected to the node). */
  peer: string
  password: string
  /** Unix seconds, inclusive. */
  from: number
  to: number
  topics: readonly Uint8Array[]
  /** A symmetric key id (or `keyId`, a key pair id) on the node, to open and print the messages. */
  symKeyId?: string
  keyId?: string
  pageSize: number
  pow: number
  /** Seconds one page may take. */
  timeoutSeconds: number
  signal?: AbortSignal
  /** Prints a message line. */
  print?: (line: string) => void
  /** Shows progress: `final` is true for the last call. */
  progress?: (line: string, final: boolean) => void
}

/** What a run found. */
export interface HistoryResult {
  pages: number
  /** Envelopes the server sent (each page's count). */
  envelopes: number
  /** Messages the filter opened and printed (envelopes already seen live are not delivered twice). */
  messages: number
}

interface MessagesResponse {
  requestId: string
  cursor: string
  envelopes: number
  digest: string
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

/** The progress line: `history: 3 pages, 250 envelopes`. */
function progressLine(pages: number, envelopes: number): string {
  return `history: ${plural(pages, 'page')}, ${plural(envelopes, 'envelope')}`
}

/** Follows the server's cursor to the end of the range (or until the signal aborts). */
export async function runHistory(target: RpcTarget, options: HistoryOptions): Promise<HistoryResult> {
  const print = options.print ?? ((line: string) => console.log(line))
  const progress = options.progress ?? (() => undefined)
  const topics = options.topics.map(toHex)
  // A page can take `timeout` seconds on the node: the HTTP call waits a little longer.
  const rpc: RpcTarget = { ...target, timeoutMs: (options.timeoutSeconds + 10) * 1000 }
  const opening = options.symKeyId !== undefined || options.keyId !== undefined
  // The mail key is derived once (PBKDF2) and dropped at the end, instead of per page.
  const mailKeyId = await rpcCall<string>(rpc, 'shh_generateSymKeyFromPassword', [options.password])
  let filter: string | undefined
  const result: HistoryResult = { pages: 0, envelopes: 0, messages: 0 }
  try {
    if (opening) {
      const criteria = {
        ...(options.symKeyId !== undefined && { symKeyID: options.symKeyId }),
        ...(options.keyId !== undefined && { privateKeyID: options.keyId }),
        topics,
        allowP2P: true,
      }
      filter = await rpcCall<string>(rpc, 'shh_newMessageFilter', [criteria])
    }
    let cursor = ''
    do {
      options.signal?.throwIfAborted()
      const page = await rpcCall<MessagesResponse>(rpc, 'shhext_requestMessages', [
        {
          mailServerPeer: options.peer,
          symKeyID: mailKeyId,
          from: options.from,
          to: options.to,
          ...(topics.length > 0 && { topics }),
          limit: options.pageSize,
          cursor,
          pow: options.pow,
          timeout: options.timeoutSeconds,
        },
      ])
      result.pages++
      result.envelopes += page.envelopes
      cursor = page.cursor
      if (filter !== undefined) {
        for (const m of await rpcCall<RpcMessageLine[]>(rpc, 'shh_getFilterMessages', [filter])) {
          result.messages++
          print(formatMessageLine(m))
        }
      }
      progress(progressLine(result.pages, result.envelopes), cursor === '')
    } while (cursor !== '')
  } finally {
    if (filter !== undefined) await rpcCall(rpc, 'shh_deleteMessageFilter', [filter]).catch(() => undefined)
    await rpcCall(rpc, 'shh_deleteSymKey', [mailKeyId]).catch(() => undefined)
  }
  return result
}
