/**
 * The linger after a remote close (docs/SESSION.md §11.4): the conversation has ended and wiped its
 * keys, but for `deliveryTimeoutMs` it keeps the topic the peer's close came on, and answers that
 * close, should it come again (our ack was lost), with the same sealed ack, at most once per resend
 * interval.
 */
import { equalBytes } from '@noble/ciphers/utils.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import type { SealedRecord } from './ratchet.ts'
import type { SessionV2Settings } from './settings.ts'

/** One linger: the peer's close record, our ack to it, and the timer that ends it. */
export class CloseLinger {
  /** The topic kept (hex). */
  readonly topic: string
  private readonly close: Uint8Array
  private readonly ack: SealedRecord
  private readonly resendIntervalMs: number
  private readonly now: () => number
  private lastAnswerMs: number
  private readonly timer: ReturnType<typeof setTimeout>

  /**
   * @param close the peer's close record and the topic it came on
   * @param ack our sealed ack to it, already posted once
   * @param onEnd called when `deliveryTimeoutMs` has passed
   */
  constructor(close: { data: Uint8Array; topic: Uint8Array }, ack: SealedRecord, settings: SessionV2Settings, now: () => number, onEnd: () => void) {
    this.topic = bytesToHex(close.topic)
    this.close = close.data
    this.ack = ack
    this.resendIntervalMs = settings.resendIntervalMs
    this.now = now
    this.timer = setTimeout(onEnd, settings.deliveryTimeoutMs)
    this.lastAnswerMs = now()
  }

  /** Our ack again when `data` is the close again and the resend interval has passed since the last answer. */
  answer(data: Uint8Array): SealedRecord | undefined {
    if (!equalBytes(this.close, data)) return undefined
    const nowMs = this.now()
    if (nowMs - this.lastAnswerMs < this.resendIntervalMs) return undefined
    this.lastAnswerMs = nowMs
    return this.ack
  }

  /** Stops the timer (the linger ends now). */
  stop(): void {
    clearTimeout(this.timer)
  }
}
