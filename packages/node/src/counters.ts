/**
 * The service's outcome counters, kept in one place: plain numbers for `info()` and, when the
 * node has libp2p metrics, the same counts as Prometheus-style counter groups.
 */
import type { Metrics } from '@libp2p/interface'
import { DROP_REASONS, type DropReason } from './validator.ts'

interface CounterGroup {
  increment(values: Record<string, number | true>): void
}

/** Drops by reason, duplicates, additions and deliveries. */
export class WhisperCounters {
  readonly drops: Record<DropReason, number> = Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>
  duplicates = 0
  added = 0
  delivered = 0
  private dropGroup: CounterGroup | undefined
  private envelopeGroup: CounterGroup | undefined

  /**
   * Registers the counters, and a gauge group computed on scrape, with libp2p's metrics.
   * @param state - the current pool, peer and filter figures, read when metrics are collected
   */
  register(metrics: Metrics | undefined, state: () => Record<string, number>): void {
    if (metrics === undefined) return
    this.dropGroup = metrics.registerCounterGroup('hush_whisper_drops_total', { label: 'reason', help: 'Envelopes and frames dropped, by reason' })
    this.envelopeGroup = metrics.registerCounterGroup('hush_whisper_envelopes_total', {
      label: 'outcome',
      help: 'Envelopes added, duplicated and delivered to filters',
    })
    metrics.registerMetricGroup('hush_whisper_state', { label: 'quantity', help: 'Pool, peers and filters', calculate: state })
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
}
