/**
 * `hush chat <friend>`: a terminal chat over a forward-secure session. It runs its own node
 * (connected to the given bootstrap peers), opens the account, and either opens a session to the
 * friend or, with `--wait`, waits for the friend to open one. Lines typed are sent; received lines,
 * receipts and gaps are printed. End of input closes the session.
 */
import { createInterface } from 'node:readline'
import { createHushNode } from '@hush/node'
import { type Session, createSessionPeer } from '@hush/session'
import { CliError } from '../errors.ts'
import { type AccountTarget, openAccount } from './account.ts'

/** Settings of `hush chat`. */
export interface ChatOptions {
  account: AccountTarget
  friend: string
  wait: boolean
  listen?: string[]
  bootstrap?: string[]
  minPow?: number
  input?: NodeJS.ReadableStream
  print?: (line: string) => void
}

/** Runs the chat until the input ends or the session closes. */
export async function runChat(options: ChatOptions): Promise<void> {
  const print = options.print ?? ((line: string) => console.log(line))
  const account = await openAccount(options.account)
  const friend = account.contacts.find((c) => c.name === options.friend)
  if (friend === undefined) throw new CliError(`no friend named ${options.friend}: add one with \`hush account add-friend\``)
  const node = await createHushNode({
    listen: options.listen ?? ['/ip4/127.0.0.1/tcp/0'],
    ...(options.bootstrap !== undefined && { bootstrap: options.bootstrap }),
    whisper: { ...(options.minPow !== undefined && { minPow: options.minPow }) },
  })
  const pow = options.minPow ?? 0.2
  const peer = createSessionPeer(
    { privateKey: account.privateKey, contacts: account.contacts.map((c) => c.publicKey), powTarget: pow },
    { transport: node.services.shh }
  )
  peer.start()
  try {
    for (const addr of node.getMultiaddrs()) print(`listening: ${addr.toString()}`)
    const deadline = Date.now() + 15_000
    while (options.bootstrap !== undefined && node.services.shh.getPeers().length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20))
    }
    let session: Session
    if (options.wait) {
      print(`waiting for ${options.friend} …`)
      session = await new Promise<Session>((resolve) =>
        peer.addEventListener('session', ({ detail }) => {
          if (Buffer.from(detail.peerPublicKey).equals(friend.publicKey)) resolve(detail)
        })
      )
    } else {
      print(`connecting to ${options.friend} …`)
      session = await peer.connect(friend.publicKey, { signal: AbortSignal.timeout(60_000) })
    }
    print(`session with ${options.friend} is open (type, Enter to send; Ctrl-D to close)`)
    const closed = new Promise<void>((resolve) => session.addEventListener('close', () => resolve(), { once: true }))
    session.addEventListener('message', ({ detail }) => print(`${options.friend}> ${new TextDecoder().decode(detail.payload)}`))
    session.addEventListener('receipt', ({ detail }) => print(`✓ #${detail.number}`))
    session.addEventListener('gap', ({ detail }) => print(`! messages ${detail.from}–${detail.to} from ${options.friend} were lost`))
    session.addEventListener('undelivered', ({ detail }) => print(`! #${detail.number} was not delivered`))
    const input = options.input ?? process.stdin
    const lines = createInterface({ input, terminal: false })
    const sending: Promise<unknown>[] = []
    const inputEnded = (async () => {
      for await (const line of lines) if (line.length > 0 && session.state === 'open') sending.push(session.send(new TextEncoder().encode(line)))
    })()
    const ended = await Promise.race([inputEnded.then(() => 'input' as const), closed.then(() => 'remote' as const)])
    await Promise.allSettled(sending)
    if (session.state === 'open') await session.close({ signal: AbortSignal.timeout(30_000) })
    // The friend closed: stay up a moment so our acknowledgement of the close gets out.
    if (ended === 'remote') await new Promise((r) => setTimeout(r, 2_000))
    // Stop reading, or an open terminal would keep the process alive.
    lines.close()
    if (input === process.stdin) process.stdin.destroy()
    print('session closed')
  } finally {
    peer.stop()
    await node.stop()
  }
}
