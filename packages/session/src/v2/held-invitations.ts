/**
 * The invitations a v2 peer holds (docs/SESSION.md §4.4, §5.4), each listening on its random topic.
 * A pending one keeps its private keys and hands what arrives before its expiry to the peer, which
 * tries it as a message 1. The first that authenticates consumes it: the keys are wiped and only
 * the hash of that message 1 stays (the tombstone), so a replay, another message 1 made from the
 * same invitation, or a flood of either cannot open a second conversation. The tombstone answers the
 * joiner's resends with a fresh ack, at most one per resend interval, and lingers past the expiry
 * until the joiner has surely stopped resending. Another message 1 made from the invitation (the
 * joiner again from a fresh start, or anyone else who holds it) is refused all the same, but not
 * silently: it is reported once, so that the app can say so.
 */
import { equalBytes } from '@noble/ciphers/utils.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { wipe } from '../assert.ts'
import { pump } from '../pump.ts'
import type { SessionTransport } from '../transport.ts'
import type { Conversation } from './conversation.ts'
import { isMessage1For } from './handshake.ts'
import { type Invitation, type PendingInvitation, formatInvitation } from './invitation.ts'
import type { IdentityKind, InvitationValue } from './invitation-value.ts'
import { MAX_TIMER_MS, type SessionV2Settings } from './settings.ts'
import type { StateStore } from './state-store.ts'
import type { X25519KeyPair } from './x25519.ts'

/** An invitation of ours: pending (its private keys held) or consumed (only the tombstone). */
export interface HeldInvitation {
  /** The id of its state file. */
  readonly id: string
  readonly identityKind: IdentityKind
  readonly uri: string
  readonly topic: Uint8Array
  readonly createdAtMs: number
  pending: PendingInvitation | undefined
  /** After consumption: SHA-256 of the message 1 that consumed it, and the conversation. */
  tombstone: Tombstone | undefined
  readonly subscription: AbortController
  timer: ReturnType<typeof setTimeout> | undefined
  /** Unix ms after which the invitation no longer takes a message 1. */
  readonly expiresAtMs: number
  /** Whether a consumed invitation is past its expiry, kept only to answer late resends. */
  lingering: boolean
}

/** What a consumed invitation keeps (§5.4): no private key. */
interface Tombstone {
  /** SHA-256 of the message 1 that consumed the invitation: its resends are answered. */
  readonly initHash: Uint8Array
  /** The conversation it opened. */
  readonly conversation: Conversation
  /** When a resend was last answered (unix ms): at most one answer per resend interval. */
  lastAnswerMs: number
  /**
   * The invitation's public part, to recognise another message 1 made from it. In memory only: a
   * tombstone restored from the store has none, and drops a second join without reporting it.
   */
  readonly invitation: Invitation | undefined
  /** Hex SHA-256 of each other message 1 reported (each once, at most {@link MAX_REUSES_REPORTED}). */
  readonly reused: Set<string>
}

/** How many distinct second joins of one invitation are reported; later ones are only dropped. */
const MAX_REUSES_REPORTED = 16

/** What {@link HeldInvitations} works with. */
export interface HeldInvitationsInit {
  readonly transport: SessionTransport
  readonly now: () => number
  readonly settings: SessionV2Settings
  readonly store: StateStore | undefined
  /** The account's session identity: an invitation made with it does not wipe its private key. */
  readonly identity: X25519KeyPair | undefined
  /** An envelope on a pending invitation's topic before its expiry: perhaps a message 1. */
  readonly onEnvelope: (held: HeldInvitation, pending: PendingInvitation, data: Uint8Array) => void
  /** A pending invitation expired unused (its keys are wiped). */
  readonly onExpired: (uri: string) => void
  /** Another message 1 made from a consumed invitation arrived: refused, not answered (§5.4). */
  readonly onReused: (held: HeldInvitation, tombstone: Tombstone) => void
}

/** The invitations of one peer, by topic, with their subscriptions and expiry timers. */
export class HeldInvitations {
  private readonly init: HeldInvitationsInit
  private readonly byTopic = new Map<string, HeldInvitation>()

  constructor(init: HeldInvitationsInit) {
    this.init = init
  }

  /** Whether an invitation of ours (pending or consumed) listens on `topic`. */
  has(topic: Uint8Array): boolean {
    return this.byTopic.has(bytesToHex(topic))
  }

  /** The invitations still waiting for their joiner. */
  pending(): HeldInvitation[] {
    return [...this.byTopic.values()].filter((held) => held.pending !== undefined)
  }

  /** Holds an invitation: listens on its topic and arms its expiry. */
  hold(held: HeldInvitation): void {
    const key = bytesToHex(held.topic)
    this.byTopic.set(key, held)
    // The pool's copies too: a join may have come while we were not listening (a restart).
    const source = this.init.transport.subscribeEnvelopes([held.topic], { signal: held.subscription.signal, includePooled: true })
    void pump(source, (data) => this.onRendezvous(held, data), () => {})
    this.armExpiry(key, held, held.expiresAtMs)
  }

  /** Consumption (§5.4): the one-time key, and a per-contact static key, go now. */
  consume(held: HeldInvitation): void {
    const pending = held.pending
    if (pending === undefined) return
    wipe(pending.oneTimePrivateKey)
    const identity = this.init.identity
    if (identity === undefined || !equalBytes(pending.invitation.staticKey, identity.publicKey)) wipe(pending.staticPrivateKey)
    held.pending = undefined
  }

  /**
   * Holds a restored invitation, or its tombstone; one that can no longer be used goes from the
   * store: made with an account identity this peer was not given, or whose conversation has ended.
   */
  restore(id: string, value: InvitationValue, conversations: ReadonlyMap<string, Conversation>): void {
    const base = { id, subscription: new AbortController(), timer: undefined, lingering: false }
    if (value.state === 'pending') {
      const staticPrivateKey = value.identityKind === 'account' ? this.init.identity?.privateKey : value.staticPrivateKey
      if (staticPrivateKey === undefined) return this.remove(id)
      this.hold({
        ...base,
        identityKind: value.identityKind,
        uri: formatInvitation(value.invitation, 'uri'),
        topic: value.invitation.topic,
        createdAtMs: value.createdAtMs,
        pending: { invitation: value.invitation, oneTimePrivateKey: value.oneTimePrivateKey, staticPrivateKey },
        tombstone: undefined,
        expiresAtMs: value.invitation.expirySeconds * 1000,
      })
      return
    }
    const conversation = conversations.get(value.sessionId)
    if (conversation === undefined) return this.remove(id)
    this.hold({
      ...base,
      identityKind: 'per-contact',
      uri: '',
      topic: value.topic,
      createdAtMs: 0,
      pending: undefined,
      tombstone: { initHash: value.initHash, conversation, lastAnswerMs: this.init.now(), invitation: undefined, reused: new Set() },
      expiresAtMs: value.expirySeconds * 1000,
    })
  }

  /** Lets go of every invitation, wiping the keys of pending ones (the store keeps them). */
  stop(): void {
    for (const key of [...this.byTopic.keys()]) this.forget(key)
  }

  /** An envelope on one of our invitation topics: message 1, a resend of it, or noise. */
  private onRendezvous(held: HeldInvitation, data: Uint8Array): void {
    const tomb = held.tombstone
    if (tomb !== undefined) {
      const hash = sha256(data)
      if (equalBytes(hash, tomb.initHash)) {
        // The joiner's resend of the message 1 that consumed this invitation: answer it with an ack.
        const nowMs = this.init.now()
        if (nowMs - tomb.lastAnswerMs >= this.init.settings.resendIntervalMs) {
          tomb.lastAnswerMs = nowMs
          tomb.conversation.sendAck()
        }
        return
      }
      // Another join of it: its key is gone, so it cannot be opened or answered; report it once.
      const key = bytesToHex(hash)
      if (tomb.invitation === undefined || tomb.reused.size >= MAX_REUSES_REPORTED || tomb.reused.has(key)) return
      if (!isMessage1For(tomb.invitation, data)) return
      tomb.reused.add(key)
      this.init.onReused(held, tomb)
      return
    }
    const pending = held.pending
    if (pending === undefined) return
    // Our clock decides the expiry (§4.4), not only the timer, which a suspended machine delays.
    if (this.init.now() >= held.expiresAtMs) {
      this.expire(bytesToHex(held.topic))
      return
    }
    this.init.onEnvelope(held, pending, data)
  }

  /**
   * Runs `expire(key)` at `atMs` by our clock. Timers reach at most 2^31 − 1 ms (about 24.8 days),
   * and they run on a monotonic clock, so a longer wait is re-armed and the clock read each time.
   */
  private armExpiry(key: string, held: HeldInvitation, atMs: number): void {
    const left = atMs - this.init.now()
    if (left <= 0) {
      this.expire(key)
      return
    }
    held.timer = setTimeout(() => this.armExpiry(key, held, atMs), Math.min(left, MAX_TIMER_MS))
  }

  /**
   * The invitation's expiry: a pending one is announced and wiped. A tombstone stays a while
   * longer (until the joiner has surely stopped resending message 1), then goes.
   */
  private expire(key: string): void {
    const held = this.byTopic.get(key)
    if (held === undefined) return
    if (held.tombstone !== undefined && !held.lingering) {
      held.lingering = true
      const s = this.init.settings
      this.armExpiry(key, held, this.init.now() + s.deliveryTimeoutMs + s.ttlSeconds * 1000 + 10_000)
      return
    }
    const unused = held.pending !== undefined
    this.forget(key)
    this.remove(held.id)
    if (unused) this.init.onExpired(held.uri)
  }

  private forget(key: string): void {
    const held = this.byTopic.get(key)
    if (held === undefined) return
    this.byTopic.delete(key)
    if (held.timer !== undefined) clearTimeout(held.timer)
    held.subscription.abort()
    this.consume(held)
    held.tombstone = undefined
  }

  /** Removes an invitation's state file (nothing without a store). */
  private remove(id: string): void {
    this.init.store?.commit({ removals: [id] }).catch(() => {})
  }
}
