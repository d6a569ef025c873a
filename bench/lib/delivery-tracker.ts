/**
 * Publish times and deliveries of one run: latency from the publish call to the subscriber, for
 * the measured messages only (warm-up messages have lower indexes and are not counted).
 */
export class DeliveryTracker {
  /** Deliveries of measured messages so far. */
  delivered = 0
  /** Latency of each of those deliveries, in milliseconds. */
  readonly latenciesMs: number[] = []
  private readonly sentAtMs: Float64Array
  private readonly firstMeasured: number

  /**
   * @param total - messages in the run (warm-up included), indexed from 0
   * @param firstMeasured - index of the first measured message
   */
  constructor(total: number, firstMeasured: number) {
    this.sentAtMs = new Float64Array(total).fill(Number.NaN)
    this.firstMeasured = firstMeasured
  }

  /** Message `index` is being published now (call before sealing). */
  sent(index: number): void {
    this.sentAtMs[index] = performance.now()
  }

  /** A subscriber got message `index` now. */
  receive(index: number): void {
    if (index < this.firstMeasured || index >= this.sentAtMs.length) return
    const t0 = this.sentAtMs[index]
    if (Number.isNaN(t0)) return
    this.latenciesMs.push(performance.now() - t0)
    this.delivered++
  }
}
