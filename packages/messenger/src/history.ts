/**
 * Each conversation's messages since the account was unlocked, in memory only (the node stores
 * no message text), ours with their delivery state, so an app that reloads can show them again.
 */
import type { MessageEntry } from './types.ts'

/** Most messages in flight in one conversation (session v2's `ACK_WINDOW`): the most receipts that can precede their `send`. */
const ACK_WINDOW_MESSAGES = 256

/** Most messages kept per conversation; older ones leave the history first. */
const MAX_HISTORY_MESSAGES = 1000

/** The messages of every open conversation, bounded per conversation. */
export class MessageHistory {
  private readonly lists = new Map<string, MessageEntry[]>()
  /** Receipts (or give-ups) that came before their `send` resolved: `<id>/<seq>` → state. */
  private readonly early = new Map<string, 'delivered' | 'undelivered'>()

  /** Adds a message to conversation `id`; the oldest leave past 1000. */
  remember(id: string, entry: MessageEntry): void {
    let list = this.lists.get(id)
    if (list === undefined) this.lists.set(id, (list = []))
    // A receipt can come before `send` resolves (the post and the ack race): keep what it said.
    const early = this.early.get(`${id}/${entry.seq}`)
    if (entry.direction === 'out' && early !== undefined) {
      this.early.delete(`${id}/${entry.seq}`)
      list.push({ ...entry, state: early })
    } else list.push(entry)
    if (list.length > MAX_HISTORY_MESSAGES) list.splice(0, list.length - MAX_HISTORY_MESSAGES)
  }

  /** Sets the delivery state of our message `seq` in conversation `id`, or holds it until that message is remembered. */
  mark(id: string, seq: number, state: 'delivered' | 'undelivered'): void {
    const list = this.lists.get(id) ?? []
    const at = list.findLastIndex((m) => m.direction === 'out' && m.seq === seq)
    if (at === -1) {
      // Bounded: receipts of messages sent before a restart never find their entry.
      if (this.early.size >= ACK_WINDOW_MESSAGES) this.early.delete(this.early.keys().next().value as string)
      this.early.set(`${id}/${seq}`, state)
    } else list[at] = { ...(list[at] as MessageEntry), state }
  }

  /** Conversation `id`'s messages, oldest first (a copy). */
  list(id: string): MessageEntry[] {
    return [...(this.lists.get(id) ?? [])]
  }

  /** Forgets conversation `id`'s messages. */
  drop(id: string): void {
    this.lists.delete(id)
  }
}
