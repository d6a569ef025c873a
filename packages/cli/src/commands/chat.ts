/**
 * `hush chat --invite` / `hush chat --join <uri>`: a terminal chat over a session v2 conversation
 * (docs/SESSION.md). It runs its own node (connected to the given bootstrap peers). The inviter
 * prints a one-time `hush:invite?d=…` URI to hand to one person out of band and waits for the
 * join; the joiner joins it and may type at once (early data). On open both print the safety
 * number to compare out of band. Lines typed are sent; received lines, receipts, gaps and
 * undelivered messages are printed. End of input closes the conversation.
 *
 * Nothing is taken silently: an invitation opens one conversation (docs/SESSION.md §5.4), and a
 * second join of it (the joiner restarting, or anyone else who holds it) is refused by the engine,
 * unanswered, and said on both sides: the inviter prints that it came and was refused, the
 * joiner whom no one answers is told after {@link NO_ANSWER_HINT_MS} why that may be.
 */
import { createInterface } from 'node:readline'
import { createHushNode } from '@hush/node'
import { type Conversation, type IdentityChoice, MAX_MESSAGE_BYTES_V2, type SessionPeerV2, createSessionPeerV2, formatSafetyNumber, safetyNumber } from '@hush/session'
import { CliError, EXIT } from '../errors.ts'
import { CHAT_LISTEN, listeningLines } from '../listen-addresses.ts'
import { formatPeerLine } from '../message-line.ts'
import { waitForPeers } from '../wait-for-peers.ts'
import { type AccountTarget, openAccount } from './account.ts'
import { nodeStartError } from './start.ts'

/** How long Ctrl-D waits for the other side to acknowledge the close. */
const CLOSE_TIMEOUT_MS = 30_000

/** How long a join waits for the inviter's answer before the joiner is told why it may not come. */
const NO_ANSWER_HINT_MS = 20_000

/** Settings of `hush chat`: exactly one of `invite` and `join`. */
export interface ChatOptions {
  /** Create an invitation and wait for the join. */
  invite?: boolean
  /** The invitation to join (`hush:invite?d=…` or its 104 characters). */
  join?: string
  /** Which static key to use: a fresh one (default) or the account's session identity. */
  identity?: IdentityChoice
  /** The account file, needed for `identity: 'account'`. */
  account?: AccountTarget
  listen?: string[]
  bootstrap?: string[]
  minPow?: number
  input?: NodeJS.ReadableStream
  print?: (line: string) => void
}

/**
 * Runs the chat until the input ends or the conversation closes.
 * @throws {CliError} for a bad combination of options, an invalid invitation, or one that expired unused
 */
export async function runChat(options: ChatOptions): Promise<void> {
  const print = options.print ?? ((line: string) => console.log(line))
  if ((options.invite === true) === (options.join !== undefined)) throw new CliError('give exactly one of --invite and --join <uri>')
  const identity = options.identity ?? 'per-contact'
  let sessionIdentity: Uint8Array | undefined
  if (identity === 'account') {
    if (options.account === undefined) throw new CliError('--identity account needs the account (--account and its password)')
    sessionIdentity = (await openAccount(options.account)).sessionIdentity
  }
  let node: Awaited<ReturnType<typeof createHushNode>>
  try {
    node = await createHushNode({
      listen: options.listen ?? [CHAT_LISTEN],
      ...(options.bootstrap !== undefined && { bootstrap: options.bootstrap }),
      whisper: { ...(options.minPow !== undefined && { minPow: options.minPow }) },
    })
  } catch (err) {
    throw nodeStartError(err, options.listen ?? [])
  }
  const peer = createSessionPeerV2(
    { powTarget: options.minPow ?? 0.2, ...(sessionIdentity !== undefined && { identity: sessionIdentity }) },
    { transport: node.services.shh }
  )
  sessionIdentity?.fill(0)
  // A second join of our (consumed) invitation: refused and unanswered by the engine; say so.
  peer.addEventListener('invitation:reused', ({ detail }) => {
    print('! someone joined this invitation again (the other person restarting their chat, or anyone else holding it): refused and not answered (an invitation is for one join)')
    if (detail.conversation.state !== 'closed') {
      print('! you are still talking to whoever joined first (the safety number above); if they restarted, this conversation is over for them: Ctrl-D, then send a new invitation')
    }
  })
  const input = options.input ?? process.stdin
  const lines = createInterface({ input, terminal: false })
  // Lines typed from now on are held until there is a conversation (readline drops unheard lines).
  const typed = new LineSender(print)
  lines.on('line', (line) => typed.push(line))
  const inputEnded = new Promise<'input'>((resolve) => lines.once('close', () => resolve('input')))
  let conversation: Conversation | undefined
  try {
    print('chat runs a node of its own (not a `hush start` node); the other person passes one of these to --bootstrap:')
    for (const line of listeningLines(node.getMultiaddrs())) print(line)
    if (options.bootstrap !== undefined && !(await waitForPeers(node.services.shh, 1, 15_000))) {
      print('! no peer reached in 15 s: is --bootstrap a `listening:` address the other side printed, and is it running? (going on; it keeps trying)')
    }
    let closed!: Promise<'remote'>
    let closeReason: string | undefined
    // Listeners go on in the same turn the conversation appears: early data may arrive with it.
    const wire = (conversation: Conversation): void => {
      closed = new Promise<'remote'>((resolve) =>
        conversation.addEventListener('close', ({ detail }) => {
          closeReason = detail.reason
          print(`session closed (${detail.reason})`)
          resolve('remote')
          // Stop reading: what is typed from now on stays in the terminal for the shell, not lost.
          lines.close()
        }, { once: true })
      )
      conversation.addEventListener('message', ({ detail }) => print(formatPeerLine(detail.payload)))
      conversation.addEventListener('receipt', ({ detail }) => print(`✓ #${detail.seq}`))
      conversation.addEventListener('gap', ({ detail }) => print(`! messages ${detail.from}–${detail.to} from the peer were lost`))
      conversation.addEventListener('undelivered', ({ detail }) => print(`! #${detail.seq} was not delivered`))
      if (conversation.state === 'open') announceOpen(conversation, identity, print)
      else conversation.addEventListener('open', () => announceOpen(conversation, identity, print), { once: true })
    }
    conversation = options.invite === true ? await awaitJoin(peer, identity, print, inputEnded, wire) : joinInvitation(peer, options.join as string, identity, print, wire)
    if (conversation === undefined) {
      print('no one joined; the invitation is withdrawn')
      return
    }
    typed.start(conversation)
    await Promise.race([inputEnded, closed])
    await typed.settled()
    if (conversation.state === 'open' || conversation.state === 'pending') {
      try {
        await conversation.close({ signal: AbortSignal.timeout(CLOSE_TIMEOUT_MS) })
      } catch (err) {
        if ((err as Error).name !== 'TimeoutError') throw err
        throw new CliError(`closed without the other person's acknowledgement (no answer in ${CLOSE_TIMEOUT_MS / 1000} s: they may have left)`, { cause: err, exitCode: EXIT.failure })
      }
    } else if (closeReason === 'handshake-timeout') {
      throw new CliError('no answer to the join: the inviter never replied before the invitation expired (is their `hush chat --invite` still running, and is --bootstrap their node?)', { exitCode: EXIT.failure })
    }
    // The peer closed: stay up a moment so our acknowledgement of the close gets out.
    else if (closeReason !== undefined) await new Promise((r) => setTimeout(r, 2_000))
  } finally {
    // Stop reading, or an open terminal would keep the process alive.
    lines.close()
    if (input === process.stdin) process.stdin.destroy()
    // Also ends the linger of a remote close, whose timer `peer.stop()` does not reach.
    conversation?.stop()
    peer.stop()
    await node.stop()
  }
}

/** Makes the invitation, prints it, and waits for the join; `undefined` when the input ends first. */
async function awaitJoin(
  peer: SessionPeerV2,
  identity: IdentityChoice,
  print: (line: string) => void,
  inputEnded: Promise<'input'>,
  wire: (conversation: Conversation) => void
): Promise<Conversation | undefined> {
  const joined = new Promise<Conversation>((resolve) =>
    peer.addEventListener('session', ({ detail }) => {
      wire(detail)
      resolve(detail)
    }, { once: true })
  )
  const expired = new Promise<never>((_, reject) =>
    peer.addEventListener('invitation:expired', () => reject(new CliError('the invitation expired before anyone joined', { exitCode: EXIT.failure })), { once: true })
  )
  const invitation = peer.createInvitation({ identity })
  print(`invitation (for one person, valid until ${new Date(invitation.expiresAtMs).toISOString()}; send it out of band):`)
  print(invitation.uri)
  print('waiting for the join … (Ctrl-D withdraws it)')
  const first = await Promise.race([joined, expired, inputEnded])
  return first === 'input' ? undefined : first
}

/** Joins the invitation: the conversation is pending, and lines typed now go out as early data. */
function joinInvitation(peer: SessionPeerV2, uri: string, identity: IdentityChoice, print: (line: string) => void, wire: (conversation: Conversation) => void): Conversation {
  let conversation: Conversation
  try {
    conversation = peer.join(uri.trim(), { identity })
  } catch (err) {
    if ((err as Error).name === 'InvalidInvitationError') throw new CliError(`not a valid invitation: ${(err as Error).message}`, { cause: err })
    throw err
  }
  print('joining … (you may type now: lines go out as early data)')
  wire(conversation)
  const hint = setTimeout(() => {
    print(
      `! no answer in ${NO_ANSWER_HINT_MS / 1000} s (still trying): is the inviter's chat running, and --bootstrap one of its \`listening:\` addresses? An invitation is for one join: if it was joined before (also by you, in an earlier run), it is refused: ask for a new one`
    )
  }, NO_ANSWER_HINT_MS)
  const answered = (): void => clearTimeout(hint)
  conversation.addEventListener('open', answered, { once: true })
  conversation.addEventListener('close', answered, { once: true })
  return conversation
}

/** The open line and the safety number, to compare with the other person out of band (§13). */
function announceOpen(conversation: Conversation, identity: IdentityChoice, print: (line: string) => void): void {
  print('session is open (type, Enter to send; Ctrl-D to close)')
  print('safety number (compare it with the other person over another channel):')
  for (const row of formatSafetyNumber(safetyNumber(conversation.ownStaticKey, conversation.peerStaticKey)).split('\n')) print(`  ${row}`)
  if (identity === 'per-contact') print('  (a fresh key for this conversation: the number is new each time; --identity account on both sides keeps one)')
}

/** Typed lines: held until there is a conversation, then sent in order. */
class LineSender {
  private conversation: Conversation | undefined
  private readonly held: string[] = []
  private readonly sending: Promise<unknown>[] = []
  private readonly print: (line: string) => void

  constructor(print: (line: string) => void) {
    this.print = print
  }

  push(line: string): void {
    if (line.length === 0) return
    if (this.conversation === undefined) this.held.push(line)
    else this.send(line)
  }

  start(conversation: Conversation): void {
    this.conversation = conversation
    for (const line of this.held.splice(0)) this.send(line)
  }

  settled(): Promise<unknown> {
    return Promise.allSettled(this.sending)
  }

  private send(line: string): void {
    const c = this.conversation as Conversation
    const bytes = new TextEncoder().encode(line)
    if (bytes.length > MAX_MESSAGE_BYTES_V2) this.print(`! not sent: the line is ${bytes.length} bytes, at most ${MAX_MESSAGE_BYTES_V2} fit`)
    else if (c.state !== 'pending' && c.state !== 'open') this.print('! not sent: the session is closing')
    else this.sending.push(c.send(bytes).catch((err: Error) => this.print(`! not sent: ${err.message}`)))
  }
}
