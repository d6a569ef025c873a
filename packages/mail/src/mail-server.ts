/**
 * The mail server (design §8, spec §7.6): archives every envelope the node pools and answers
 * history requests (code 126) with the archived envelopes (code 127), plus a completion (code 125)
 * for the extended form.
 *
 * Retention. With `retention`, entries older than `maxAgeSeconds` and the oldest beyond
 * `maxBytes` are pruned every `intervalMs` in the background.
 *
 * Archiving. Pooled envelopes are queued and written in batches (every `flushIntervalMs`, or at
 * once when `flushBatch` are waiting), one durable `Archive.put` at a time; `stats().archived`
 * counts what the archive acknowledged. A failing write is retried on a timer (at least a second
 * apart) until it succeeds, and meanwhile pooled envelopes only queue; while the archive cannot
 * keep up, at most `maxPending` envelopes wait and the oldest beyond it are dropped (counted).
 *
 * Requests. A request is answered only if it is signed, opens with the server's symmetric key,
 * has PoW of at least `minPow`, carries a valid payload, asks no more than `maxPageLimit`, and
 * its peer is within `requestsPerMinute` and has fewer than `maxQueuedPerPeer` requests waiting.
 * An answer that takes longer than `answerTimeoutMs` to stream is given up; a geth-form answer
 * reads at most `maxGethPages` archive pages. Anything else gets no answer and costs the peer score
 * (`penalize`). A peer's requests are served one after another; answers stream at the pace the
 * peer reads (the node's `sendP2PMessages` waits for its stream to drain).
 */
import { openMessage } from '@hush/envelope'
import { powOfEncoded } from '@hush/pow'
import { type AnswerLimits, answer } from './answer.ts'
import type { Archive } from './archive.ts'
import { MAX_PAGE_LIMIT } from './archive.ts'
import { ArchiveWriter } from './archive-writer.ts'
import { assertBytes, assertInt } from './assert.ts'
import type { MailServerHost, P2PRequestLike, PeerRef, PooledEnvelope } from './host.ts'
import { decodeHistoryRequest, type HistoryRequest } from './protocol.ts'
import { RequestRate } from './request-rate.ts'
import { RetentionTimer } from './retention.ts'

/** Settings of {@link createMailServer}. */
export interface MailServerInit {
  /** Where envelopes are archived and read back. The server does not close it. */
  readonly archive: Archive
  /** The 32-byte symmetric key requests are encrypted with (geth derives it from a password). */
  readonly symKey: Uint8Array
  /**
   * Least PoW of a request envelope (geth's mail server `pow` setting).
   * @default 0
   */
  readonly minPow?: number
  /**
   * Most envelopes in one extended-form page; larger requests are refused.
   * @default 1000
   */
  readonly maxPageLimit?: number
  /**
   * Most envelopes in the answer to one geth-form request (which has no limit or paging).
   * @default 10000
   */
  readonly maxGethEnvelopes?: number
  /**
   * Most archive pages (each at most 10 × `maxPageLimit` entries looked at) one geth-form answer
   * reads, matching or not: a bloom that matches almost nothing over a long range stops there.
   * @default 10
   */
  readonly maxGethPages?: number
  /**
   * Requests of one peer being answered or waiting; more are refused (and penalised).
   * @default 2
   */
  readonly maxQueuedPerPeer?: number
  /**
   * Longest one answer may take to stream (a client that stops reading is given up on).
   * @default 60000
   */
  readonly answerTimeoutMs?: number
  /**
   * Requests per peer per minute (a token bucket holding a minute's worth).
   * @default 60
   */
  readonly requestsPerMinute?: number
  /**
   * Longest a pooled envelope waits before its batch is written.
   * @default 50
   */
  readonly flushIntervalMs?: number
  /**
   * Envelopes that trigger a write at once.
   * @default 1000
   */
  readonly flushBatch?: number
  /**
   * Most envelopes waiting for the archive; beyond it the oldest are dropped (counted).
   * @default 100000
   */
  readonly maxPending?: number
  /**
   * Retention, applied in the background every `intervalMs` (and once at start): entries sent
   * more than `maxAgeSeconds` ago go, then the oldest while the archive holds over `maxBytes` of
   * envelopes. Without it the archive grows until the operator prunes it.
   * @default none
   */
  readonly retention?: MailRetention
  /** Called with archive write and prune errors (writes are retried). @default none */
  readonly onError?: (error: unknown) => void
  /** The clock in milliseconds. @default Date.now */
  readonly now?: () => number
}

/** Background retention of a mail server's archive. */
export interface MailRetention {
  /** Keep envelopes sent at most this long ago. */
  readonly maxAgeSeconds?: number
  /** Keep at most this many envelope bytes (the oldest go first). */
  readonly maxBytes?: number
  /**
   * How often retention runs.
   * @default 60000
   */
  readonly intervalMs?: number
}

/** Counters of a {@link MailServer}. */
export interface MailServerStats {
  /** Envelopes the archive acknowledged (durable). */
  readonly archived: number
  /** Envelopes waiting to be written. */
  readonly pending: number
  /** Envelopes dropped because the archive fell behind by more than `maxPending`. */
  readonly dropped: number
  /** Requests received. */
  readonly requests: number
  /** Requests refused (and the peer penalised). */
  readonly refused: number
  /** Requests answered. */
  readonly served: number
  /** Envelopes sent in answers. */
  readonly sent: number
  /** Envelopes removed by retention. */
  readonly pruned: number
}

/** A running mail server. */
export interface MailServer {
  /** Starts archiving and answering requests. */
  start(): void
  /** Stops answering, aborts answers in flight, and tries once more to write what is pending. */
  stop(): Promise<void>
  /** Writes every pending envelope now; resolves when they are durable. */
  flush(): Promise<void>
  stats(): MailServerStats
}

/** A checked integer setting (`assertInt`'s rules), for the constructor's one-liners. */
function intSetting(value: number, label: string, min: number, max?: number): number {
  assertInt(value, label, min, max)
  return value
}

/** Refusal reasons, for the log and tests. */
type Refusal = 'rate' | 'queue' | 'low-pow' | 'undecryptable' | 'unsigned' | 'payload' | 'limit'

/**
 * Creates a mail server on a node.
 * @throws {TypeError | RangeError} when a setting is malformed (naming it)
 * @example
 * ```ts
 * const archive = await openLevelArchive({ path: './mail' })
 * const mail = createMailServer(node.services.shh, { archive, symKey: symKeyFromPassword('mail password') })
 * mail.start()
 * // …
 * await mail.stop()
 * await archive.close()
 * ```
 */
export function createMailServer(host: MailServerHost, init: MailServerInit): MailServer {
  return new Server(host, init)
}

/** One peer's requests: the last answer in line, and how many are answered or waiting. */
interface PeerLine {
  tail: Promise<void>
  waiting: number
}

class Server implements MailServer {
  private readonly host: MailServerHost
  private readonly archive: Archive
  private readonly symKey: Uint8Array
  private readonly minPow: number
  private readonly limits: AnswerLimits
  private readonly maxQueuedPerPeer: number
  private readonly answerTimeoutMs: number
  private readonly writer: ArchiveWriter
  private readonly rate: RequestRate
  private readonly retention: RetentionTimer | undefined
  private readonly onError: (error: unknown) => void
  private readonly lines = new Map<string, PeerLine>()
  private abort = new AbortController()
  private running = false
  private counts = { requests: 0, refused: 0, served: 0, sent: 0 }
  private readonly onEnvelope = (event: CustomEvent<PooledEnvelope>): void => {
    const { envelope, raw, hash } = event.detail
    this.writer.enqueue({ time: Math.max(0, envelope.expiry - envelope.ttl), hash, topic: envelope.topic, raw })
  }

  constructor(host: MailServerHost, init: MailServerInit) {
    if (typeof host !== 'object' || host === null) throw new TypeError('host must be an object')
    if (typeof init !== 'object' || init === null) throw new TypeError('init must be an object')
    if (typeof init.archive !== 'object' || init.archive === null) throw new TypeError('init.archive must be an Archive')
    assertBytes(init.symKey, 'init.symKey', 32)
    const minPow = init.minPow ?? 0
    if (typeof minPow !== 'number' || !(minPow >= 0) || !Number.isFinite(minPow)) throw new RangeError('init.minPow must be a finite number ≥ 0')
    this.host = host
    this.archive = init.archive
    // A copy (a Buffer's `slice` would share the caller's memory).
    this.symKey = new Uint8Array(init.symKey)
    this.minPow = minPow
    this.limits = {
      maxPageLimit: intSetting(init.maxPageLimit ?? 1000, 'init.maxPageLimit', 1, MAX_PAGE_LIMIT),
      maxGethEnvelopes: intSetting(init.maxGethEnvelopes ?? 10_000, 'init.maxGethEnvelopes', 1),
      maxGethPages: intSetting(init.maxGethPages ?? 10, 'init.maxGethPages', 1),
    }
    this.maxQueuedPerPeer = intSetting(init.maxQueuedPerPeer ?? 2, 'init.maxQueuedPerPeer', 1)
    this.answerTimeoutMs = intSetting(init.answerTimeoutMs ?? 60_000, 'init.answerTimeoutMs', 1)
    const now = init.now ?? Date.now
    this.rate = new RequestRate(intSetting(init.requestsPerMinute ?? 60, 'init.requestsPerMinute', 1), now)
    const onError = init.onError ?? (() => {})
    // A throwing callback must not become an unhandled rejection or stop retention.
    this.onError = (error) => {
      try {
        onError(error)
      } catch {}
    }
    this.writer = new ArchiveWriter(
      init.archive,
      {
        intervalMs: intSetting(init.flushIntervalMs ?? 50, 'init.flushIntervalMs', 0),
        batch: intSetting(init.flushBatch ?? 1000, 'init.flushBatch', 1),
        maxPending: intSetting(init.maxPending ?? 100_000, 'init.maxPending', 1),
      },
      this.onError
    )
    if (init.retention !== undefined) {
      const r = init.retention
      if (typeof r !== 'object' || r === null) throw new TypeError('init.retention must be an object')
      if (r.maxAgeSeconds !== undefined) assertInt(r.maxAgeSeconds, 'init.retention.maxAgeSeconds', 1)
      if (r.maxBytes !== undefined) assertInt(r.maxBytes, 'init.retention.maxBytes', 0)
      const intervalMs = intSetting(r.intervalMs ?? 60_000, 'init.retention.intervalMs', 1)
      this.retention = new RetentionTimer(init.archive, { maxAgeSeconds: r.maxAgeSeconds, maxBytes: r.maxBytes, intervalMs }, now, this.onError)
    }
  }

  start(): void {
    if (this.running) return
    this.running = true
    this.abort = new AbortController()
    this.host.addEventListener('envelope', this.onEnvelope)
    this.host.setRequestHandler((request) => this.onRequest(request))
    this.retention?.start()
  }

  async stop(): Promise<void> {
    if (!this.running) return
    this.running = false
    this.host.removeEventListener('envelope', this.onEnvelope)
    this.host.setRequestHandler(undefined)
    this.abort.abort(new Error('the mail server stopped'))
    this.writer.stop()
    await Promise.allSettled([...this.lines.values()].map((line) => line.tail))
    await this.retention?.stop()
    await this.writer.flush()
  }

  flush(): Promise<void> {
    return this.writer.flush()
  }

  stats(): MailServerStats {
    return {
      ...this.counts,
      archived: this.writer.archived,
      pending: this.writer.pendingCount,
      dropped: this.writer.dropped,
      pruned: this.retention?.pruned ?? 0,
    }
  }

  private onRequest(request: P2PRequestLike): void {
    if (!this.running) return
    this.counts.requests++
    const peer = request.from
    const key = peer.toString()
    const line = this.lines.get(key) ?? { tail: Promise.resolve(), waiting: 0 }
    const decoded = line.waiting >= this.maxQueuedPerPeer ? 'queue' : this.check(request)
    if (typeof decoded === 'string') {
      this.counts.refused++
      this.host.penalize(peer, 'bad-request')
      return
    }
    line.waiting++
    this.lines.set(key, line)
    const next = line.tail.then(() => this.serve(peer, decoded, request.hash))
    line.tail = next
    void next.then(() => {
      if (--line.waiting === 0 && this.lines.get(key) === line) this.lines.delete(key)
    })
  }

  /** The decoded request, or why it is refused. */
  private check(request: P2PRequestLike): HistoryRequest | Refusal {
    if (!this.rate.take(request.from.toString())) return 'rate'
    const envelope = request.envelope
    if (this.minPow > 0 && powOfEncoded(request.raw, envelope) < this.minPow) return 'low-pow'
    const opened = openMessage(envelope, { symKey: this.symKey })
    if (opened === undefined) return 'undecryptable'
    if (opened.senderPublicKey === undefined) return 'unsigned'
    let decoded: HistoryRequest
    try {
      decoded = decodeHistoryRequest(opened.payload)
    } catch {
      return 'payload'
    }
    if (decoded.format === 'extended' && decoded.limit > this.limits.maxPageLimit) return 'limit'
    return decoded
  }

  /** Answers one request within `answerTimeoutMs`; errors go to `onError` unless the server stopped. */
  private async serve(peer: PeerRef, request: HistoryRequest, requestId: Uint8Array): Promise<void> {
    if (this.abort.signal.aborted) return
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.answerTimeoutMs)])
    try {
      this.counts.sent += await answer(this.host, this.archive, this.limits, peer, request, requestId, signal)
      this.counts.served++
    } catch (err) {
      if (!this.abort.signal.aborted) this.onError(err)
    }
  }
}
