/**
 * The archive's contract: what a mail-server node stores and how history is read back. Two
 * backends implement it (`level-archive.ts`, `postgres-archive.ts`) and pass one test suite.
 *
 * Order. Entries are ordered by their {@link ArchiveKey}: the envelope's sent time (expiry − TTL,
 * as geth's mail server keys it), big-endian, then its hash. A page lists envelopes in that
 * order, and the cursor of a page is the key of the last entry looked at, so paging through a
 * range yields every matching entry exactly once however the pages fall.
 *
 * Durability. `put` resolves only once its entries are on disk (LevelDB: one batch written with
 * `sync`; PostgreSQL: one committed transaction under the server's `synchronous_commit`), so
 * whatever a caller acknowledges after `put` resolved survives a crash of the process.
 */
import type { Bloom, Topic } from '@hush/envelope'

/** One envelope to archive: its canonical RLP and the fields the archive indexes. */
export interface ArchiveEntry {
  /** Sent time, unix seconds (expiry − TTL): the first part of the key. */
  readonly time: number
  /** The envelope hash, 32 bytes: Keccak-256 of `raw` (trusted, not recomputed). */
  readonly hash: Uint8Array
  /** The envelope's 4-byte topic (checked against `raw`). */
  readonly topic: Topic
  /** The envelope's canonical RLP. */
  readonly raw: Uint8Array
}

/**
 * A history query: envelopes sent in `[from, to]` (unix seconds, inclusive) whose topic is one of
 * `topics` or matches `bloom` (geth's rule: the topic's three bloom bits are set), or every topic
 * when both are absent.
 */
export interface HistoryQuery {
  /** Earliest sent time, unix seconds, inclusive. */
  readonly from: number
  /** Latest sent time, unix seconds, inclusive. */
  readonly to: number
  /** Topics to return (any of them). Not with `bloom`. */
  readonly topics?: readonly Topic[]
  /** A 64-byte bloom filter over topics. Not with `topics`. */
  readonly bloom?: Bloom
  /** Most envelopes in the page, 1 to {@link MAX_PAGE_LIMIT}. */
  readonly limit: number
  /** Continue after this key (the `cursor` of the previous page), or start at `from`. */
  readonly cursor?: Uint8Array | undefined
  /**
   * Most entries the backend looks at for this page, matching or not, so a sparse filter over a
   * long range cannot keep the store busy; the page then holds fewer than `limit` envelopes and a
   * cursor to continue from. At least `limit`.
   * @default 10 × limit, at least 1000
   */
  readonly maxScan?: number
}

/** One page of a history query. */
export interface HistoryPage {
  /** The matching envelopes' canonical RLP, in key order. */
  readonly envelopes: readonly Uint8Array[]
  /** Their hashes, in the same order. */
  readonly hashes: readonly Uint8Array[]
  /**
   * Where the next page starts (the key of the last entry looked at), or `undefined` when the
   * range holds nothing more that matches.
   */
  readonly cursor: Uint8Array | undefined
  /** {@link rangeDigest} of `hashes`: equal pages from two archives have equal digests. */
  readonly digest: Uint8Array
}

/** What {@link Archive.prune} removes: entries sent before `before`, then the oldest while over `maxBytes`. */
export interface RetentionPolicy {
  /** Remove every entry sent before this time (unix seconds). */
  readonly before?: number
  /** Then remove the oldest entries while the envelope bytes held exceed this. */
  readonly maxBytes?: number
}

/** What a prune removed. */
export interface PruneResult {
  /** Entries removed. */
  readonly removed: number
  /** Envelope bytes removed. */
  readonly bytes: number
}

/** Size of an archive. */
export interface ArchiveStats {
  /** Entries held. */
  readonly count: number
  /** Envelope bytes held (the sum of the raw envelopes' lengths; disk use is more). */
  readonly bytes: number
}

/** A durable, ordered store of envelopes. Calls may overlap; each backend orders them. */
export interface Archive {
  /** Which backend this is. */
  readonly kind: 'leveldb' | 'postgres'
  /**
   * Stores `entries` (an entry whose key is already held is skipped) and resolves with how many
   * were new, once all of them are durable (see the module comment).
   * @throws {TypeError | RangeError} when an entry is malformed (naming it); nothing is stored then
   * @throws {ArchiveClosedError} after `close`
   */
  put(entries: readonly ArchiveEntry[]): Promise<number>
  /**
   * Reads one page of history.
   * @throws {TypeError | RangeError} when the query is malformed (naming the field)
   * @throws {ArchiveClosedError} after `close`
   */
  query(query: HistoryQuery): Promise<HistoryPage>
  /**
   * Applies a retention policy; durable when it resolves.
   * @throws {TypeError | RangeError} when the policy is malformed
   * @throws {ArchiveClosedError} after `close`
   */
  prune(policy: RetentionPolicy): Promise<PruneResult>
  /** Entries and envelope bytes held. */
  stats(): Promise<ArchiveStats>
  /** Finishes pending calls and releases the store. Idempotent. */
  close(): Promise<void>
}

/** The largest `limit` of a history query. */
export const MAX_PAGE_LIMIT = 10_000

/** Thrown by an archive's methods once it is closed. */
export class ArchiveClosedError extends Error {
  static override name = 'ArchiveClosedError'

  constructor(message = 'The archive is closed', options?: ErrorOptions) {
    super(message, options)
    this.name = 'ArchiveClosedError'
  }
}
