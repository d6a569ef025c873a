/**
 * The mail server's write path: pooled envelopes queue and are written in batches (every
 * `intervalMs`, or at once when `batch` wait), one durable `Archive.put` at a time. A failing
 * write is retried on a timer (at least a second apart) until it succeeds, and meanwhile new
 * envelopes only queue; at most `maxPending` wait, the oldest beyond it dropped (counted).
 */
import type { Archive, ArchiveEntry } from './archive.ts'

/** Settings of an {@link ArchiveWriter} (checked by the mail server). */
export interface ArchiveWriterSettings {
  readonly intervalMs: number
  readonly batch: number
  readonly maxPending: number
}

/** Batched, retried, bounded writes of entries to an archive. */
export class ArchiveWriter {
  /** Entries the archive acknowledged (durable). */
  archived = 0
  /** Entries dropped because the archive fell more than `maxPending` behind. */
  dropped = 0
  private readonly archive: Archive
  private readonly settings: ArchiveWriterSettings
  private readonly onError: (error: unknown) => void
  private pending: ArchiveEntry[] = []
  private timer: ReturnType<typeof setTimeout> | undefined
  private writing: Promise<void> = Promise.resolve()
  /** A flush is running (pooled envelopes do not start another). */
  private flushing = false
  /** Entries came while a flush ran: run one more after it. */
  private again = false
  /** The last write failed: the retry timer alone writes until one succeeds. */
  private failing = false
  private stopped = false

  constructor(archive: Archive, settings: ArchiveWriterSettings, onError: (error: unknown) => void) {
    this.archive = archive
    this.settings = settings
    this.onError = onError
  }

  /** Entries waiting to be written. */
  get pendingCount(): number {
    return this.pending.length
  }

  /** Queues an entry; it is written within `intervalMs` (unless the archive fails). */
  enqueue(entry: ArchiveEntry): void {
    this.pending.push(entry)
    const excess = this.pending.length - this.settings.maxPending
    if (excess > 0) {
      this.pending.splice(0, excess)
      this.dropped += excess
    }
    if (this.failing) return
    if (this.pending.length >= this.settings.batch) this.start()
    else this.schedule(this.settings.intervalMs)
  }

  /** Writes everything pending now; resolves when it is durable (or the write failed). */
  flush(): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    this.writing = this.writing.then(() => this.writeBatches())
    return this.writing
  }

  /** No more retries are scheduled; a last `flush()` may still run. */
  stop(): void {
    this.stopped = true
    clearTimeout(this.timer)
    this.timer = undefined
  }

  private schedule(delayMs: number): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined
      this.start()
    }, delayMs)
  }

  /** Starts a flush unless one runs; then one more runs after it if entries came meanwhile. */
  private start(): void {
    if (this.flushing) {
      this.again = true
      return
    }
    this.flushing = true
    void this.flush().finally(() => {
      this.flushing = false
      if (!this.again) return
      this.again = false
      if (this.pending.length > 0 && !this.failing) this.start()
    })
  }

  /** Writes what is pending in batches; a failed batch stays pending. */
  private async writeBatches(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.slice(0, this.settings.batch)
      try {
        await this.archive.put(batch)
      } catch (err) {
        this.onError(err)
        this.failing = true
        if (!this.stopped) this.schedule(Math.max(this.settings.intervalMs, 1000))
        return
      }
      this.failing = false
      // Entries may have been dropped from the front meanwhile (over maxPending): drop what was written.
      this.pending.splice(0, this.pending.indexOf(batch[batch.length - 1]) + 1)
      this.archived += batch.length
    }
  }
}
