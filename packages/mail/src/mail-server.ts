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
import { type Envelope, openMessage } from '@hush/envelope'
import { powOf } from '@hush/pow'
import type { Archive, ArchiveEntry, HistoryQuery } from './archive.ts'
import { MAX_PAGE_LIMIT } from './archive.ts'
import { assertBytes, assertInt } from './assert.ts'
import type { MailServerHost, P2PRequestLike, PeerRef, PooledEnvelope } from './host.ts'
import { rangeDigest } from './digest.ts'
import { decodeHistoryRequest, encodeCompletion, type HistoryRequest } from './protocol.ts'

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

/** Most peers whose request rate is tracked at once. */
const MAX_BUCKETS = 10_000

/** Refusal reasons, for the log and tests. */
type Refusal = 'rate' | 'low-pow' | 'undecryptable' | 'unsigned' | 'payload' | 'limit'

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

class Server implements MailServer {
  private readonly host: MailServerHost
  private readonly archive: Archive
  private readonly symKey: Uint8Array
  private readonly minPow: number
  private readonly maxPageLimit: number
  private readonly maxGethEnvelopes: number
  private readonly maxGethPages: number
  private readonly maxQueuedPerPeer: number
  private readonly answerTimeoutMs: number
  /** Requests of each peer being answered or waiting. */
  private readonly queued = new Map<string, number>()
  /** A flush is queued or running (pooled envelopes do not queue another). */
  private flushRequested = false
  /** Envelopes were pooled while a flush ran: run one more after it. */
  private flushAgain = false
  /** The last write failed: new envelopes wait for the retry timer instead of forcing writes. */
  private failing = false
  private readonly perMinute: number
  private readonly flushIntervalMs: number
  private readonly flushBatch: number
  private readonly maxPending: number
  private readonly onError: (error: unknown) => void
  private readonly now: () => number
  private pending: ArchiveEntry[] = []
  private timer: ReturnType<typeof setTimeout> | undefined
  private writing: Promise<void> = Promise.resolve()
  private readonly buckets = new Map<string, { tokens: number; at: number }>()
  private readonly serving = new Map<string, Promise<void>>()
  private abort = new AbortController()
  private running = false
  private counts = { archived: 0, dropped: 0, requests: 0, refused: 0, served: 0, sent: 0, pruned: 0 }
  private readonly retention: Required<Pick<MailRetention, 'intervalMs'>> & MailRetention | undefined
  private retentionTimer: ReturnType<typeof setInterval> | undefined
  private pruning: Promise<void> = Promise.resolve()
  private readonly onEnvelope = (event: CustomEvent<PooledEnvelope>): void => this.enqueue(event.detail)

  constructor(host: MailServerHost, init: MailServerInit) {
    if (typeof host !== 'object' || host === null) throw new TypeError('host must be an object')
    if (typeof init !== 'object' || init === null) throw new TypeError('init must be an object')
    if (typeof init.archive !== 'object' || init.archive === null) throw new TypeError('init.archive must be an Archive')
    assertBytes(init.symKey, 'init.symKey', 32)
    const minPow = init.minPow ?? 0
    if (typeof minPow !== 'number' || !(minPow >= 0) || !Number.isFinite(minPow)) throw new RangeError('init.minPow must be a finite number ≥ 0')
    this.host = host
    this.archive = init.archive
    this.symKey = init.symKey.slice()
    this.minPow = minPow
    this.maxPageLimit = intSetting(init.maxPageLimit ?? 1000, 'init.maxPageLimit', 1, MAX_PAGE_LIMIT)
    this.maxGethEnvelopes = intSetting(init.maxGethEnvelopes ?? 10_000, 'init.maxGethEnvelopes', 1)
    this.maxGethPages = intSetting(init.maxGethPages ?? 10, 'init.maxGethPages', 1)
    this.maxQueuedPerPeer = intSetting(init.maxQueuedPerPeer ?? 2, 'init.maxQueuedPerPeer', 1)
    this.answerTimeoutMs = intSetting(init.answerTimeoutMs ?? 60_000, 'init.answerTimeoutMs', 1)
    this.perMinute = intSetting(init.requestsPerMinute ?? 60, 'init.requestsPerMinute', 1)
    this.flushIntervalMs = intSetting(init.flushIntervalMs ?? 50, 'init.flushIntervalMs', 0)
    this.flushBatch = intSetting(init.flushBatch ?? 1000, 'init.flushBatch', 1)
    this.maxPending = intSetting(init.maxPending ?? 100_000, 'init.maxPending', 1)
    if (init.retention !== undefined) {
      const r = init.retention
      if (typeof r !== 'object' || r === null) throw new TypeError('init.retention must be an object')
      if (r.maxAgeSeconds !== undefined) assertInt(r.maxAgeSeconds, 'init.retention.maxAgeSeconds', 1)
      if (r.maxBytes !== undefined) assertInt(r.maxBytes, 'init.retention.maxBytes', 0)
      const intervalMs = r.intervalMs ?? 60_000
      assertInt(intervalMs, 'init.retention.intervalMs', 1)
      this.retention = { ...r, intervalMs }
    }
    const onError = init.onError ?? (() => {})
    // A throwing callback must not become an unhandled rejection or stop retention.
    this.onError = (error) => {
      try {
        onError(error)
      } catch {}
    }
    this.now = init.now ?? Date.now
  }

  start(): void {
    if (this.running) return
    this.running = true
    this.abort = new AbortController()
    this.host.addEventListener('envelope', this.onEnvelope)
    this.host.setRequestHandler((request) => this.onRequest(request))
    if (this.retention !== undefined) {
      void this.prune()
      this.retentionTimer = setInterval(() => void this.prune(), this.retention.intervalMs)
    }
  }

  /** Applies the retention policy once (one run at a time). */
  private prune(): Promise<void> {
    const r = this.retention
    if (r === undefined) return Promise.resolve()
    this.pruning = this.pruning.then(async () => {
      const nowSeconds = Math.floor(this.now() / 1000)
      try {
        const result = await this.archive.prune({
          ...(r.maxAgeSeconds === undefined ? {} : { before: Math.max(0, nowSeconds - r.maxAgeSeconds) }),
          ...(r.maxBytes === undefined ? {} : { maxBytes: r.maxBytes }),
        })
        this.counts.pruned += result.removed
      } catch (err) {
        this.onError(err)
      }
    })
    return this.pruning
  }

  async stop(): Promise<void> {
    if (!this.running) return
    this.running = false
    this.host.removeEventListener('envelope', this.onEnvelope)
    this.host.setRequestHandler(undefined)
    this.abort.abort(new Error('the mail server stopped'))
    clearInterval(this.retentionTimer)
    this.retentionTimer = undefined
    await Promise.allSettled([...this.serving.values()])
    await this.pruning
    await this.flush()
  }

  flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
    this.writing = this.writing.then(() => this.writeBatches())
    return this.writing
  }

  stats(): MailServerStats {
    return { ...this.counts, pending: this.pending.length }
  }

  private enqueue(pooled: PooledEnvelope): void {
    const { envelope, raw, hash } = pooled
    this.pending.push({ time: Math.max(0, envelope.expiry - envelope.ttl), hash, topic: envelope.topic, raw })
    if (this.pending.length > this.maxPending) {
      const excess = this.pending.length - this.maxPending
      this.pending.splice(0, excess)
      this.counts.dropped += excess
    }
    // While the archive fails, the retry timer alone writes (not every pooled envelope).
    if (this.failing) return
    if (this.pending.length >= this.flushBatch) this.requestFlush()
    else this.scheduleFlush(this.flushIntervalMs)
  }

  /** A flush in `delayMs`, unless one is scheduled already. */
  private scheduleFlush(delayMs: number): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined
      this.requestFlush()
    }, delayMs)
  }

  /** Starts a flush unless one is running; then one more runs after it if envelopes came meanwhile. */
  private requestFlush(): void {
    if (this.flushRequested) {
      this.flushAgain = true
      return
    }
    this.flushRequested = true
    void this.flush().finally(() => {
      this.flushRequested = false
      if (this.flushAgain) {
        this.flushAgain = false
        if (this.pending.length > 0 && !this.failing) this.requestFlush()
      }
    })
  }

  /** Writes what is pending in batches of `flushBatch`; a failed batch stays pending. */
  private async writeBatches(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.slice(0, this.flushBatch)
      try {
        await this.archive.put(batch)
      } catch (err) {
        this.onError(err)
        this.failing = true
        if (this.running) this.scheduleFlush(Math.max(this.flushIntervalMs, 1000))
        return
      }
      this.failing = false
      // Entries may have been dropped from the front meanwhile (over maxPending): drop what was written.
      const written = this.pending.indexOf(batch[batch.length - 1])
      this.pending.splice(0, written + 1)
      this.counts.archived += batch.length
    }
  }

  private onRequest(request: P2PRequestLike): void {
    if (!this.running) return
    this.counts.requests++
    const peer = request.from
    const refusal = this.check(request)
    if (typeof refusal === 'string') {
      this.counts.refused++
      this.host.penalize(peer, 'bad-request')
      return
    }
    const key = peer.toString()
    const waiting = this.queued.get(key) ?? 0
    if (waiting >= this.maxQueuedPerPeer) {
      this.counts.refused++
      this.host.penalize(peer, 'bad-request')
      return
    }
    this.queued.set(key, waiting + 1)
    const previous = this.serving.get(key) ?? Promise.resolve()
    const next = previous.then(() => this.serve(peer, refusal, request.hash)).catch((err: unknown) => {
      if (!this.abort.signal.aborted) this.onError(err)
    })
    this.serving.set(key, next)
    void next.then(() => {
      const left = (this.queued.get(key) ?? 1) - 1
      if (left === 0) this.queued.delete(key)
      else this.queued.set(key, left)
      if (this.serving.get(key) === next) this.serving.delete(key)
    })
  }

  /** The decoded request, or why it is refused. */
  private check(request: P2PRequestLike): HistoryRequest | Refusal {
    if (!this.take(request.from.toString())) return 'rate'
    const envelope: Envelope = request.envelope
    if (this.minPow > 0 && powOf(envelope) < this.minPow) return 'low-pow'
    const opened = openMessage(envelope, { symKey: this.symKey })
    if (opened === undefined) return 'undecryptable'
    if (opened.senderPublicKey === undefined) return 'unsigned'
    let decoded: HistoryRequest
    try {
      decoded = decodeHistoryRequest(opened.payload)
    } catch {
      return 'payload'
    }
    if (decoded.format === 'extended' && decoded.limit > this.maxPageLimit) return 'limit'
    return decoded
  }

  private sendPage(peer: PeerRef, envelopes: readonly Uint8Array[], hashes: readonly Uint8Array[], signal: AbortSignal): Promise<{ envelopes: Uint8Array[]; hashes: Uint8Array[] }> {
    return sendPageTo(this.host, peer, envelopes, hashes, signal)
  }

  /** Takes a token from the peer's bucket; false when it is empty. */
  private take(peer: string): boolean {
    const now = this.now()
    const perMs = this.perMinute / 60_000
    let bucket = this.buckets.get(peer)
    if (bucket === undefined) {
      if (this.buckets.size >= MAX_BUCKETS) this.forgetFullBuckets(now, perMs)
      bucket = { tokens: this.perMinute, at: now }
      this.buckets.set(peer, bucket)
    }
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.at) * perMs)
    bucket.at = now
    if (bucket.tokens < 1) return false
    bucket.tokens -= 1
    return true
  }

  /** Forgets buckets that have refilled (a new one would be the same), bounding the map. */
  private forgetFullBuckets(now: number, perMs: number): void {
    for (const [peer, b] of this.buckets) if (b.tokens + (now - b.at) * perMs >= this.perMinute) this.buckets.delete(peer)
    // Still full (that many peers asked within a minute): forget the longest-known ones, which
    // costs them at most a fresh bucket.
    for (const peer of this.buckets.keys()) {
      if (this.buckets.size < MAX_BUCKETS / 2) break
      this.buckets.delete(peer)
    }
  }

  private async serve(peer: PeerRef, request: HistoryRequest, requestId: Uint8Array): Promise<void> {
    if (this.abort.signal.aborted) return
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.answerTimeoutMs)])
    if (request.format === 'geth') {
      // geth's form: everything in range whose topic matches the bloom, no completion.
      let cursor: Uint8Array | undefined
      let left = this.maxGethEnvelopes
      let pages = 0
      do {
        pages++
        const page = await this.archive.query({ from: request.from, to: request.to, limit: Math.min(left, this.maxPageLimit), cursor, ...bloomOrAll(request.bloom) })
        const sent = await this.sendPage(peer, page.envelopes, page.hashes, signal)
        this.counts.sent += sent.envelopes.length
        left -= page.envelopes.length
        cursor = page.cursor
      } while (cursor !== undefined && left > 0 && pages < this.maxGethPages && !signal.aborted)
      this.counts.served++
      return
    }
    const query: HistoryQuery = {
      from: request.from,
      to: request.to,
      limit: request.limit,
      cursor: request.cursor,
      ...(request.filter instanceof Uint8Array ? { bloom: request.filter } : { topics: request.filter }),
    }
    const page = await this.archive.query(query)
    const sent = await this.sendPage(peer, page.envelopes, page.hashes, signal)
    const digest = sent.envelopes.length === page.envelopes.length ? page.digest : rangeDigest(sent.hashes)
    await this.host.sendP2PComplete(peer, encodeCompletion({ requestId, count: sent.envelopes.length, cursor: page.cursor, digest }), { signal })
    this.counts.sent += sent.envelopes.length
    this.counts.served++
  }
}

/**
 * Sends a page's envelopes; when the node refuses one as larger than the peer takes (the peer's
 * announced maximum), sends the others one by one and leaves out those it refuses, so one big
 * envelope cannot block a range for that peer. Returns what was sent.
 */
async function sendPageTo(
  host: MailServerHost, peer: PeerRef, envelopes: readonly Uint8Array[], hashes: readonly Uint8Array[], signal: AbortSignal
): Promise<{ envelopes: Uint8Array[]; hashes: Uint8Array[] }> {
  try {
    await host.sendP2PMessages(peer, envelopes, { signal })
    return { envelopes: [...envelopes], hashes: [...hashes] }
  } catch (err) {
    if ((err as { name?: string; reason?: string }).name !== 'PostRejectedError' || (err as { reason?: string }).reason !== 'too-large') throw err
  }
  const sent = { envelopes: [] as Uint8Array[], hashes: [] as Uint8Array[] }
  for (let i = 0; i < envelopes.length; i++) {
    try {
      await host.sendP2PMessages(peer, [envelopes[i]], { signal })
    } catch (err) {
      if ((err as { name?: string; reason?: string }).name === 'PostRejectedError' && (err as { reason?: string }).reason === 'too-large') continue
      throw err
    }
    sent.envelopes.push(envelopes[i])
    sent.hashes.push(hashes[i])
  }
  return sent
}

/** A query's filter for a geth bloom: none for the full bloom (every topic matches it). */
function bloomOrAll(bloom: Uint8Array | undefined): { bloom?: Uint8Array } {
  if (bloom === undefined || bloom.every((b) => b === 0xff)) return {}
  return { bloom }
}
