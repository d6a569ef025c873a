/**
 * The service's outcome counters, kept in one place: plain numbers for `info()` and, when the
 * node has libp2p metrics, the same counts as Prometheus-style metrics (names in the CLI README's
 * "Metrics" section).
 */
import type { Metrics } from '@libp2p/interface'
import type { PeerCounters } from './peer-counters.ts'
import { DROP_REASONS, type DropReason } from './validator.ts'

interface CounterGroup {
  increment(values: Record<string, number | true>): void
}

interface Histogram {
  observe(value: number): void
}

/**
 * Upper bounds (seconds) of the seal-time histogram's buckets: from a small target sealed on the
 * calling thread (a few ms) to a post that spends its whole `powTime` (geth's default is 5 s;
 * `hush post` allows minutes).
 */
const SEAL_SECONDS_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120]

/** What the metrics read when they are collected (on scrape), never on the ingest path. */
interface CounterSources {
  /** The current pool, peer and filter figures (a gauge group). */
  state: () => Record<string, number>
  /** Traffic since start over every peer, present and gone (counters). */
  traffic: () => PeerCounters
}

/** Drops by reason, duplicates, additions and deliveries; seal times of our own posts. */
export class WhisperCounters {
  readonly drops: Record<DropReason, number> = Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>
  duplicates = 0
  added = 0
  delivered = 0
  private dropGroup: CounterGroup | undefined
  private envelopeGroup: CounterGroup | undefined
  private sealHistogram: Histogram | undefined

  /**
   * Registers the counters, the seal-time histogram and the groups computed on scrape with
   * libp2p's metrics; does nothing without metrics.
   * @param sources - the figures read when metrics are collected
   */
  register(metrics: Metrics | undefined, sources: CounterSources): void {
    if (metrics === undefined) return
    this.dropGroup = metrics.registerCounterGroup('hush_whisper_drops_total', { label: 'reason', help: 'Envelopes and frames dropped, by reason' })
    this.envelopeGroup = metrics.registerCounterGroup('hush_whisper_envelopes_total', {
      label: 'outcome',
      help: 'Envelopes added, duplicated and delivered to filters',
    })
    metrics.registerMetricGroup('hush_whisper_state', { label: 'quantity', help: 'Pool, peers and filters', calculate: sources.state })
    // libp2p adds what a calculated counter group returns on every scrape: hand it the change
    // since the last scrape, so the exported counter equals the node's running total.
    let reported: PeerCounters | undefined
    metrics.registerCounterGroup('hush_whisper_traffic_total', {
      label: 'kind',
      help: 'Frames, bytes and envelopes exchanged with peers',
      calculate: () => {
        const now = sources.traffic()
        const delta = trafficDelta(now, reported)
        reported = now
        return delta
      },
    })
    this.sealHistogram = metrics.registerHistogram('hush_whisper_seal_seconds', {
      help: 'Time to seal (PoW) each of our own posts that was sealed, in seconds',
      buckets: [...SEAL_SECONDS_BUCKETS],
    })
  }

  /** Counts a drop. */
  drop(reason: DropReason): void {
    this.drops[reason]++
    this.dropGroup?.increment({ [reason]: true })
  }

  /** Counts an envelope we already had. */
  duplicate(): void {
    this.duplicates++
    this.envelopeGroup?.increment({ duplicate: true })
  }

  /** Counts a new envelope in the pool. */
  add(): void {
    this.added++
    this.envelopeGroup?.increment({ added: true })
  }

  /** Counts a message delivered to a filter. */
  deliver(): void {
    this.delivered++
    this.envelopeGroup?.increment({ delivered: true })
  }

  /** Records the time one of our own posts took to seal. */
  sealed(seconds: number): void {
    this.sealHistogram?.observe(seconds)
  }
}

/**
 * Traffic counters as snake_case labels, less what was already reported. A total below the one
 * reported means the node was stopped (which zeroes the totals) and started again: all of it is
 * new then, and a counter must never be handed a negative step.
 */
function trafficDelta(now: PeerCounters, reported: PeerCounters | undefined): Record<string, number> {
  const delta = (key: keyof PeerCounters): number => {
    const step = now[key] - (reported?.[key] ?? 0)
    return step >= 0 ? step : now[key]
  }
  return {
    frames_in: delta('framesIn'),
    frames_out: delta('framesOut'),
    bytes_in: delta('bytesIn'),
    bytes_out: delta('bytesOut'),
    envelopes_in: delta('envelopesIn'),
    envelopes_out: delta('envelopesOut'),
    duplicates_in: delta('duplicatesIn'),
    write_drops: delta('writeDrops'),
  }
}
