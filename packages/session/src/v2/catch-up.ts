/**
 * The catch-up of a conversation (docs/SESSION.md §10.4): ask the history for every topic listened
 * on since shortly before the last moment nothing was missing, let the fetched records take the
 * usual path, then ask again for the topics they added (new chains), at most 4 rounds. One runs at
 * a time; a second call joins it.
 */
import { bytesToHex } from '@noble/hashes/utils.js'
import { SessionClosedError } from '../errors.ts'
import type { AbortOptions, SessionTransport } from '../transport.ts'

/** Topics per history request (§10.4). */
const CATCH_UP_TOPICS = 256
/** Rounds of a catch-up: records fetched may step the ratchet and add topics, at most this often. */
const CATCH_UP_MAX_ROUNDS = 4
/** Catch-up asks from this long before the span it needs, for the clocks' skew (§10.4). */
const CATCH_UP_SKEW_MS = 30_000

/**
 * The history range (unix seconds) of a catch-up that needs everything sent since `sinceMs`, up
 * to now: widened by the clocks' skew on both sides (§10.4), never before 0.
 */
export function catchUpRange(sinceMs: number, nowMs: number): { from: number; to: number } {
  return { from: Math.max(0, Math.floor((sinceMs - CATCH_UP_SKEW_MS) / 1000)), to: Math.ceil((nowMs + CATCH_UP_SKEW_MS) / 1000) }
}

/** What a conversation's catch-up is made from. */
export interface CatchUpInit {
  readonly transport: SessionTransport
  readonly now: () => number
  readonly ttlSeconds: number
  /** When the conversation began, unix ms: nothing from before it is asked for. */
  readonly createdAtMs: number
  /** Unix ms up to which nothing from the peer can be missing (restored after a restart). */
  readonly caughtUpMs: number
  /** The topics listened on now (every one is subscribed). */
  listening(): Uint8Array[]
  isClosed(): boolean
}

/** One conversation's catch-up, and the mark it starts from. */
export class CatchUp {
  /** Unix ms up to which nothing from the peer can be missing: moved when the receive queue is whole, and after a catch-up. */
  caughtUpMs: number
  /** Envelopes handed to the conversation so far, to see when a catch-up's deliveries are handled. */
  handled = 0
  private readonly init: CatchUpInit
  private running: Promise<number> | undefined

  constructor(init: CatchUpInit) {
    this.init = init
    this.caughtUpMs = init.caughtUpMs
  }

  /**
   * Runs a catch-up, or joins the one running; resolves with the envelopes fetched.
   * @throws {TypeError} when the transport has no `requestHistory`
   * @throws {SessionClosedError} when the conversation is closed
   */
  run(options: AbortOptions): Promise<number> {
    const request = this.init.transport.requestHistory
    if (typeof request !== 'function') return Promise.reject(new TypeError('the transport has no requestHistory: it cannot fetch history'))
    if (options.signal?.aborted === true) return Promise.reject(options.signal.reason)
    if (this.init.isClosed()) return Promise.reject(new SessionClosedError('the conversation is closed'))
    if (this.running === undefined) {
      const running = this.runRounds(request, options)
      this.running = running
      const done = (): void => {
        if (this.running === running) this.running = undefined
      }
      running.then(done, done)
    }
    return this.running
  }

  private async runRounds(request: NonNullable<SessionTransport['requestHistory']>, options: AbortOptions): Promise<number> {
    const { transport, now, ttlSeconds, createdAtMs, listening, isClosed } = this.init
    const nowMs = now()
    const range = catchUpRange(Math.max(createdAtMs, this.caughtUpMs - ttlSeconds * 1000), nowMs)
    const asked = new Set<string>()
    let fetched = 0
    for (let round = 0; round < CATCH_UP_MAX_ROUNDS; round++) {
      const topics = listening().filter((t) => !asked.has(bytesToHex(t)))
      if (topics.length === 0) break
      for (const t of topics) asked.add(bytesToHex(t))
      for (let start = 0; start < topics.length; start += CATCH_UP_TOPICS) {
        if (isClosed()) throw new SessionClosedError('the conversation closed during its catch-up')
        const before = this.handled
        const count = await request.call(transport, { topics: topics.slice(start, start + CATCH_UP_TOPICS), ...range }, options)
        fetched += count
        // Wait (a bounded number of turns) until the fetched envelopes have been taken.
        for (let turns = 0; this.handled < before + count && turns < 400 && !isClosed(); turns++) {
          await new Promise((resolve) => setTimeout(resolve, 5))
        }
      }
      if (isClosed()) break
    }
    this.caughtUpMs = Math.max(this.caughtUpMs, nowMs)
    return fetched
  }
}
