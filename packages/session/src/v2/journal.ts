/**
 * A conversation's write-ahead journal (docs/SESSION.md §12.3): it gathers the `.out` entries of
 * one event-loop turn and commits them, with the conversation's core snapshot, as one group
 * commit; everything that must not leave before that state is durable (a record, an event) waits
 * on {@link Journal.durable}. Commits resolve in order, so what waits on them keeps its order. The
 * `.out` log is rewritten with only its live entries once it holds more than 64 entries and
 * twice the live ones.
 */
import { wipe } from '../assert.ts'
import type { SessionCoreValue } from './core-value.ts'
import { encodeSessionCore } from './core-value.ts'
import type { IdentityKind } from './invitation-value.ts'
import { sentEntry, settledEntry } from './out-entry.ts'

/** One group commit of a conversation: `.out` appends first, then the snapshot (or a removal). */
interface ConversationCommit {
  /** New `.out` entries. */
  readonly appends: readonly Uint8Array[]
  /** When set, the `.out` log is rewritten with only these entries (compaction). */
  readonly rewrite: readonly Uint8Array[] | undefined
  /** The new core value (`undefined`: none, for a removal). */
  readonly core: Uint8Array | undefined
  /** Remove every file of the conversation (it closed). */
  readonly remove: boolean
}

/** Where a conversation's state goes, and what its core value needs from the peer (§12). */
export interface ConversationPersistence {
  readonly identityKind: IdentityKind
  /** SHA-256 of the invitation body. */
  readonly invitationHash: Uint8Array
  /** The inviter's record of the invitation this conversation consumed. */
  readonly consumed: SessionCoreValue['consumed']
  /** Applies one commit durably (commits run one at a time, in call order). */
  commit(change: ConversationCommit): Promise<void>
}

const RESOLVED: Promise<void> = Promise.resolve()
/** The `.out` log is rewritten when it holds more than this many entries and twice the live ones. */
const OUT_COMPACT_ENTRIES = 64

/** The journal of one persisted conversation. */
export class Journal {
  private readonly persistence: ConversationPersistence
  /** The conversation's core value now (read at commit time), or `undefined` once it has ended. */
  private readonly core: () => SessionCoreValue | undefined
  private appends: Uint8Array[] = []
  /** The `.out` entries of the records still waiting, for compaction. */
  private readonly live = new Map<number, Uint8Array>()
  /** Entries the log holds. */
  private entries = 0
  private queued: Promise<void> | undefined
  private chain: Promise<void> = RESOLVED

  constructor(persistence: ConversationPersistence, core: () => SessionCoreValue | undefined) {
    this.persistence = persistence
    this.core = core
  }

  /** Takes the `.out` log read back at a restart (its live records, and how many entries it holds). */
  restored(live: ReadonlyMap<number, { topic: Uint8Array; firstPostMs: number; record: Uint8Array }>, entries: number): void {
    for (const [seq, r] of live) this.live.set(seq, sentEntry(seq, r.topic, r.firstPostMs, r.record))
    this.entries = entries
  }

  /** Logs a record posted for the first time. */
  sent(seq: number, topic: Uint8Array, firstPostMs: number, record: Uint8Array): void {
    const entry = sentEntry(seq, topic, firstPostMs, record)
    this.appends.push(entry)
    this.live.set(seq, entry)
    this.entries++
  }

  /** Logs that `seq` was acked or given up. */
  settled(seq: number): void {
    this.appends.push(settledEntry(seq))
    this.live.delete(seq)
    this.entries++
  }

  /**
   * Resolves once every change so far is durable: one commit per turn, queued in a microtask,
   * after every commit before it.
   */
  durable(): Promise<void> {
    if (this.queued === undefined) {
      const mine = new Promise<void>((resolve, reject) => queueMicrotask(() => this.commitNow().then(resolve, reject)))
      this.queued = mine
      this.chain = this.chain.then(
        () => mine,
        () => mine
      )
    }
    return this.chain
  }

  /** Deletes the conversation's files (it closed); entries not committed are dropped. */
  remove(): void {
    this.appends = []
    this.persistence.commit({ appends: [], rewrite: undefined, core: undefined, remove: true }).catch(() => {})
  }

  private async commitNow(): Promise<void> {
    this.queued = undefined
    const value = this.core()
    // Ended: a close removes the files itself, and a stop leaves the last commit in place.
    if (value === undefined) return
    const appends = this.appends
    this.appends = []
    let rewrite: Uint8Array[] | undefined
    if (this.entries > OUT_COMPACT_ENTRIES && this.entries > 2 * this.live.size) {
      rewrite = [...this.live.values()]
      this.entries = rewrite.length
    }
    const core = encodeSessionCore(value)
    try {
      await this.persistence.commit({ appends: rewrite === undefined ? appends : [], rewrite, core, remove: false })
    } finally {
      wipe(core)
    }
  }
}
