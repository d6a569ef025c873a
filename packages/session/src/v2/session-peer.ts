/**
 * A session v2 peer (docs/SESSION.md §4, §5, §11): it makes one-time invitations and answers the
 * joins that arrive on them, joins others' invitations, and holds the conversations that result.
 * No topic is derived from a long-term key: an invitation's topic is random, and every
 * conversation's topics come from its ratchet.
 *
 * An invitation is consumed by the first message 1 that authenticates under it: its one-time
 * private key is wiped then, and only the hash of that message 1 stays (the tombstone), so a
 * replay, another message 1 made from the same invitation, or a flood of either cannot open a
 * second conversation (§5.4). Until the expiry the tombstone answers the joiner's resends of
 * message 1 with a fresh ack, at most one per resend interval.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { assertBytes, wipe } from '../assert.ts'
import { InvalidInvitationError, SessionClosedError } from '../errors.ts'
import { Emitter } from '../events.ts'
import { pump } from '../pump.ts'
import type { AbortOptions, SessionTransport } from '../transport.ts'
import { Conversation } from './conversation.ts'
import type { ConversationPersistence } from './journal.ts'
import { type SessionCoreValue, decodeSessionCore } from './core-value.ts'
import { type InvitationValue, decodeInvitationValue, encodeInvitationValue } from './invitation-value.ts'
import { type StateStore, newStateId } from './state-store.ts'
import { buildMessage1, openMessage1 } from './handshake.ts'
import { type PendingInvitation, createInvitation, formatInvitation, invitationBody, parseInvitation } from './invitation.ts'
import { type RandomSource, systemRandom } from './random.ts'
import { createInviterRatchet, createJoinerRatchet } from './ratchet.ts'
import { type SkippedKeyBudget, createSkippedKeyBudget } from './ratchet-state.ts'
import { type SessionV2Settings, type SessionV2SettingsInit, resolveV2Settings } from './settings.ts'
import { type X25519Backend, type X25519KeyPair, generateX25519 } from './x25519.ts'

/** Catch-up asks from this long before an invitation was made, for the clocks' skew (§10.4). */
const CATCH_UP_SKEW_MS = 30_000
/** The longest delay one `setTimeout` takes (2^31 − 1 ms). */
const MAX_TIMER_MS = 0x7fff_ffff

/** Construction options of {@link createSessionPeerV2}. */
export interface SessionPeerV2Init extends SessionV2SettingsInit {
  /**
   * The account's X25519 session identity (`AccountData.sessionIdentity`, 32 bytes): the static
   * key of invitations and joins made with `identity: 'account'`. @default none (per-contact keys only)
   */
  identity?: Uint8Array
}

/** Collaborators of a v2 peer. */
export interface SessionPeerV2Components {
  /** Where envelopes go and come from: a `@hush/node` Whisper service or `createMemoryTransport`. */
  transport: SessionTransport
  /** Clock, unix milliseconds. @default Date.now */
  now?: () => number
  /** Randomness of every key and nonce (tests make it deterministic). @default crypto.getRandomValues */
  random?: RandomSource
  /** The X25519 backend. @default node:crypto where reachable, else noble */
  x25519?: X25519Backend
  /**
   * Where invitations and conversations persist (docs/SESSION.md §12): a `FileStateStore` in the
   * account's `.sessions` directory, or a `MemoryStateStore`. With a store, call
   * {@link SessionPeerV2.restore} before anything else; nothing derived from a new state (a
   * record, an event) leaves before it is written. @default none (everything lives in memory)
   */
  store?: StateStore
}

/** Which static key an invitation or a join uses (§4.3). */
export type IdentityChoice = 'per-contact' | 'account'

/** Options of {@link SessionPeerV2.createInvitation}. */
export interface CreateInvitationOptions {
  /** @default 'per-contact' */
  identity?: IdentityChoice
  /** Seconds the invitation stays valid (at least 61). @default the peer's `inviteLifetimeSeconds` */
  lifetimeSeconds?: number
}

/** An invitation made by {@link SessionPeerV2.createInvitation}, to hand to one person out of band. */
export interface CreatedInvitation {
  /** `hush:invite?d=…`: for a link or a QR code. */
  readonly uri: string
  /** The same 104 characters without the prefix. */
  readonly compact: string
  /** When it stops working (unix milliseconds). */
  readonly expiresAtMs: number
  /** Resolves once the invitation is durable (at once without a store): hand the URI out after it. */
  readonly saved: Promise<void>
}

/** Events of a {@link SessionPeerV2}. */
export interface SessionPeerV2Events {
  /** A join on one of our invitations authenticated: the conversation is open. */
  session: Conversation
  /** An invitation expired unused; its one-time key is wiped. */
  'invitation:expired': { readonly uri: string }
}

/** An invitation of ours: pending (its private keys held) or consumed (only the tombstone). */
interface HeldInvitation {
  /** The id of its state file. */
  readonly id: string
  readonly identityKind: IdentityChoice
  readonly uri: string
  readonly topic: Uint8Array
  readonly createdAtMs: number
  pending: PendingInvitation | undefined
  /** After consumption: SHA-256 of the message 1 that consumed it, and the conversation. */
  tombstone: { readonly initHash: Uint8Array; readonly conversation: Conversation; lastAnswerMs: number } | undefined
  readonly subscription: AbortController
  timer: ReturnType<typeof setTimeout> | undefined
  /** Unix ms after which the invitation no longer takes a message 1. */
  readonly expiresAtMs: number
  /** Whether a consumed invitation is past its expiry, kept only to answer late resends. */
  lingering: boolean
}

/** One identity's session v2 endpoint. */
export class SessionPeerV2 extends Emitter<SessionPeerV2Events> {
  readonly settings: SessionV2Settings
  private readonly transport: SessionTransport
  private readonly now: () => number
  private readonly random: RandomSource
  private readonly x25519: X25519Backend | undefined
  private readonly identity: X25519KeyPair | undefined
  private readonly budget: SkippedKeyBudget
  private readonly store: StateStore | undefined
  private restored = false
  private readonly invitations = new Map<string, HeldInvitation>()
  private readonly joined = new Set<string>()
  private readonly live = new Set<Conversation>()
  /** Every conversation until it has let go of everything (a remote close lingers after `close`). */
  private readonly held = new Set<Conversation>()
  private stopped = false

  constructor(init: SessionPeerV2Init, components: SessionPeerV2Components) {
    super()
    if (typeof init !== 'object' || init === null) throw new TypeError('init must be an object')
    if (typeof components?.transport?.postEnvelope !== 'function') throw new TypeError('components.transport must be a session transport')
    this.settings = resolveV2Settings(init)
    this.transport = components.transport
    this.now = components.now ?? Date.now
    this.random = components.random ?? systemRandom
    this.x25519 = components.x25519
    if (init.identity !== undefined) {
      assertBytes(init.identity, 'init.identity', 32)
      const privateKey = init.identity.slice()
      this.identity = { privateKey, publicKey: generateX25519(() => privateKey.slice(), this.x25519).publicKey }
    }
    this.budget = createSkippedKeyBudget(this.settings.maxSkippedKeysTotal)
    this.store = components.store
  }

  /** The conversations that have not closed yet. */
  get conversations(): ReadonlySet<Conversation> {
    return this.live
  }

  /**
   * Makes a one-time invitation and listens on its random topic until it expires. Hand the URI to
   * one person: the first valid join consumes it (§4, §5.4).
   * @throws {SessionClosedError} when the peer has stopped
   * @throws {RangeError} when `identity` is 'account' without an account identity, or the lifetime is out of range
   */
  createInvitation(options: CreateInvitationOptions = {}): CreatedInvitation {
    this.checkRunning()
    const staticKey = this.staticKeyFor(options.identity)
    const pending = createInvitation({
      nowMs: this.now(),
      lifetimeSeconds: options.lifetimeSeconds ?? this.settings.inviteLifetimeSeconds,
      ...(staticKey === undefined ? {} : { staticKey }),
      isTopicInUse: (topic) => this.invitations.has(bytesToHex(topic)),
      random: this.random,
      ...(this.x25519 === undefined ? {} : { x25519: this.x25519 }),
    })
    const uri = formatInvitation(pending.invitation, 'uri')
    const topic = pending.invitation.topic
    const identityKind: IdentityChoice = options.identity ?? 'per-contact'
    const held: HeldInvitation = {
      id: newStateId(this.random),
      identityKind,
      uri,
      topic,
      createdAtMs: this.now(),
      pending,
      tombstone: undefined,
      subscription: new AbortController(),
      timer: undefined,
      expiresAtMs: pending.invitation.expirySeconds * 1000,
      lingering: false,
    }
    const key = bytesToHex(topic)
    this.invitations.set(key, held)
    const expiresAtMs = pending.invitation.expirySeconds * 1000
    this.armExpiry(key, held, expiresAtMs)
    this.listen(held)
    const saved = this.writeInvitation(held.id, {
      state: 'pending',
      invitation: pending.invitation,
      oneTimePrivateKey: pending.oneTimePrivateKey,
      identityKind,
      ...(identityKind === 'per-contact' ? { staticPrivateKey: pending.staticPrivateKey } : {}),
      createdAtMs: held.createdAtMs,
      autoAccept: true,
    })
    saved.catch(() => {})
    return { uri, compact: formatInvitation(pending.invitation, 'compact'), expiresAtMs, saved }
  }

  /** Listens on an invitation's topic. */
  private listen(held: HeldInvitation): void {
    // The pool's copies too: a join may have come while we were not listening (a restart).
    const source = this.transport.subscribeEnvelopes([held.topic], { signal: held.subscription.signal, includePooled: true })
    void pump(source, (data) => this.onRendezvous(held, data), () => {})
  }

  /** Writes an invitation's value (nothing without a store). */
  private async writeInvitation(id: string, value: InvitationValue): Promise<void> {
    if (this.store === undefined) return
    const bytes = encodeInvitationValue(value)
    try {
      await this.store.commit({ snapshots: [{ id, kind: 1, value: bytes }] })
    } finally {
      wipe(bytes)
    }
  }

  /** The persistence of a conversation whose files are named `id` (none without a store). */
  private persistenceFor(id: string, identityKind: IdentityChoice, invitationHash: Uint8Array, consumed: SessionCoreValue['consumed']): ConversationPersistence | undefined {
    const store = this.store
    if (store === undefined) return undefined
    return {
      identityKind,
      invitationHash,
      consumed,
      commit: (c) =>
        store.commit({
          appends: c.appends.length > 0 ? [{ id, entries: c.appends }] : [],
          rewrites: c.rewrite === undefined ? [] : [{ id, entries: c.rewrite }],
          snapshots: c.core === undefined ? [] : [{ id, kind: 2, value: c.core }],
          removals: c.remove ? [id] : [],
        }),
    }
  }

  /**
   * Joins someone's invitation: posts message 1 on its topic (again, with backoff, until the
   * inviter answers or the invitation's expiry plus the grace passes) and returns the conversation
   * at once, `pending`: it may send early data; `open` fires when the inviter's first record
   * arrives.
   * @throws {InvalidInvitationError} when the text is not a valid, unexpired invitation, or one this peer already joined or made
   * @throws {SessionClosedError} when the peer has stopped
   */
  join(text: string, options: { identity?: IdentityChoice } = {}): Conversation {
    this.checkRunning()
    const nowMs = this.now()
    const invitation = parseInvitation(text, nowMs)
    const bodyHash = bytesToHex(sha256(invitationBody(invitation)))
    if (this.joined.has(bodyHash)) throw new InvalidInvitationError('this invitation was already joined from this peer')
    if (this.invitations.has(bytesToHex(invitation.topic))) throw new InvalidInvitationError('this is one of our own invitations')
    const staticKey = this.staticKeyFor(options.identity) ?? generateX25519(this.random, this.x25519)
    const built = buildMessage1({ invitation, staticKey, createdAtMs: nowMs, random: this.random, ...(this.x25519 === undefined ? {} : { x25519: this.x25519 }) })
    const ratchet = createJoinerRatchet({
      keys: built.keys,
      ephemeral: built.ephemeralKey,
      staticPrivateKey: staticKey.privateKey,
      limits: { maxSkippedKeys: this.settings.maxSkippedKeys, budget: this.budget },
    })
    wipeSplit(built.keys)
    wipe(built.ephemeralKey.privateKey)
    if (options.identity !== 'account') wipe(staticKey.privateKey)
    this.joined.add(bodyHash)
    const persistence = this.persistenceFor(newStateId(this.random), options.identity ?? 'per-contact', sha256(invitationBody(invitation)), undefined)
    return this.track(
      new Conversation({
        ...(persistence === undefined ? {} : { persistence }),
        role: 'joiner',
        ratchet,
        peerStaticKey: invitation.staticKey,
        ownStaticKey: staticKey.publicKey,
        settings: this.settings,
        transport: this.transport,
        now: this.now,
        components: this.components(),
        createdAtMs: nowMs,
        pendingJoin: { msg1: built.msg1, topic: invitation.topic, deadlineMs: invitation.expirySeconds * 1000 + this.settings.handshakeGraceMs },
        onClosed: (c) => {
          this.released(c)
          // The same invitation may be joined again once this conversation is gone (§4.4).
          this.joined.delete(bodyHash)
        },
      })
    )
  }

  /**
   * Brings back every invitation and conversation from the store (§12.4): a consumption cut off
   * between its two writes is completed first, expired invitations go, conversations resume
   * where their last commit left them (records due are resent, a pending join posts message 1
   * again). Call it once, before anything else. Then catch up (`catchUp`) when the transport can.
   * @throws {TypeError} without `components.store`
   * @throws {StateCorruptedError} when a state file does not read back
   */
  async restore(): Promise<void> {
    const store = this.store
    if (store === undefined) throw new TypeError('restore needs components.store')
    this.checkRunning()
    if (this.restored) return
    this.restored = true
    const { snapshots, outs } = await store.load()
    const invitations = new Map<string, InvitationValue>()
    const cores = new Map<string, SessionCoreValue>()
    for (const [id, snapshot] of snapshots) {
      if (snapshot.kind === 1) invitations.set(id, decodeInvitationValue(snapshot.value))
      else cores.set(id, decodeSessionCore(snapshot.value, { budget: this.budget, maxSkippedKeys: this.settings.maxSkippedKeys }))
      wipe(snapshot.value)
    }
    // A core that names an invitation still pending: the tombstone was not written yet (§12.3).
    for (const [sessionId, core] of cores) {
      const consumed = core.consumed
      const invitation = consumed === undefined ? undefined : invitations.get(consumed.inviteId)
      if (consumed === undefined || invitation?.state !== 'pending') continue
      wipe(invitation.oneTimePrivateKey, invitation.staticPrivateKey)
      const tombstone: InvitationValue = { state: 'consumed', topic: consumed.topic, expirySeconds: consumed.expirySeconds, initHash: consumed.initHash, sessionId }
      invitations.set(consumed.inviteId, tombstone)
      await this.writeInvitation(consumed.inviteId, tombstone)
    }
    const conversations = new Map<string, Conversation>()
    for (const [sessionId, core] of cores) {
      const bodyHash = bytesToHex(core.invitationHash)
      const persistence = this.persistenceFor(sessionId, core.identityKind, core.invitationHash, core.consumed)
      const conversation = this.track(
        new Conversation({
          ...(persistence === undefined ? {} : { persistence }),
          restored: { core, out: outs.get(sessionId) ?? [] },
          role: core.role,
          ratchet: core.ratchet,
          peerStaticKey: core.peerStaticKey,
          ownStaticKey: core.ownStaticKey,
          settings: this.settings,
          transport: this.transport,
          now: this.now,
          components: this.components(),
          onClosed: (c) => {
            this.released(c)
            if (core.role === 'joiner') this.joined.delete(bodyHash)
          },
        })
      )
      if (core.role === 'joiner') this.joined.add(bodyHash)
      conversations.set(sessionId, conversation)
    }
    for (const [id, value] of invitations) this.restoreInvitation(id, value, conversations)
  }

  /** Listens again on a restored invitation, or its tombstone; one that can no longer be used goes. */
  private restoreInvitation(id: string, value: InvitationValue, conversations: Map<string, Conversation>): void {
    const forget = (): void => {
      this.store?.commit({ removals: [id] }).catch(() => {})
    }
    if (value.state === 'pending') {
      const own = value.identityKind === 'account' ? this.identity : undefined
      const staticPrivateKey = value.identityKind === 'account' ? own?.privateKey : value.staticPrivateKey
      if (staticPrivateKey === undefined) {
        forget() // made with an account identity this peer was not given
        return
      }
      const held: HeldInvitation = {
        id,
        identityKind: value.identityKind,
        uri: formatInvitation(value.invitation, 'uri'),
        topic: value.invitation.topic,
        createdAtMs: value.createdAtMs,
        pending: { invitation: value.invitation, oneTimePrivateKey: value.oneTimePrivateKey, staticPrivateKey },
        tombstone: undefined,
        subscription: new AbortController(),
        timer: undefined,
        expiresAtMs: value.invitation.expirySeconds * 1000,
        lingering: false,
      }
      this.invitations.set(bytesToHex(held.topic), held)
      this.listen(held)
      this.armExpiry(bytesToHex(held.topic), held, held.expiresAtMs)
      return
    }
    const conversation = conversations.get(value.sessionId)
    if (conversation === undefined) {
      forget() // its conversation has ended
      return
    }
    const held: HeldInvitation = {
      id,
      identityKind: 'per-contact',
      uri: '',
      topic: value.topic,
      createdAtMs: 0,
      pending: undefined,
      tombstone: { initHash: value.initHash, conversation, lastAnswerMs: this.now() },
      subscription: new AbortController(),
      timer: undefined,
      expiresAtMs: value.expirySeconds * 1000,
      lingering: false,
    }
    this.invitations.set(bytesToHex(held.topic), held)
    this.listen(held)
    this.armExpiry(bytesToHex(held.topic), held, held.expiresAtMs)
  }

  /** Stops: every conversation ends without a close record and every key is wiped (idempotent). */
  stop(): void {
    if (this.stopped) return
    this.stopped = true
    for (const key of [...this.invitations.keys()]) this.forget(key)
    for (const c of [...this.held]) c.stop()
    this.live.clear()
    this.held.clear()
    if (this.identity !== undefined) wipe(this.identity.privateKey)
  }

  // ---- internals

  private checkRunning(): void {
    if (this.stopped) throw new SessionClosedError('the peer has stopped')
  }

  private staticKeyFor(identity: IdentityChoice | undefined): X25519KeyPair | undefined {
    if (identity !== 'account') return undefined
    if (this.identity === undefined) throw new RangeError("identity 'account' needs init.identity (the account's session identity)")
    return this.identity
  }

  private components(): { random: RandomSource; x25519?: X25519Backend } {
    return this.x25519 === undefined ? { random: this.random } : { random: this.random, x25519: this.x25519 }
  }

  private track(conversation: Conversation): Conversation {
    this.held.add(conversation)
    this.live.add(conversation)
    conversation.addEventListener('close', () => this.live.delete(conversation), { once: true })
    return conversation
  }

  /** Called by a conversation once it has let go of everything. */
  private readonly released = (conversation: Conversation): void => {
    this.held.delete(conversation)
  }

  /** An envelope on one of our invitation topics: message 1, a resend of it, or noise. */
  private onRendezvous(held: HeldInvitation, data: Uint8Array): void {
    if (this.stopped) return
    const tomb = held.tombstone
    if (tomb !== undefined) {
      // The joiner's resend of the message 1 that consumed this invitation: answer it with an ack.
      const nowMs = this.now()
      if (equalBytes(sha256(data), tomb.initHash) && nowMs - tomb.lastAnswerMs >= this.settings.resendIntervalMs) {
        tomb.lastAnswerMs = nowMs
        tomb.conversation.sendAck()
      }
      return
    }
    const pending = held.pending
    if (pending === undefined) return
    // Our clock decides the expiry (§4.4), not only the timer, which a suspended machine delays.
    if (this.now() >= held.expiresAtMs) {
      this.expire(bytesToHex(held.topic))
      return
    }
    const opened = openMessage1(pending, data, this.x25519 === undefined ? {} : { x25519: this.x25519 })
    if (typeof opened === 'string') return
    const ratchet = createInviterRatchet(
      { keys: opened.keys, peerEphemeralKey: opened.peerEphemeralKey, peerStaticKey: opened.peerStaticKey, limits: { maxSkippedKeys: this.settings.maxSkippedKeys, budget: this.budget } },
      this.components()
    )
    wipeSplit(opened.keys)
    if (ratchet === undefined) return
    // Consumption (§5.4): the one-time key goes now; only the hash of this message 1 stays.
    wipe(pending.oneTimePrivateKey)
    const ownStaticKey = pending.invitation.staticKey
    if (this.identity === undefined || !equalBytes(ownStaticKey, this.identity.publicKey)) wipe(pending.staticPrivateKey)
    held.pending = undefined
    const sessionId = newStateId(this.random)
    const consumed = { inviteId: held.id, topic: held.topic, expirySeconds: Math.floor(held.expiresAtMs / 1000), initHash: opened.initHash }
    const persistence = this.persistenceFor(sessionId, held.identityKind, sha256(invitationBody(pending.invitation)), consumed)
    const conversation = this.track(
      new Conversation({
        ...(persistence === undefined ? {} : { persistence }),
        role: 'inviter',
        ratchet,
        peerStaticKey: opened.peerStaticKey,
        ownStaticKey,
        settings: this.settings,
        transport: this.transport,
        now: this.now,
        components: this.components(),
        // Catch-up starts no earlier than the invitation itself, whatever the init frame says.
        createdAtMs: Math.max(opened.createdAtMs, held.createdAtMs),
        onClosed: this.released,
      })
    )
    held.tombstone = { initHash: opened.initHash, conversation, lastAnswerMs: this.now() }
    // Consumption (§12.3): the session's core (naming this invitation) first, then the tombstone.
    conversation
      .persisted()
      .then(() => this.writeInvitation(held.id, { state: 'consumed', topic: held.topic, expirySeconds: consumed.expirySeconds, initHash: opened.initHash, sessionId }))
      .catch(() => {})
    conversation.sendAck()
    if (this.store === undefined) this.emit('session', conversation)
    else conversation.persisted().then(() => this.emit('session', conversation), () => {})
    // The joiner's early data may be waiting in mail servers (§5.3 step 6): fetch it.
    if (typeof this.transport.requestHistory === 'function') conversation.catchUp().catch(() => {})
  }

  /**
   * Catches up after time offline (§10.4): asks the transport's `requestHistory` for what was
   * posted on each pending invitation's topic since it was made (joins that arrived meanwhile are
   * accepted, and their early data fetched), then catches up every conversation. Resolves with the
   * number of envelopes fetched.
   * @throws {TypeError} when the transport has no `requestHistory`
   */
  async catchUp(options: AbortOptions = {}): Promise<number> {
    const request = this.transport.requestHistory
    if (typeof request !== 'function') throw new TypeError('the transport has no requestHistory: it cannot fetch history')
    this.checkRunning()
    const nowMs = this.now()
    let fetched = 0
    for (const held of [...this.invitations.values()]) {
      if (held.pending === undefined) continue
      fetched += await request.call(this.transport, {
        topics: [held.topic],
        from: Math.max(0, Math.floor((held.createdAtMs - CATCH_UP_SKEW_MS) / 1000)),
        to: Math.ceil((nowMs + CATCH_UP_SKEW_MS) / 1000),
      }, options)
    }
    // Let the fetched joins be handled before the conversations (new ones included) catch up.
    await new Promise((resolve) => setTimeout(resolve, 0))
    const results = await Promise.allSettled([...this.live].map((c) => c.catchUp(options)))
    for (const r of results) if (r.status === 'fulfilled') fetched += r.value
    return fetched
  }

  /**
   * Runs `expire(key)` at `atMs` by our clock. Timers reach at most 2^31 − 1 ms (about 24.8 days),
   * and they run on a monotonic clock, so a longer wait is re-armed and the clock read each time.
   */
  private armExpiry(key: string, held: HeldInvitation, atMs: number): void {
    const left = atMs - this.now()
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
    const held = this.invitations.get(key)
    if (held === undefined) return
    if (held.tombstone !== undefined && !held.lingering) {
      held.lingering = true
      const s = this.settings
      this.armExpiry(key, held, this.now() + s.deliveryTimeoutMs + s.ttlSeconds * 1000 + 10_000)
      return
    }
    const unused = held.pending !== undefined
    this.forget(key)
    this.store?.commit({ removals: [held.id] }).catch(() => {})
    if (unused) this.emit('invitation:expired', { uri: held.uri })
  }

  private forget(key: string): void {
    const held = this.invitations.get(key)
    if (held === undefined) return
    this.invitations.delete(key)
    if (held.timer !== undefined) clearTimeout(held.timer)
    held.subscription.abort()
    if (held.pending !== undefined) {
      wipe(held.pending.oneTimePrivateKey)
      if (this.identity === undefined || !equalBytes(held.pending.invitation.staticKey, this.identity.publicKey)) wipe(held.pending.staticPrivateKey)
    }
    held.pending = undefined
    held.tombstone = undefined
  }
}

/**
 * Creates a session v2 peer on `components.transport`.
 * @throws {TypeError | RangeError} when a setting or the identity is malformed (naming it)
 * @example
 * ```ts
 * const bob = createSessionPeerV2({}, { transport })
 * const { uri } = bob.createInvitation()          // give it to Alice out of band
 * bob.addEventListener('session', ({ detail }) => detail.addEventListener('message', (m) => console.log(m.detail.payload)))
 * const alice = createSessionPeerV2({}, { transport })
 * const toBob = alice.join(uri)
 * await toBob.send(new TextEncoder().encode('hello'))
 * ```
 */
export function createSessionPeerV2(init: SessionPeerV2Init, components: SessionPeerV2Components): SessionPeerV2 {
  return new SessionPeerV2(init, components)
}

function wipeSplit(keys: { rootKey: Uint8Array; chainA1: Uint8Array; seedA1: Uint8Array; seedA2: Uint8Array; seedB1: Uint8Array; ad: Uint8Array }): void {
  wipe(keys.rootKey, keys.chainA1, keys.seedA1, keys.seedA2, keys.seedB1, keys.ad)
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i]
  return diff === 0
}
