/**
 * The rounds of a conversation's catch-up (docs/SESSION.md §10.4), as one function over what it
 * needs of the conversation: ask the history for every topic listened on, let the fetched records
 * take the usual path, then ask again for the topics they added (new chains), at most 4 rounds.
 */
import { bytesToHex } from '@noble/hashes/utils.js'
import { SessionClosedError } from '../errors.ts'
import type { AbortOptions, HistoryRange } from '../transport.ts'

/** Topics per history request (§10.4). */
const CATCH_UP_TOPICS = 256
/** Rounds of a catch-up: records fetched may step the ratchet and add topics, at most this often. */
const CATCH_UP_MAX_ROUNDS = 4

/** What the rounds need of the conversation. */
export interface CatchUpTarget {
  /** Fetches archived envelopes and hands them to the subscriptions; resolves with how many. */
  request(range: HistoryRange, options: AbortOptions): Promise<number>
  /** The topics listened on now (every one is subscribed). */
  listening(): Uint8Array[]
  /** Envelopes the conversation has taken so far (to see when a request's are handled). */
  handled(): number
  isClosed(): boolean
}

/**
 * Runs the rounds over `[fromSeconds, toSeconds]`; resolves with the envelopes fetched.
 * @throws {SessionClosedError} when the conversation closes between two requests
 */
export async function catchUpRounds(target: CatchUpTarget, fromSeconds: number, toSeconds: number, options: AbortOptions): Promise<number> {
  const asked = new Set<string>()
  let fetched = 0
  for (let round = 0; round < CATCH_UP_MAX_ROUNDS; round++) {
    const topics = target.listening().filter((t) => !asked.has(bytesToHex(t)))
    if (topics.length === 0) break
    for (const t of topics) asked.add(bytesToHex(t))
    for (let start = 0; start < topics.length; start += CATCH_UP_TOPICS) {
      if (target.isClosed()) throw new SessionClosedError('the conversation closed during its catch-up')
      const before = target.handled()
      const count = await target.request({ topics: topics.slice(start, start + CATCH_UP_TOPICS), from: fromSeconds, to: toSeconds }, options)
      fetched += count
      // Wait (a bounded number of turns) until the fetched envelopes have been taken.
      for (let turns = 0; target.handled() < before + count && turns < 400 && !target.isClosed(); turns++) {
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
    }
    if (target.isClosed()) break
  }
  return fetched
}
