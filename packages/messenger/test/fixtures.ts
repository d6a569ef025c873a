/** Shared builders of the messenger tests: temp directories, messengers with fast settings, event logs. */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SessionTransport } from '@hush/session'
import { type Messenger, type MessengerEvent, createMessenger } from '../src/index.ts'

/** Timers short enough for a test, long enough for two nodes on one machine. */
const FAST_SESSION = { powTarget: 0.001, ttlSeconds: 5, ackDelayMs: 20, resendIntervalMs: 300, deliveryTimeoutMs: 5_000, gapTimeoutMs: 6_000 }
/** scrypt at its cheapest (the account file's format is tested in @hush/session). */
const FAST_KDF = { logN: 10 }

/** Steps run after each test, last first. */
export const cleanup: Array<() => Promise<unknown> | unknown> = []

export async function runCleanup(): Promise<void> {
  for (const step of cleanup.splice(0).reverse()) await step()
}

export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hush-messenger-'))
  cleanup.push(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** A messenger on `transport` in `dir`, locked after the test. */
export function messenger(dir: string, transport: SessionTransport, init: { autoAcceptFriends?: boolean } = {}): Messenger {
  const m = createMessenger({ dir, session: FAST_SESSION, kdf: FAST_KDF, ...init }, { transport })
  cleanup.push(() => m.lock())
  return m
}

/** Every event of `m` from now on. */
export function record(m: Messenger): MessengerEvent[] {
  const events: MessengerEvent[] = []
  cleanup.push(m.onEvent((e) => events.push(e)))
  return events
}

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** The texts of the `message` events of one conversation. */
export function texts(events: readonly MessengerEvent[], conversation: string): string[] {
  return events.flatMap((e) => (e.type === 'message' && e.conversation === conversation ? [e.text] : []))
}

/** The numbers of the `receipt` events of one conversation. */
export function receipts(events: readonly MessengerEvent[], conversation: string): number[] {
  return events.flatMap((e) => (e.type === 'receipt' && e.conversation === conversation ? [e.seq] : []))
}
