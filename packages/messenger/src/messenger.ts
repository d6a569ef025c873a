/**
 * The messenger service (docs/SESSION.md §21): one account, kept encrypted at rest in a
 * directory on the node's side, its friends, and session v2 conversations opened with a friend
 * by public key through a signed, ECIES-encrypted request on one well-known topic.
 */
import { access, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { getPublicKey } from '@hush/envelope'
import {
  type AccountData,
  type Conversation,
  FileStateStore,
  MAX_MESSAGE_BYTES_V2,
  type SessionTransport,
  createAccountData,
  createSessionPeerV2,
  loadAccount,
  parseInvitation,
  saveAccount,
} from '@hush/session'
import { bytesToHex } from '@noble/hashes/utils.js'
import { ACCOUNT_FILE, CATCH_UP_SKEW_MS, REQUEST_TOPIC, SESSIONS_DIR, STATE_FILE } from './constants.ts'
import { AccountExistsError, FriendExistsError, LockedError, NoAccountError, NotFoundError, NotOpenError, WrongPasswordError } from './errors.ts'
import { checkName, checkPassword, conversationId, parseKey } from './checks.ts'
import { EventStream } from './event-stream.ts'
import { MessageHistory } from './history.ts'
import { type Unlocked, describeConversation, describeRequest } from './unlocked.ts'
import { keyToHex, openRequest, sealRequest } from './request.ts'
import { loadState, saveState } from './state-file.ts'
import type {
  ConversationInfo,
  Friend,
  MessageEntry,
  MessengerCallOptions,
  MessengerCloseReason,
  MessengerComponents,
  MessengerEvent,
  MessengerInfo,
  MessengerInit,
  RequestInfo,
} from './types.ts'

/** The node-side messenger: see {@link createMessenger}. */
export class Messenger {
  private readonly dir: string
  private readonly init: MessengerInit
  private readonly transport: SessionTransport
  private readonly now: () => number
  private unlocked: Unlocked | undefined
  /** Serializes account and state writes, and unlock/lock. */
  private queue: Promise<unknown> = Promise.resolve()
  /** Serializes writes of the state file (any caller may persist). */
  private writes: Promise<unknown> = Promise.resolve()
  private readonly stream = new EventStream<MessengerEvent>()

  constructor(init: MessengerInit, components: MessengerComponents) {
    if (typeof init?.dir !== 'string' || init.dir.length === 0) throw new TypeError('init.dir must be a non-empty string')
    if (typeof components?.transport?.postEnvelope !== 'function') throw new TypeError('components.transport must be a session transport')
    this.dir = init.dir
    this.init = init
    this.transport = components.transport
    this.now = components.now ?? Date.now
  }

  private get accountPath(): string {
    return join(this.dir, ACCOUNT_FILE)
  }

  private get statePath(): string {
    return join(this.dir, STATE_FILE)
  }

  // ---- account

  /** Whether an account exists, whether it is unlocked, and its public key. */
  async info(): Promise<MessengerInfo> {
    const u = this.unlocked
    if (u !== undefined) return { exists: true, unlocked: true, publicKey: keyToHex(u.publicKey) }
    return { exists: await this.accountExists(), unlocked: false }
  }

  /**
   * Creates the account (fresh keys, no friends) under `password`, and unlocks it.
   * @throws {AccountExistsError} when there is one already
   * @throws {TypeError} when the password is not a non-empty string
   */
  async createAccount(password: string): Promise<MessengerInfo> {
    checkPassword(password)
    return this.serial(async () => {
      if (await this.accountExists()) throw new AccountExistsError()
      await mkdir(this.dir, { recursive: true, mode: 0o700 })
      await saveAccount(this.accountPath, createAccountData(), password, this.init.kdf ?? {})
      await this.openAccount(password)
      return this.info()
    })
  }

  /**
   * Unlocks the account: restores every conversation and invitation (§12.4), listens for
   * requests, and, when the transport has `requestHistory`, catches up in the background.
   * Unlocking an unlocked account checks the password and changes nothing.
   * @throws {NoAccountError} when there is no account
   * @throws {WrongPasswordError} when the password does not open it
   */
  async unlock(password: string): Promise<MessengerInfo> {
    checkPassword(password)
    return this.serial(async () => {
      if (this.unlocked !== undefined) {
        if (password !== this.unlocked.password) throw new WrongPasswordError()
        return this.info()
      }
      await this.openAccount(password)
      return this.info()
    })
  }

  /** Locks: every conversation unloads (its state stays on disk), keys leave memory (idempotent). */
  lock(): Promise<void> {
    return this.serial(async () => {
      const u = this.unlocked
      if (u === undefined) return
      this.unlocked = undefined
      u.subscription.abort()
      u.peer.stop()
      // Writes still queued use the state key: let them finish before it is wiped.
      await this.writes
      u.account.data.privateKey.fill(0)
      u.account.data.sessionIdentity.fill(0)
      u.account.data.stateKey.fill(0)
    })
  }

  // ---- friends

  /** The friends, in the order they were added. @throws {LockedError} */
  friends(): Friend[] {
    return this.need().account.data.contacts.map((c) => ({ name: c.name, publicKey: keyToHex(c.publicKey) }))
  }

  /**
   * Adds a friend and saves the account.
   * @throws {FriendExistsError} when the name or the key is taken
   * @throws {TypeError | RangeError} when the name (1–256 characters) or the key is malformed
   * @throws {LockedError}
   */
  async addFriend(name: string, publicKey: string): Promise<Friend> {
    const u = this.need()
    checkName(name)
    const key = parseKey(publicKey, 'publicKey')
    return this.serial(async () => {
      const contacts = u.account.data.contacts
      if (contacts.some((c) => c.name === name)) throw new FriendExistsError(`a friend is already called ${JSON.stringify(name)}`)
      if (contacts.some((c) => bytesToHex(c.publicKey) === bytesToHex(key))) throw new FriendExistsError('a friend already has that public key')
      if (bytesToHex(key) === bytesToHex(u.publicKey)) throw new FriendExistsError('that is this account’s own key')
      await this.saveAccount(u, { ...u.account.data, contacts: [...contacts, { name, publicKey: key }] })
      return { name, publicKey: keyToHex(key) }
    })
  }

  /**
   * Renames the friend with `publicKey`.
   * @throws {NotFoundError} when no friend has that key
   * @throws {FriendExistsError} when another friend has the name
   * @throws {LockedError}
   */
  async renameFriend(publicKey: string, name: string): Promise<Friend> {
    const u = this.need()
    checkName(name)
    const hex = bytesToHex(parseKey(publicKey, 'publicKey'))
    return this.serial(async () => {
      const contacts = u.account.data.contacts
      const friend = contacts.find((c) => bytesToHex(c.publicKey) === hex)
      if (friend === undefined) throw new NotFoundError('no friend has that public key')
      if (contacts.some((c) => c !== friend && c.name === name)) throw new FriendExistsError(`a friend is already called ${JSON.stringify(name)}`)
      await this.saveAccount(u, { ...u.account.data, contacts: contacts.map((c) => (c === friend ? { name, publicKey: c.publicKey } : c)) })
      return { name, publicKey: keyToHex(friend.publicKey) }
    })
  }

  /**
   * Removes the friend with `publicKey` (their conversations go on; they become a stranger).
   * @throws {NotFoundError} when no friend has that key
   * @throws {LockedError}
   */
  async removeFriend(publicKey: string): Promise<void> {
    const u = this.need()
    const hex = bytesToHex(parseKey(publicKey, 'publicKey'))
    return this.serial(async () => {
      const contacts = u.account.data.contacts
      if (!contacts.some((c) => bytesToHex(c.publicKey) === hex)) throw new NotFoundError('no friend has that public key')
      await this.saveAccount(u, { ...u.account.data, contacts: contacts.filter((c) => bytesToHex(c.publicKey) !== hex) })
    })
  }

  // ---- conversations

  /**
   * Opens a conversation with a friend: makes a one-time invitation and sends it to them as a
   * request (§21.1). The conversation is `inviting` until they accept; then `open` fires.
   * Opening again while still inviting sends the same request again and resolves to the same
   * conversation: without a mail server, a request reaches only a node that is up, with the
   * account unlocked, within the envelope's TTL.
   * When the request cannot be posted (the signal aborts, the node refuses it) the call rejects
   * with that error and the conversation is forgotten.
   * @throws {NotFoundError} when `publicKey` is not a friend's
   * @throws {LockedError}
   */
  async open(publicKey: string, options: MessengerCallOptions = {}): Promise<ConversationInfo> {
    const u = this.need()
    const key = parseKey(publicKey, 'publicKey')
    if (!u.account.data.contacts.some((c) => bytesToHex(c.publicKey) === bytesToHex(key))) throw new NotFoundError('no friend has that public key: add them first')
    // Still inviting them: the same request again (for a friend who missed it; one who saw it ignores it).
    const inviting = Object.keys(u.state.conversations).find((k) => u.state.conversations[k].friend === keyToHex(key) && u.state.conversations[k].uri !== undefined)
    if (inviting !== undefined) {
      await this.postRequest(u, key, u.state.conversations[inviting].uri as string, options)
      return describeConversation(u, inviting)
    }
    const invitation = u.peer.createInvitation(this.init.inviteLifetimeSeconds === undefined ? {} : { lifetimeSeconds: this.init.inviteLifetimeSeconds })
    const id = conversationId(parseInvitation(invitation.uri, this.now()).staticKey)
    u.state.conversations[id] = { friend: keyToHex(key), role: 'opener', createdAtMs: this.now(), uri: invitation.uri }
    // Durable before anything leaves: which friend the invitation is for, then the invitation.
    await this.persist(u)
    await invitation.saved
    try {
      await this.postRequest(u, key, invitation.uri, options)
    } catch (err) {
      // Nothing went out: forget the conversation (its invitation expires unused, and a join, which
      // cannot come, would be closed at once).
      delete u.state.conversations[id]
      await this.persist(u)
      throw err
    }
    return describeConversation(u, id)
  }

  /** The requests waiting for the user. @throws {LockedError} */
  requests(): RequestInfo[] {
    const u = this.need()
    return Object.keys(u.state.requests).map((id) => describeRequest(u, id))
  }

  /**
   * Accepts a request: joins its invitation (§5.1); the conversation is `pending` until the
   * opener answers, then `open` fires.
   * @throws {NotFoundError} when there is no such request (or its invitation expired)
   * @throws {LockedError}
   */
  async accept(requestId: string): Promise<ConversationInfo> {
    const u = this.need()
    return this.serial(async () => {
      const request = u.state.requests[requestId]
      if (request === undefined) throw new NotFoundError(`no request ${requestId}`)
      delete u.state.requests[requestId]
      return this.join(u, requestId, request.from, request.uri)
    })
  }

  /**
   * Rejects a request: it is forgotten and nothing is sent (the opener's invitation expires unused).
   * @throws {NotFoundError} when there is no such request
   * @throws {LockedError}
   */
  async reject(requestId: string): Promise<void> {
    const u = this.need()
    return this.serial(async () => {
      if (u.state.requests[requestId] === undefined) throw new NotFoundError(`no request ${requestId}`)
      delete u.state.requests[requestId]
      await this.persist(u)
    })
  }

  /** Every conversation, open or not, and those closed since the account was unlocked. @throws {LockedError} */
  conversations(): ConversationInfo[] {
    const u = this.need()
    return [...Object.keys(u.state.conversations).map((id) => describeConversation(u, id)), ...u.closed.values()]
  }

  /**
   * Sends `text` (UTF-8, at most 4051 bytes); resolves to its message number once posted. A
   * `receipt` event with that number follows when the friend's node acknowledges it.
   * @throws {NotFoundError} when there is no such conversation
   * @throws {NotOpenError} when the friend has not accepted yet, or the conversation is closing
   * @throws {RangeError} when the text is too long
   * @throws {LockedError}
   */
  async send(conversation: string, text: string, options: MessengerCallOptions = {}): Promise<number> {
    const u = this.need()
    if (typeof text !== 'string') throw new TypeError('text must be a string')
    const bytes = new TextEncoder().encode(text)
    if (bytes.length > MAX_MESSAGE_BYTES_V2) throw new RangeError(`text must be at most ${MAX_MESSAGE_BYTES_V2} bytes of UTF-8, got ${bytes.length}`)
    const c = this.conversation(u, conversation)
    if (c.state !== 'open' && c.state !== 'pending') throw new NotOpenError(`conversation ${conversation} is ${c.state}`)
    const seq = await c.send(bytes, options)
    this.remember(u, conversation, { direction: 'out', seq, text, atMs: this.now(), state: 'sent' })
    return seq
  }

  /**
   * The conversation's messages since the account was unlocked, oldest first, ours with their
   * delivery state: what an app shows after a reload. At most 1000; kept in memory only (the
   * node stores no message), and dropped when the conversation closes or the account locks.
   * @throws {NotFoundError} when there is no such conversation
   * @throws {LockedError}
   */
  messages(conversation: string): MessageEntry[] {
    const u = this.need()
    if (u.state.conversations[conversation] === undefined) throw new NotFoundError(`no conversation ${conversation}`)
    return u.history.list(conversation)
  }

  /**
   * Closes a conversation (§11.4): waits for what is in flight, sends an authenticated close,
   * then every key is wiped and its state files are deleted. Closing one that is still
   * `inviting` forgets it (a late join is closed at once).
   * @throws {NotFoundError} when there is no such conversation
   * @throws {LockedError}
   */
  async close(conversation: string, options: MessengerCallOptions = {}): Promise<void> {
    const u = this.need()
    const live = u.live.get(conversation)
    if (live !== undefined) {
      // Resolve once the `close` event went out (the session emits it after its last commit).
      const forwarded = new Promise<void>((resolve) => {
        const stop = this.onEvent((e) => {
          if (e.type === 'close' && e.conversation === conversation) {
            stop()
            resolve()
          }
        })
      })
      await live.close(options)
      await forwarded
      return
    }
    const record = u.state.conversations[conversation]
    if (record === undefined) throw new NotFoundError(`no conversation ${conversation}`)
    this.forget(u, conversation, 'local')
    await this.persist(u)
  }

  // ---- events

  /**
   * Calls `listener` with every event until the returned function is called.
   * @example
   * ```ts
   * const stop = messenger.onEvent((event) => console.log(event.type))
   * ```
   */
  onEvent(listener: (event: MessengerEvent) => void): () => void {
    return this.stream.on(listener)
  }

  /** Every event from now on, until `options.signal` aborts (then the iteration ends). */
  events(options: MessengerCallOptions = {}): AsyncGenerator<MessengerEvent> {
    return this.stream.iterate(options.signal)
  }

  /**
   * Fetches what was posted while this node was away (§10.4, §21.3): requests on the request
   * topic since the last catch-up, then every invitation and conversation. Unlocking starts it
   * by itself when the transport has `requestHistory`. Resolves with the envelopes fetched.
   * @throws {TypeError} when the transport has no `requestHistory`
   * @throws {LockedError}
   */
  async catchUp(options: MessengerCallOptions = {}): Promise<number> {
    const u = this.need()
    const request = this.transport.requestHistory
    if (typeof request !== 'function') throw new TypeError('the transport has no requestHistory: no mail server is configured')
    const nowMs = this.now()
    const lifetimeMs = (this.init.inviteLifetimeSeconds ?? u.peer.settings.inviteLifetimeSeconds) * 1000
    const fromMs = Math.max(nowMs - lifetimeMs, u.state.caughtUpMs - u.peer.settings.ttlSeconds * 1000) - CATCH_UP_SKEW_MS
    let fetched = await request.call(
      this.transport,
      { topics: [REQUEST_TOPIC], from: Math.max(0, Math.floor(fromMs / 1000)), to: Math.ceil((nowMs + CATCH_UP_SKEW_MS) / 1000) },
      options
    )
    // Let the fetched requests be handled (and accepted joins posted) before the sessions catch up.
    await new Promise((resolve) => setTimeout(resolve, 0))
    if (this.unlocked !== u) return fetched
    fetched += await u.peer.catchUp(options)
    u.state.caughtUpMs = nowMs
    await this.persist(u)
    return fetched
  }

  // ---- internals

  /** Posts the request carrying `uri` to `to` on the request topic. */
  private async postRequest(u: Unlocked, to: Uint8Array, uri: string, options: MessengerCallOptions): Promise<void> {
    const data = sealRequest({ to, invite: uri, signingKey: u.account.data.privateKey })
    const settings = u.peer.settings
    await this.transport.postEnvelope(
      { topic: REQUEST_TOPIC, data, ttlSeconds: settings.ttlSeconds },
      { powTarget: settings.powTarget, ...(settings.powTimeMs !== undefined && { powTimeMs: settings.powTimeMs }), ...(options.signal !== undefined && { signal: options.signal }) }
    )
  }

  private need(): Unlocked {
    if (this.unlocked === undefined) throw new LockedError()
    return this.unlocked
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task)
    this.queue = run.catch(() => {})
    return run
  }

  private async accountExists(): Promise<boolean> {
    try {
      await access(this.accountPath)
      return true
    } catch {
      return false
    }
  }

  private emit(event: MessengerEvent): void {
    this.stream.emit(event)
  }

  private async saveAccount(u: Unlocked, data: AccountData): Promise<void> {
    await saveAccount(this.accountPath, data, u.password, this.init.kdf ?? {})
    u.account.data = data
  }

  private persist(u: Unlocked): Promise<void> {
    // Locked meanwhile (a late event): nothing to write, and the key is gone.
    if (this.unlocked !== u) return Promise.resolve()
    const key = u.account.data.stateKey.slice()
    const write = this.writes.then(() => saveState(this.statePath, key, u.state)).finally(() => key.fill(0))
    this.writes = write.catch(() => {})
    return write
  }

  private async openAccount(password: string): Promise<void> {
    if (!(await this.accountExists())) throw new NoAccountError()
    let data: AccountData
    try {
      data = await loadAccount(this.accountPath, password)
    } catch (err) {
      if ((err as Error).name === 'AccountDecryptionError') throw new WrongPasswordError(undefined, { cause: err })
      throw err
    }
    const state = await loadState(this.statePath, data.stateKey)
    const nowMs = this.now()
    // Requests and seen ids whose invitation expired are of no use any more.
    for (const [id, r] of Object.entries(state.requests)) if (r.expiresAtMs <= nowMs) delete state.requests[id]
    for (const [id, until] of Object.entries(state.seen)) if (until <= nowMs) delete state.seen[id]
    await mkdir(join(this.dir, SESSIONS_DIR), { recursive: true, mode: 0o700 })
    const store = new FileStateStore(join(this.dir, SESSIONS_DIR), data.stateKey)
    const peer = createSessionPeerV2({ ...this.init.session, identity: data.sessionIdentity }, { transport: this.transport, store, now: this.now })
    const u: Unlocked = {
      account: { data },
      password,
      publicKey: getPublicKey(data.privateKey),
      peer,
      state,
      live: new Map(),
      closed: new Map(),
      history: new MessageHistory(),
      subscription: new AbortController(),
    }
    peer.addEventListener('session', ({ detail }) => this.onSession(u, detail))
    peer.addEventListener('invitation:expired', ({ detail }) => this.onExpired(u, detail.uri))
    try {
      await peer.restore()
    } catch (err) {
      peer.stop()
      throw err
    }
    for (const c of peer.conversations) {
      const id = conversationId(c.role === 'inviter' ? c.ownStaticKey : c.peerStaticKey)
      if (state.conversations[id] !== undefined) this.wire(u, id, c)
    }
    this.unlocked = u
    void this.listen(u)
    if (typeof this.transport.requestHistory === 'function') this.catchUp({ signal: u.subscription.signal }).catch(() => {})
  }

  /** Reads the request topic until the account locks. */
  private async listen(u: Unlocked): Promise<void> {
    try {
      for await (const envelope of this.transport.subscribeEnvelopes([REQUEST_TOPIC], { signal: u.subscription.signal, includePooled: true })) {
        if (this.unlocked !== u) break
        await this.onRequest(u, envelope.data)
      }
    } catch {
      // The transport ended the subscription (the node stopped, or the account locked).
    }
  }

  private onRequest(u: Unlocked, data: Uint8Array): Promise<void> {
    const opened = openRequest(data, { privateKey: u.account.data.privateKey, publicKey: u.publicKey }, this.now())
    if (opened === undefined) return Promise.resolve()
    const from = keyToHex(opened.from)
    if (from === keyToHex(u.publicKey)) return Promise.resolve()
    const id = conversationId(opened.invitation.staticKey)
    return this.serial(async () => {
      if (this.unlocked !== u) return
      if (u.state.seen[id] !== undefined || u.state.requests[id] !== undefined || u.state.conversations[id] !== undefined) return
      const expiresAtMs = opened.invitation.expirySeconds * 1000
      u.state.seen[id] = expiresAtMs
      const isFriend = u.account.data.contacts.some((c) => keyToHex(c.publicKey) === from)
      if (isFriend && this.init.autoAcceptFriends !== false) {
        await this.join(u, id, from, opened.invite)
        return
      }
      u.state.requests[id] = { from, uri: opened.invite, receivedAtMs: this.now(), expiresAtMs }
      await this.persist(u)
      this.emit({ type: 'request', request: describeRequest(u, id) })
    })
  }

  /** Joins an invitation for the request `id` from `from`; the record is durable before message 1 leaves. */
  private async join(u: Unlocked, id: string, from: string, uri: string): Promise<ConversationInfo> {
    u.state.conversations[id] = { friend: from, role: 'accepter', createdAtMs: this.now() }
    await this.persist(u)
    let c: Conversation
    try {
      c = u.peer.join(uri)
    } catch (err) {
      delete u.state.conversations[id]
      await this.persist(u)
      if ((err as Error).name === 'InvalidInvitationError') throw new NotFoundError(`the request ${id} cannot be accepted any more: ${(err as Error).message}`, { cause: err })
      throw err
    }
    this.wire(u, id, c)
    return describeConversation(u, id)
  }

  /** A join on one of our invitations authenticated: the friend accepted. */
  private onSession(u: Unlocked, c: Conversation): void {
    const id = conversationId(c.ownStaticKey)
    const record = u.state.conversations[id]
    if (record === undefined || record.role !== 'opener') {
      // An invitation we no longer want (closed while inviting): end it at once.
      c.close().catch(() => {})
      return
    }
    delete record.uri
    this.persist(u).catch(() => {})
    this.wire(u, id, c)
    this.emit({ type: 'open', conversation: describeConversation(u, id) })
  }

  private onExpired(u: Unlocked, uri: string): void {
    const id = Object.keys(u.state.conversations).find((k) => u.state.conversations[k].uri === uri)
    if (id === undefined) return
    this.forget(u, id, 'expired')
    this.persist(u).catch(() => {})
  }

  /** Drops a conversation's record and reports it closed. */
  private forget(u: Unlocked, id: string, reason: MessengerCloseReason): void {
    const info = describeConversation(u, id)
    delete u.state.conversations[id]
    u.live.delete(id)
    u.history.drop(id)
    u.closed.set(id, { ...info, state: 'closed' })
    this.emit({ type: 'close', conversation: id, reason })
  }

  /** Forwards a conversation's events, tagged with its id. */
  private wire(u: Unlocked, id: string, c: Conversation): void {
    u.live.set(id, c)
    c.addEventListener('open', () => this.emit({ type: 'open', conversation: describeConversation(u, id) }))
    c.addEventListener('message', ({ detail }) => {
      const text = new TextDecoder().decode(detail.payload)
      this.remember(u, id, { direction: 'in', seq: detail.seq, text, atMs: this.now() })
      this.emit({ type: 'message', conversation: id, seq: detail.seq, text })
    })
    c.addEventListener('receipt', ({ detail }) => {
      u.history.mark(id, detail.seq, 'delivered')
      this.emit({ type: 'receipt', conversation: id, seq: detail.seq })
    })
    c.addEventListener('gap', ({ detail }) => this.emit({ type: 'gap', conversation: id, from: detail.from, to: detail.to }))
    c.addEventListener('undelivered', ({ detail }) => {
      u.history.mark(id, detail.seq, 'undelivered')
      this.emit({ type: 'undelivered', conversation: id, seq: detail.seq })
    })
    c.addEventListener(
      'close',
      ({ detail }) => {
        // `stopped` is the account locking: the conversation stays on disk and comes back.
        if (detail.reason === 'stopped' || this.unlocked !== u) return
        this.forget(u, id, detail.reason)
        this.persist(u).catch(() => {})
      },
      { once: true }
    )
  }

  /** Keeps a message of a conversation this unlock still holds. */
  private remember(u: Unlocked, id: string, entry: MessageEntry): void {
    if (this.unlocked === u && u.state.conversations[id] !== undefined) u.history.remember(id, entry)
  }

  private conversation(u: Unlocked, id: string): Conversation {
    const c = u.live.get(id)
    if (c !== undefined) return c
    const record = u.state.conversations[id]
    if (record === undefined) throw new NotFoundError(`no conversation ${id}`)
    throw new NotOpenError(`conversation ${id}: the friend has not accepted the request yet`)
  }

}

/**
 * Creates the messenger over a directory and a transport. Nothing is read until
 * {@link Messenger.createAccount} or {@link Messenger.unlock}.
 * @throws {TypeError} when `init.dir` or `components.transport` is missing
 * @example
 * ```ts
 * const messenger = createMessenger({ dir: '/var/lib/hush/messenger' }, { transport: node.services.shh })
 * await messenger.createAccount('correct horse battery staple')
 * await messenger.addFriend('bob', bobPublicKey)
 * const { id } = await messenger.open(bobPublicKey)
 * ```
 */
export function createMessenger(init: MessengerInit, components: MessengerComponents): Messenger {
  return new Messenger(init, components)
}
