/**
 * Answering a checked history request: the archive pages it asks for, sent as code-127 frames at
 * the pace the peer reads, and for the extended form a code-125 completion.
 */
import type { Archive } from './archive.ts'
import { rangeDigest } from './digest.ts'
import type { MailServerHost, PeerRef } from './host.ts'
import { encodeCompletion, type HistoryRequest } from './protocol.ts'

/** What bounds an answer. */
export interface AnswerLimits {
  readonly maxPageLimit: number
  readonly maxGethEnvelopes: number
  readonly maxGethPages: number
}

/**
 * Answers `request` (whose envelope hash is `requestId`) to `peer`; resolves with the number of
 * envelopes sent. geth's form gets every match in range (up to `maxGethEnvelopes`, reading at most
 * `maxGethPages` pages) and no completion; the extended form one page and its completion.
 */
export async function answer(
  host: MailServerHost, archive: Archive, limits: AnswerLimits, peer: PeerRef, request: HistoryRequest, requestId: Uint8Array, signal: AbortSignal
): Promise<number> {
  if (request.format === 'geth') {
    let cursor: Uint8Array | undefined
    let left = limits.maxGethEnvelopes
    let sent = 0
    for (let pages = 0; pages < limits.maxGethPages && left > 0 && !signal.aborted; pages++) {
      const page = await archive.query({ from: request.from, to: request.to, limit: Math.min(left, limits.maxPageLimit), cursor, ...bloomOrAll(request.bloom) })
      sent += (await sendPage(host, peer, page.envelopes, page.hashes, signal)).hashes.length
      left -= page.envelopes.length
      cursor = page.cursor
      if (cursor === undefined) break
    }
    return sent
  }
  const page = await archive.query({
    from: request.from,
    to: request.to,
    limit: request.limit,
    cursor: request.cursor,
    ...(request.filter instanceof Uint8Array ? { bloom: request.filter } : { topics: request.filter }),
  })
  const sent = await sendPage(host, peer, page.envelopes, page.hashes, signal)
  const digest = sent.hashes.length === page.hashes.length ? page.digest : rangeDigest(sent.hashes)
  await host.sendP2PComplete(peer, encodeCompletion({ requestId, count: sent.hashes.length, cursor: page.cursor, digest }), { signal })
  return sent.hashes.length
}

/**
 * Sends a page's envelopes; when the node refuses one as larger than the peer takes (the peer's
 * announced maximum), sends the others one by one and leaves out those it refuses, so one big
 * envelope cannot block a range for that peer. Returns the hashes of what was sent.
 */
async function sendPage(
  host: MailServerHost, peer: PeerRef, envelopes: readonly Uint8Array[], hashes: readonly Uint8Array[], signal: AbortSignal
): Promise<{ hashes: Uint8Array[] }> {
  try {
    await host.sendP2PMessages(peer, envelopes, { signal })
    return { hashes: [...hashes] }
  } catch (err) {
    if (!isTooLarge(err)) throw err
  }
  const sent: Uint8Array[] = []
  for (let i = 0; i < envelopes.length; i++) {
    try {
      await host.sendP2PMessages(peer, [envelopes[i]], { signal })
      sent.push(hashes[i])
    } catch (err) {
      if (!isTooLarge(err)) throw err
    }
  }
  return { hashes: sent }
}

/** The node's refusal of an envelope over the peer's max size (`PostRejectedError('too-large')`). */
function isTooLarge(err: unknown): boolean {
  const e = err as { name?: unknown; reason?: unknown }
  return e.name === 'PostRejectedError' && e.reason === 'too-large'
}

/** A query's filter for a geth bloom: none for the full bloom (every topic matches it). */
function bloomOrAll(bloom: Uint8Array | undefined): { bloom?: Uint8Array } {
  if (bloom === undefined || bloom.every((b) => b === 0xff)) return {}
  return { bloom }
}
