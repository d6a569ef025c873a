/** Shared builders for session tests: two peers on one in-memory bus, event recorders, polling. */
import { type KeyPair, generateKeyPair } from '@hush/envelope'
import { createMemoryTransport, type MemoryTransportInit, type MemoryTransport } from '../src/memory-transport.ts'
import { createSessionPeer, type SessionPeer, type SessionPeerComponents } from '../src/peer.ts'
import type { Session } from '../src/session-api.ts'
import type { SessionSettingsInit } from '../src/settings.ts'
import type { SessionTransport } from '../src/transport.ts'

/** Settings that keep tests fast: quick acks and resends. */
const FAST: SessionSettingsInit = { ackDelayMs: 5, resendIntervalMs: 40, deliveryTimeoutMs: 10_000, connectTimeoutMs: 10_000 }

/** Everything a session emitted, in order. */
export interface Recorder {
  messages: { number: number; text: string }[]
  receipts: number[]
  gaps: { from: number; to: number }[]
  undelivered: number[]
  closes: string[]
}

export function record(session: Session): Recorder {
  const r: Recorder = { messages: [], receipts: [], gaps: [], undelivered: [], closes: [] }
  session.addEventListener('message', ({ detail }) => r.messages.push({ number: detail.number, text: new TextDecoder().decode(detail.payload) }))
  session.addEventListener('receipt', ({ detail }) => r.receipts.push(detail.number))
  session.addEventListener('gap', ({ detail }) => r.gaps.push(detail))
  session.addEventListener('undelivered', ({ detail }) => r.undelivered.push(detail.number))
  session.addEventListener('close', ({ detail }) => r.closes.push(detail.reason))
  return r
}

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

/** Polls `condition` every 5 ms; throws after `timeoutMs` (a generous bound, not a timing assertion). */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** A pair of peers (Bob has Alice as a contact) and an established session. */
export interface Pair {
  transport: MemoryTransport
  aliceKeys: KeyPair
  bobKeys: KeyPair
  alice: SessionPeer
  bob: SessionPeer
  a: Session
  b: Session
  ra: Recorder
  rb: Recorder
  /** Copies of every ephemeral key pair handed to the peers (for the attacker's positive control). */
  ephemerals: KeyPair[]
  /** The ephemeral key pairs the peers themselves hold (to check that they wiped them). */
  issued: KeyPair[]
}

export interface PairOptions {
  transport?: MemoryTransportInit
  settings?: SessionSettingsInit & { maxRememberedHandshakes?: number }
  /** Wraps the shared bus for one side (e.g. to drop chosen posts). */
  wrapAlice?: (t: MemoryTransport) => SessionTransport
  /** The same for Bob. */
  wrapBob?: (t: MemoryTransport) => SessionTransport
  /** The clock of both peers and the bus, unix ms. @default Date.now */
  now?: () => number
}

export async function connectedPair(options: PairOptions = {}): Promise<Pair> {
  const transport = createMemoryTransport({ ...options.transport, ...(options.now !== undefined && { now: options.now }) })
  const aliceKeys = generateKeyPair()
  const bobKeys = generateKeyPair()
  const ephemerals: KeyPair[] = []
  const issued: KeyPair[] = []
  const keyGen = (): KeyPair => {
    const k = generateKeyPair()
    ephemerals.push({ privateKey: k.privateKey.slice(), publicKey: k.publicKey })
    issued.push(k)
    return k
  }
  const settings = { ...FAST, ...options.settings }
  const clock = options.now === undefined ? {} : { now: options.now }
  const aliceComponents: SessionPeerComponents = { transport: options.wrapAlice?.(transport) ?? transport, generateKeyPair: keyGen, ...clock }
  const alice = createSessionPeer({ privateKey: aliceKeys.privateKey, ...settings }, aliceComponents)
  const bob = createSessionPeer({ privateKey: bobKeys.privateKey, contacts: [aliceKeys.publicKey], ...settings }, { transport: options.wrapBob?.(transport) ?? transport, generateKeyPair: keyGen, ...clock })
  alice.start()
  bob.start()
  const bobSession = new Promise<Session>((resolve) => bob.addEventListener('session', ({ detail }) => resolve(detail), { once: true }))
  const a = await alice.connect(bobKeys.publicKey)
  const b = await bobSession
  return { transport, aliceKeys, bobKeys, alice, bob, a, b, ra: record(a), rb: record(b), ephemerals, issued }
}

export function stopPair(p: Pair): void {
  p.alice.stop()
  p.bob.stop()
}
