/**
 * Small display helpers shared by the screens.
 */
import type { CloseReason, Conversation, ConversationState } from './types.ts'

/** A public key shortened for display: `0x04ab12…9f3c` (the whole key is its title). */
export function shortKey(key: string): string {
  return key.length > 16 ? `${key.slice(0, 8)}…${key.slice(-4)}` : key
}

/** Who a conversation is with: the friend's name, or the shortened key of a stranger. */
export function who(c: Pick<Conversation, 'name' | 'friend'>): string {
  return c.name ?? `unknown ${shortKey(c.friend)}`
}

/** A conversation's state, in words. */
export function stateText(state: ConversationState, name: string): string {
  switch (state) {
    case 'inviting':
      return `inviting: waiting for ${name} to accept`
    case 'pending':
      return `pending: waiting for ${name}'s node to answer`
    case 'open':
      return 'open'
    case 'closing':
      return 'closing…'
    case 'closed':
      return 'closed'
  }
}

/** The line a closed conversation ends with. */
export function closeText(reason: CloseReason | undefined, name: string): string {
  switch (reason) {
    case 'remote':
      return `${name} closed the conversation: closed, keys wiped`
    case 'silent':
      return `No answer from ${name} for too long: closed, keys wiped`
    case 'handshake-timeout':
      return `${name}'s node never answered: closed, keys wiped`
    case 'expired':
      return `The request expired before ${name} accepted it: closed, keys wiped`
    default:
      return 'closed, keys wiped'
  }
}

/** A time of day, for message lines. */
export function clock(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
}

/** The message of a refusal, as the node worded it. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
