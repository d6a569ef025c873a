/**
 * Background retention of an archive: at start and every `intervalMs`, entries sent longer than
 * `maxAgeSeconds` ago go, then the oldest while more than `maxBytes` of envelopes are held. One
 * run at a time; errors go to `onError` and the next run tries again.
 */
import type { Archive } from './archive.ts'

/** A checked retention policy (see `MailRetention`). */
export interface RetentionSettings {
  readonly maxAgeSeconds?: number | undefined
  readonly maxBytes?: number | undefined
  readonly intervalMs: number
}

/** Prunes an archive on a timer. */
export class RetentionTimer {
  /** Entries removed so far. */
  pruned = 0
  private readonly archive: Archive
  private readonly settings: RetentionSettings
  private readonly now: () => number
  private readonly onError: (error: unknown) => void
  private timer: ReturnType<typeof setInterval> | undefined
  private running: Promise<void> = Promise.resolve()

  constructor(archive: Archive, settings: RetentionSettings, now: () => number, onError: (error: unknown) => void) {
    this.archive = archive
    this.settings = settings
    this.now = now
    this.onError = onError
  }

  start(): void {
    void this.run()
    this.timer = setInterval(() => void this.run(), this.settings.intervalMs)
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    await this.running
  }

  private run(): Promise<void> {
    const { maxAgeSeconds, maxBytes } = this.settings
    this.running = this.running.then(async () => {
      try {
        const result = await this.archive.prune({
          ...(maxAgeSeconds === undefined ? {} : { before: Math.max(0, Math.floor(this.now() / 1000) - maxAgeSeconds) }),
          ...(maxBytes === undefined ? {} : { maxBytes }),
        })
        this.pruned += result.removed
      } catch (err) {
        this.onError(err)
      }
    })
    return this.running
  }
}
