import type { Conversation } from '../../src/v2/conversation.ts'
/** Small helpers of the v2 conversation tests: text payloads and a bounded wait. */

/** UTF-8 bytes of `s`. */
export const text = (s: string): Uint8Array => new TextEncoder().encode(s)

/** The text of UTF-8 bytes. */
export const read = (b: Uint8Array): string => new TextDecoder().decode(b)

/** Polls `condition` every 5 ms; throws naming `what` after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

/** The two ends of a conversation: Bob invites, Alice joins, and both are open. */
export async function meet(
  alice: { join(uri: string): Conversation },
  bob: { createInvitation(): { uri: string; saved: Promise<void> }; addEventListener(type: 'session', listener: (event: CustomEvent<Conversation>) => void, options?: { once?: boolean }): void }
): Promise<{ toBob: Conversation; toAlice: Conversation }> {
  const invited = new Promise<Conversation>((resolve) => bob.addEventListener('session', ({ detail }) => resolve(detail), { once: true }))
  const created = bob.createInvitation()
  await created.saved
  const toBob = alice.join(created.uri)
  const toAlice = await invited
  await until(() => toBob.state === 'open', 5_000, 'the open')
  return { toBob, toAlice }
}
