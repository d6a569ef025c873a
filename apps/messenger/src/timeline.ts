/**
 * What a conversation shows: messages both ways in message-number order, the delivery state of
 * ours (from `hush_send`'s answer, then `receipt` or `undelivered` events), lost messages as
 * gaps, the close, and the unread count. Pure: the page feeds it the node's answers and events.
 */
import type { CloseReason, HistoryEntry } from './types.ts'

/** Where one of our messages stands: `sending` (not posted yet), `sent` (posted), `delivered` (the friend's node acknowledged it), `undelivered` (given up), `failed` (the node refused it). */
export type OutState = 'sending' | 'sent' | 'delivered' | 'undelivered' | 'failed'

/** One line of a conversation. */
export type Item =
  | { kind: 'in'; key: string; seq: number; text: string; atMs: number }
  | { kind: 'out'; key: string; seq?: number; text: string; atMs: number; state: OutState; error?: string }
  | { kind: 'gap'; key: string; from: number; to: number }

interface Thread {
  items: Item[]
  unread: number
  /** Receipts and give-ups for numbers whose `hush_send` had not answered yet (the ack can win the race). */
  early: Map<number, 'delivered' | 'undelivered'>
  closed?: CloseReason
}

/** The text of a gap line. */
export function gapText(from: number, to: number): string {
  return from === to ? `message ${from} was lost` : `messages ${from}–${to} were lost`
}

/** Every conversation's lines, kept by the page. */
export class Timelines {
  #threads = new Map<string, Thread>()
  #nextKey = 1

  #thread(id: string): Thread {
    let t = this.#threads.get(id)
    if (t === undefined) this.#threads.set(id, (t = { items: [], unread: 0, early: new Map() }))
    return t
  }

  /** The conversation's lines, in order. */
  items(id: string): readonly Item[] {
    return this.#threads.get(id)?.items ?? []
  }

  /** Messages received while the conversation was not shown. */
  unread(id: string): number {
    return this.#threads.get(id)?.unread ?? 0
  }

  /** Why the conversation closed, when this page saw it close. */
  closeReason(id: string): CloseReason | undefined {
    return this.#threads.get(id)?.closed
  }

  /** The conversation is on screen: nothing is unread. */
  seen(id: string): void {
    const t = this.#threads.get(id)
    if (t !== undefined) t.unread = 0
  }

  /**
   * A message from the friend. Placed by its number among theirs (the session delivers in order;
   * this keeps that order whatever the page was told first); a number already shown is ignored.
   * Returns whether it was new.
   */
  received(id: string, seq: number, text: string, atMs: number, shown: boolean): boolean {
    const t = this.#thread(id)
    if (t.items.some((i) => i.kind === 'in' && i.seq === seq)) return false
    this.#insertIncoming(t, seq, { kind: 'in', key: `k${this.#nextKey++}`, seq, text, atMs })
    if (!shown) t.unread++
    return true
  }

  /** One of ours, handed to the node: returns its key for {@link Timelines.sent} or {@link Timelines.failed}. */
  sending(id: string, text: string, atMs: number): string {
    const t = this.#thread(id)
    const key = `k${this.#nextKey++}`
    t.items.push({ kind: 'out', key, text, atMs, state: 'sending' })
    return key
  }

  /** The node posted it as message `seq`. */
  sent(id: string, key: string, seq: number): void {
    const t = this.#thread(id)
    const at = t.items.findIndex((i) => i.key === key)
    const item = t.items[at]
    if (item?.kind !== 'out') return
    const early = t.early.get(seq)
    t.early.delete(seq)
    t.items[at] = { ...item, seq, state: early ?? 'sent' }
  }

  /** The node refused it (`message` is its error). */
  failed(id: string, key: string, message: string): void {
    const t = this.#thread(id)
    const at = t.items.findIndex((i) => i.key === key)
    const item = t.items[at]
    if (item?.kind === 'out') t.items[at] = { ...item, state: 'failed', error: message }
  }

  /** A `receipt` (`delivered`) or `undelivered` event for our message `seq`. */
  settled(id: string, seq: number, state: 'delivered' | 'undelivered'): void {
    const t = this.#thread(id)
    const at = t.items.findIndex((i) => i.kind === 'out' && i.seq === seq)
    const item = t.items[at]
    if (item?.kind === 'out') {
      if (item.state !== 'delivered') t.items[at] = { ...item, state }
    } else t.early.set(seq, state)
  }

  /** The friend's messages `from`…`to` will never arrive: a line where they would have been. */
  gap(id: string, from: number, to: number): void {
    const t = this.#thread(id)
    if (t.items.some((i) => i.kind === 'gap' && i.from === from && i.to === to)) return
    this.#insertIncoming(t, to, { kind: 'gap', key: `k${this.#nextKey++}`, from, to })
  }

  /** The conversation closed: every key wiped on the node. */
  closed(id: string, reason: CloseReason): void {
    this.#thread(id).closed = reason
  }

  /**
   * Takes in the node's memory of a conversation (`hush_messages`, after a reload): each message
   * the page does not show yet goes where its number puts it; what the page shows stays (the
   * events it heard meanwhile are as new).
   */
  restore(id: string, entries: readonly HistoryEntry[]): void {
    const t = this.#thread(id)
    for (const e of entries) {
      if (e.direction === 'in') {
        if (!t.items.some((i) => i.kind === 'in' && i.seq === e.seq)) this.#insertIncoming(t, e.seq, { kind: 'in', key: `k${this.#nextKey++}`, seq: e.seq, text: e.text, atMs: e.atMs })
        continue
      }
      if (t.items.some((i) => i.kind === 'out' && i.seq === e.seq)) continue
      const item: Item = { kind: 'out', key: `k${this.#nextKey++}`, seq: e.seq, text: e.text, atMs: e.atMs, state: e.state ?? 'sent' }
      // Before the first of ours with a higher number, or one not numbered yet (still being sent).
      const after = t.items.findIndex((i) => i.kind === 'out' && (i.seq === undefined || i.seq > e.seq))
      if (after === -1) t.items.push(item)
      else t.items.splice(after, 0, item)
    }
  }

  /** Forgets every conversation (the account locked: nothing stays in the page). */
  clear(): void {
    this.#threads.clear()
  }

  /** Puts an incoming line (a message, or a gap ending at `seq`) before the first of theirs with a higher number. */
  #insertIncoming(t: Thread, seq: number, item: Item): void {
    const after = t.items.findIndex((i) => (i.kind === 'in' && i.seq > seq) || (i.kind === 'gap' && i.from > seq))
    if (after === -1) t.items.push(item)
    else t.items.splice(after, 0, item)
  }
}
