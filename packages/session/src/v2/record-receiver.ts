/**
 * The receive path of a session v2 conversation (docs/SESSION.md §6.5, §9.2): opens an envelope as
 * the peer's record and decodes its frame, then hands on the numbered frames in order, exactly
 * once, skipping a gap that blocks later numbers for `gapTimeoutMs`. The ordering is the receive
 * queue's; this holds its gap timer.
 */
import { wipe } from '../assert.ts'
import { InvalidFrameError } from '../errors.ts'
import type { ConversationState, RecordRejectReason } from './conversation-api.ts'
import type { SessionCoreValue } from './core-value.ts'
import { type CloseFrame, type DataFrame, type RecordFrame, decodeFrame } from './frames.ts'
import type { RatchetComponents } from './ratchet.ts'
import { openRecord } from './ratchet-receive.ts'
import type { RatchetState } from './ratchet-state.ts'
import { ReceiveQueue, type ReceiveOutcome } from './receive-queue.ts'

/** What {@link RecordReceiver.open} made of an envelope: its frame, or why it was not taken. */
export type OpenedFrame = { readonly ok: true; readonly frame: RecordFrame } | { readonly ok: false; readonly reason: RecordRejectReason | 'duplicate' }

/** What the receive path asks of its conversation. */
export interface RecordReceiverHost {
  state(): ConversationState
  /** The peer's message `seq`, in order. */
  message(seq: number, payload: Uint8Array): void
  /** The peer's numbers `from`…`to` were skipped. */
  gap(range: { from: number; to: number }): void
  /** The peer's close came in order. */
  remoteClose(): void
  /** A frame was taken and what was in order handed on (an ack is due); `whole` when nothing waits behind a gap. */
  delivered(whole: boolean): void
}

const EMPTY_BITMAP = new Uint8Array(32)
const EMPTY = new Uint8Array(0)

/** One conversation's receiving side. */
export class RecordReceiver {
  /** The peer's numbers: what was delivered and what waits. */
  readonly queue: ReceiveQueue<RecordFrame>
  private readonly host: RecordReceiverHost
  private readonly gapTimeoutMs: number
  private gapTimer: ReturnType<typeof setTimeout> | undefined

  /** @param base the highest number already delivered or skipped (restored after a restart) */
  constructor(base: number, gapTimeoutMs: number, host: RecordReceiverHost) {
    this.queue = new ReceiveQueue<RecordFrame>(base)
    this.gapTimeoutMs = gapTimeoutMs
    this.host = host
  }

  /** Puts back the frames that waited behind a gap when the state was saved (§12.2). */
  restore(waiting: SessionCoreValue['waiting']): void {
    const ack = { base: 0, bitmap: EMPTY_BITMAP }
    for (const f of waiting) this.queue.accept(f.seq, f.type === 'data' ? { type: 'data', seq: f.seq, ack, payload: f.payload } : { type: 'close', seq: f.seq, ack })
  }

  /** The frames waiting behind a gap, as the core value stores them (§12.2). */
  waiting(): SessionCoreValue['waiting'] {
    return this.queue.waitingItems().map(({ seq, item }) => ({ seq, type: item.type === 'close' ? 'close' : 'data', payload: item.type === 'data' ? item.payload : EMPTY }))
  }

  /**
   * Opens `data` (from `topic`) with the ratchet and decodes its frame. The ratchet's step is
   * committed only when the frame is taken: a number beyond the window keeps its key (§9.2).
   */
  open(ratchet: RatchetState, topic: Uint8Array, data: Uint8Array, nowMs: number, components: RatchetComponents): OpenedFrame {
    const opened = openRecord(ratchet, data, topic, nowMs, components)
    if (!opened.ok) return opened
    let frame: RecordFrame
    try {
      frame = decodeFrame(opened.frame)
    } catch (err) {
      opened.discard()
      if (!(err instanceof InvalidFrameError)) throw err
      return { ok: false, reason: 'frame' }
    }
    if (frame.type !== 'ack' && !this.queue.has(frame.seq) && !this.queue.inReach(frame.seq)) {
      opened.discard()
      return { ok: false, reason: 'window' }
    }
    opened.commit()
    wipe(opened.frame)
    return { ok: true, frame }
  }

  /** Takes a numbered frame and hands on what is now in order. */
  take(frame: DataFrame | CloseFrame): ReceiveOutcome {
    const outcome = this.queue.accept(frame.seq, frame)
    this.deliver()
    return outcome
  }

  /** The conversation ended: the gap timer stops and the payloads waiting are wiped. */
  end(): void {
    if (this.gapTimer !== undefined) clearTimeout(this.gapTimer)
    this.gapTimer = undefined
    for (const { item } of this.queue.waitingItems()) if (item.type === 'data') wipe(item.payload)
  }

  /** Hands on what is now in order; a delivered close ends the conversation (remote). */
  private deliver(): void {
    const before = this.queue.base
    for (const { seq, item } of this.queue.drain()) {
      if (item.type === 'close') {
        this.host.remoteClose()
        return
      }
      if (item.type === 'data') this.host.message(seq, item.payload)
      if (this.host.state() === 'closed') return
    }
    this.host.delivered(this.queue.waitingCount === 0)
    if (this.queue.base !== before && this.gapTimer !== undefined) {
      clearTimeout(this.gapTimer)
      this.gapTimer = undefined
    }
    this.armGap()
  }

  private armGap(): void {
    if (this.gapTimer !== undefined || this.queue.waitingCount === 0) return
    this.gapTimer = setTimeout(() => {
      this.gapTimer = undefined
      const gap = this.queue.skipGap()
      if (gap !== undefined) this.host.gap(gap)
      if (this.host.state() !== 'closed') this.deliver()
    }, this.gapTimeoutMs)
  }
}
