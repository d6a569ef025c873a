/**
 * A session v2 peer (docs/SESSION.md §4, §5, §11): it makes one-time invitations and answers the
 * joins that arrive on them, joins others' invitations, and holds the conversations that result.
 * No topic is derived from a long-term key: an invitation's topic is random, and every
 * conversation's topics come from its ratchet.
 *
 * The invitations it holds, their consumption and tombstones, are `held-invitations.ts`; what it
 * writes to and reads from the state store is `peer-state.ts`.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { assertBytes, wipe } from '../assert.ts'
import { InvalidInvitationError, SessionClosedError } from '../errors.ts'
import { Emitter } from '../events.ts'
import type { AbortOptions, SessionTransport } from '../transport.ts'
import { Conversation } from './conversation.ts'
import type { ConversationInit } from './conversation-api.ts'
import { buildMessage1, openMessage1 } from './handshake.ts'
import { type HeldInvitation, HeldInvitations } from './held-invitations.ts'
import { type PendingInvitation, createInvitation, formatInvitation, invitationBody, parseInvitation } from './invitation.ts'
import type { IdentityKind } from './invitation-value.ts'
import type { ConversationPersistence } from './journal.ts'
import { wipeSplitKeys } from './key-schedule.ts'
import { conversationPersistence, loadPeerState, writeInvitation } from './peer-state.ts'
import { type RandomSource, systemRandom } from './random.ts'
import { catchUpRange } from './catch-up.ts'
import { type RatchetComponents, createInviterRatchet, createJoinerRatchet } from './ratchet.ts'
import { type SkippedKeyBudget, createSkippedKeyBudget } from './ratchet-state.ts'
import { type SessionV2Settings, type SessionV2SettingsInit, resolveV2Settings } from './settings.ts'
import { type StateStore, newStateId } from './state-store.ts'
import { type X25519Backend, type X25519KeyPair, generateX25519 } from './x25519.ts'

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
export type IdentityChoice = IdentityKind

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
  /**
   * Someone joined a consumed invitation again (§5.4): a message 1 made from it (so by someone who
   * holds it: the joiner from a fresh start, or anyone it reached) that is not the one that
   * consumed it. It is refused and not answered, and who sent it cannot be known (the one-time
   * key is gone): `conversation`, the one the invitation opened, goes on unchanged. Once per
   * distinct message 1 (resends are the same bytes), at most 16 per invitation; not after a
   * restart (the tombstone on disk keeps no invitation).
   */
  'invitation:reused': { readonly uri: string; readonly conversation: Conversation }
}

/** What each conversation of a peer is made from, besides what the peer itself supplies. */
type OwnConversationInit = Omit<ConversationInit, 'settings' | 'transport' | 'now' | 'components' | 'persistence' | 'onClosed'>

/** One identity's session v2 endpoint. */
export class SessionPeerV2 extends Emitter<SessionPeerV2Events> {
  readonly settings: SessionV2Settings
  private readonly transport: SessionTransport
  private readonly now: () => number
  private readonly random: RandomSource
  private readonly x25519: X25519Backend | undefined
  /** The randomness and X25519 backend of every key this peer makes and every DH it computes. */
  private readonly ratchetComponents: RatchetComponents
  private readonly identity: X25519KeyPair | undefined
  private readonly budget: SkippedKeyBudget
  private readonly store: StateStore | undefined
  private readonly invitations: HeldInvitations
  private restored = false
  /** SHA-256 of the body of every invitation joined from here whose conversation is not gone (§4.4). */
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
    this.ratchetComponents = this.x25519 === undefined ? { random: this.random } : { random: this.random, x25519: this.x25519 }
    if (init.identity !== undefined) {
      assertBytes(init.identity, 'init.identity', 32)
      const privateKey = init.identity.slice()
      this.identity = { privateKey, publicKey: generateX25519(() => privateKey.slice(), this.x25519).publicKey }
    }
    this.budget = createSkippedKeyBudget(this.settings.maxSkippedKeysTotal)
    this.store = components.store
    this.invitations = new HeldInvitations({
      transport: this.transport,
      now: this.now,
      settings: this.settings,
      store: this.store,
      identity: this.identity,
      onEnvelope: (held, pending, data) => this.onMessage1(held, pending, data),
      onExpired: (uri) => this.emit('invitation:expired', { uri }),
      onReused: (held, tombstone) => this.emit('invitation:reused', { uri: held.uri, conversation: tombstone.conversation }),
    })
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
      isTopicInUse: (topic) => this.invitations.has(topic),
      ...this.ratchetComponents,
    })
    const identityKind: IdentityChoice = options.identity ?? 'per-contact'
    const held: HeldInvitation = {
      id: newStateId(this.random),
      identityKind,
      uri: formatInvitation(pending.invitation, 'uri'),
      topic: pending.invitation.topic,
      createdAtMs: this.now(),
      pending,
      tombstone: undefined,
      subscription: new AbortController(),
      timer: undefined,
      expiresAtMs: pending.invitation.expirySeconds * 1000,
      lingering: false,
    }
    this.invitations.hold(held)
    const saved = writeInvitation(this.store, held.id, {
      state: 'pending',
      invitation: pending.invitation,
      oneTimePrivateKey: pending.oneTimePrivateKey,
      identityKind,
      ...(identityKind === 'per-contact' ? { staticPrivateKey: pending.staticPrivateKey } : {}),
      createdAtMs: held.createdAtMs,
      autoAccept: true,
    })
    saved.catch(() => {})
    return { uri: held.uri, compact: formatInvitation(pending.invitation, 'compact'), expiresAtMs: held.expiresAtMs, saved }
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
    const invitationHash = sha256(invitationBody(invitation))
    const bodyHash = bytesToHex(invitationHash)
    if (this.joined.has(bodyHash)) throw new InvalidInvitationError('this invitation was already joined from this peer')
    if (this.invitations.has(invitation.topic)) throw new InvalidInvitationError('this is one of our own invitations')
    const staticKey = this.staticKeyFor(options.identity) ?? generateX25519(this.random, this.x25519)
    const built = buildMessage1({ invitation, staticKey, createdAtMs: nowMs, ...this.ratchetComponents })
    const ratchet = createJoinerRatchet({
      keys: built.keys,
      ephemeral: built.ephemeralKey,
      staticPrivateKey: staticKey.privateKey,
      limits: { maxSkippedKeys: this.settings.maxSkippedKeys, budget: this.budget },
    })
    wipeSplitKeys(built.keys)
    wipe(built.ephemeralKey.privateKey)
    if (options.identity !== 'account') wipe(staticKey.privateKey)
    this.joined.add(bodyHash)
    const persistence = conversationPersistence(this.store, newStateId(this.random), options.identity ?? 'per-contact', invitationHash, undefined)
    return this.open(
      {
        role: 'joiner',
        ratchet,
        peerStaticKey: invitation.staticKey,
        ownStaticKey: staticKey.publicKey,
        createdAtMs: nowMs,
        pendingJoin: { msg1: built.msg1, topic: invitation.topic, deadlineMs: invitation.expirySeconds * 1000 + this.settings.handshakeGraceMs },
      },
      persistence,
      (c) => {
        this.released(c)
        // The same invitation may be joined again once this conversation is gone (§4.4).
        this.joined.delete(bodyHash)
      }
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
    const { invitations, cores, outs } = await loadPeerState(store, { budget: this.budget, maxSkippedKeys: this.settings.maxSkippedKeys })
    const conversations = new Map<string, Conversation>()
    for (const [sessionId, core] of cores) {
      const bodyHash = bytesToHex(core.invitationHash)
      const persistence = conversationPersistence(store, sessionId, core.identityKind, core.invitationHash, core.consumed)
      const conversation = this.open(
        { restored: { core, out: outs.get(sessionId) ?? [] }, role: core.role, ratchet: core.ratchet, peerStaticKey: core.peerStaticKey, ownStaticKey: core.ownStaticKey },
        persistence,
        (c) => {
          this.released(c)
          if (core.role === 'joiner') this.joined.delete(bodyHash)
        }
      )
      if (core.role === 'joiner') this.joined.add(bodyHash)
      conversations.set(sessionId, conversation)
    }
    for (const [id, value] of invitations) this.invitations.restore(id, value, conversations)
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
    for (const held of this.invitations.pending()) {
      fetched += await request.call(this.transport, { topics: [held.topic], ...catchUpRange(held.createdAtMs, nowMs) }, options)
    }
    // Let the fetched joins be handled before the conversations (new ones included) catch up.
    await new Promise((resolve) => setTimeout(resolve, 0))
    const results = await Promise.allSettled([...this.live].map((c) => c.catchUp(options)))
    for (const r of results) if (r.status === 'fulfilled') fetched += r.value
    return fetched
  }

  /** Stops: every conversation ends without a close record and every key is wiped (idempotent). */
  stop(): void {
    if (this.stopped) return
    this.stopped = true
    this.invitations.stop()
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

  /** A conversation on this peer's transport, clock, settings and randomness, tracked until it lets go of everything. */
  private open(init: OwnConversationInit, persistence: ConversationPersistence | undefined, onClosed: (c: Conversation) => void): Conversation {
    const conversation = new Conversation({
      ...init,
      ...(persistence === undefined ? {} : { persistence }),
      settings: this.settings,
      transport: this.transport,
      now: this.now,
      components: this.ratchetComponents,
      onClosed,
    })
    this.held.add(conversation)
    this.live.add(conversation)
    conversation.addEventListener('close', () => this.live.delete(conversation), { once: true })
    return conversation
  }

  /** Called by a conversation once it has let go of everything. */
  private readonly released = (conversation: Conversation): void => {
    this.held.delete(conversation)
  }

  /** An envelope on a pending invitation's topic: the conversation opens if it is a message 1 that authenticates. */
  private onMessage1(held: HeldInvitation, pending: PendingInvitation, data: Uint8Array): void {
    const opened = openMessage1(pending, data, this.x25519 === undefined ? {} : { x25519: this.x25519 })
    if (typeof opened === 'string') return
    const ratchet = createInviterRatchet(
      { keys: opened.keys, peerEphemeralKey: opened.peerEphemeralKey, peerStaticKey: opened.peerStaticKey, limits: { maxSkippedKeys: this.settings.maxSkippedKeys, budget: this.budget } },
      this.ratchetComponents
    )
    wipeSplitKeys(opened.keys)
    if (ratchet === undefined) return
    // Consumption (§5.4): the one-time key goes now; only the hash of this message 1 stays.
    this.invitations.consume(held)
    const sessionId = newStateId(this.random)
    const consumed = { inviteId: held.id, topic: held.topic, expirySeconds: Math.floor(held.expiresAtMs / 1000), initHash: opened.initHash }
    const persistence = conversationPersistence(this.store, sessionId, held.identityKind, sha256(invitationBody(pending.invitation)), consumed)
    const conversation = this.open(
      {
        role: 'inviter',
        ratchet,
        peerStaticKey: opened.peerStaticKey,
        ownStaticKey: pending.invitation.staticKey,
        // Catch-up starts no earlier than the invitation itself, whatever the init frame says.
        createdAtMs: Math.max(opened.createdAtMs, held.createdAtMs),
      },
      persistence,
      this.released
    )
    held.tombstone = { initHash: opened.initHash, conversation, lastAnswerMs: this.now(), invitation: pending.invitation, reused: new Set() }
    // Consumption (§12.3): the session's core (naming this invitation) first, then the tombstone.
    conversation
      .persisted()
      .then(() => writeInvitation(this.store, held.id, { state: 'consumed', topic: held.topic, expirySeconds: consumed.expirySeconds, initHash: opened.initHash, sessionId }))
      .catch(() => {})
    conversation.sendAck()
    if (this.store === undefined) this.emit('session', conversation)
    else conversation.persisted().then(() => this.emit('session', conversation), () => {})
    // The joiner's early data may be waiting in mail servers (§5.3 step 6): fetch it.
    if (typeof this.transport.requestHistory === 'function') conversation.catchUp().catch(() => {})
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
