/**
 * A forward-secure chat between Alice and Bob over two Hush nodes on 127.0.0.1, on session v2
 * (docs/SESSION.md): Bob's account saved encrypted at rest, a one-time invitation from Bob, Alice's
 * join with early data, messages both ways with receipts, the safety number on both sides, a close.
 *
 * Run: npx tsx examples/chat.ts
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHushNode } from '@hush/node'
import { type Conversation, createAccountData, createSessionPeerV2, formatSafetyNumber, loadAccount, safetyNumber, saveAccount } from '@hush/session'

const dir = await mkdtemp(join(tmpdir(), 'hush-chat-'))
// Low PoW keeps the example quick; real deployments keep the default 0.2.
const nodeA = await createHushNode({ listen: ['/ip4/127.0.0.1/tcp/0'], whisper: { minPow: 0.001 } })
const nodeB = await createHushNode({ listen: ['/ip4/127.0.0.1/tcp/0'], whisper: { minPow: 0.001 } })

try {
  await nodeB.dial(nodeA.getMultiaddrs()[0])
  while (nodeA.services.shh.getPeers().length === 0) await new Promise((r) => setTimeout(r, 10))

  // Bob's account: encrypted under a password and written atomically. Its `sessionIdentity` (an
  // X25519 key) gives Bob one safety number for every contact; without it each invitation gets a
  // fresh key (the default, `identity: 'per-contact'`).
  const bobPath = join(dir, 'bob.account')
  await saveAccount(bobPath, createAccountData(), 'bob password')
  const bob = await loadAccount(bobPath, 'bob password')

  const settings = { powTarget: 0.001, ackDelayMs: 50, resendIntervalMs: 1_000 }
  const bobPeer = createSessionPeerV2({ identity: bob.sessionIdentity, ...settings }, { transport: nodeB.services.shh })
  const alicePeer = createSessionPeerV2(settings, { transport: nodeA.services.shh })

  const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes)
  const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)
  const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')

  // Bob invites; the URI reaches Alice out of band (a link, a QR code, a pasted string).
  const invitation = bobPeer.createInvitation({ identity: 'account', lifetimeSeconds: 600 })
  console.log(`bob's invitation: ${invitation.uri}`)

  // Bob's listeners go on in the same turn the conversation appears: Alice's early data may come with it.
  let bobGotBye!: () => void
  const bobDone = new Promise<void>((resolve) => (bobGotBye = resolve))
  const atBob = new Promise<Conversation>((resolve) =>
    bobPeer.addEventListener('session', ({ detail: toAlice }) => {
      toAlice.addEventListener('message', ({ detail }) => {
        console.log(`bob   < ${text(detail.payload)}`)
        if (text(detail.payload) === 'bye') bobGotBye()
        else void toAlice.send(utf8(`got "${text(detail.payload)}"`))
      })
      resolve(toAlice)
    }, { once: true })
  )

  // Alice joins: the conversation is pending at once, and her first line goes out as early data.
  const toBob = alicePeer.join(invitation.uri)
  const opened = new Promise((resolve) => toBob.addEventListener('open', resolve, { once: true }))
  toBob.addEventListener('message', ({ detail }) => console.log(`alice < ${text(detail.payload)}`))
  let receipts = 0
  toBob.addEventListener('receipt', () => receipts++)
  await toBob.send(utf8('hi Bob'))
  await opened
  const toAlice = await atBob
  // Named by the first bytes of Bob's static key for this conversation.
  console.log(`session ${hex(toAlice.ownStaticKey).slice(0, 8)} established`)

  // Each side computes the safety number from the two static keys; they compare it out of band.
  const atAlice = formatSafetyNumber(safetyNumber(toBob.ownStaticKey, toBob.peerStaticKey))
  const atBobSide = formatSafetyNumber(safetyNumber(toAlice.ownStaticKey, toAlice.peerStaticKey))
  console.log(`alice's safety number: ${atAlice.replaceAll('\n', ' ')}`)
  console.log(`bob's safety number:   ${atBobSide.replaceAll('\n', ' ')}`)
  console.log(`safety numbers equal: ${atAlice === atBobSide}`)

  for (const line of ['this session is forward-secure', 'bye']) await toBob.send(utf8(line))
  await bobDone
  await toBob.close({ signal: AbortSignal.timeout(15_000) })
  console.log(`closed: ${receipts} receipts, bob's side ${toAlice.state}`)
  alicePeer.stop()
  bobPeer.stop()
  // Bob's side closed remotely and lingers to answer a resent close; end that too.
  toAlice.stop()
} finally {
  await Promise.all([nodeA.stop(), nodeB.stop()])
  await rm(dir, { recursive: true, force: true })
}
