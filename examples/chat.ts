/**
 * A forward-secure chat between Alice and Bob over two Hush nodes on 127.0.0.1: accounts saved
 * encrypted at rest, a handshake, messages both ways with receipts, and a close.
 *
 * Run: npx tsx examples/chat.ts
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { getPublicKey } from '@hush/envelope'
import { createHushNode } from '@hush/node'
import { type Session, addContact, createAccountData, createSessionPeer, loadAccount, saveAccount } from '@hush/session'

const dir = await mkdtemp(join(tmpdir(), 'hush-chat-'))
// Low PoW keeps the example quick; real deployments keep the default 0.2.
const nodeA = await createHushNode({ listen: ['/ip4/127.0.0.1/tcp/0'], whisper: { minPow: 0.001 } })
const nodeB = await createHushNode({ listen: ['/ip4/127.0.0.1/tcp/0'], whisper: { minPow: 0.001 } })

try {
  await nodeB.dial(nodeA.getMultiaddrs()[0])
  while (nodeA.services.shh.getPeers().length === 0) await new Promise((r) => setTimeout(r, 10))

  // Accounts: an identity and contacts, encrypted under a password and written atomically.
  const alicePath = join(dir, 'alice.account')
  const bobPath = join(dir, 'bob.account')
  const aliceData = createAccountData()
  const bobData = createAccountData()
  const aliceKey = getPublicKey(aliceData.privateKey)
  const bobKey = getPublicKey(bobData.privateKey)
  await saveAccount(alicePath, addContact(aliceData, 'bob', bobKey), 'alice password')
  await saveAccount(bobPath, addContact(bobData, 'alice', aliceKey), 'bob password')
  const alice = await loadAccount(alicePath, 'alice password')
  const bob = await loadAccount(bobPath, 'bob password')

  const settings = { powTarget: 0.001, ackDelayMs: 50, resendIntervalMs: 1_000 }
  const contacts = (a: typeof alice): Uint8Array[] => a.contacts.map((c) => c.publicKey)
  const alicePeer = createSessionPeer({ privateKey: alice.privateKey, contacts: contacts(alice), ...settings }, { transport: nodeA.services.shh })
  const bobPeer = createSessionPeer({ privateKey: bob.privateKey, contacts: contacts(bob), ...settings }, { transport: nodeB.services.shh })
  alicePeer.start()
  bobPeer.start()

  const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes)
  const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)
  const bobSession = new Promise<Session>((resolve) => bobPeer.addEventListener('session', ({ detail }) => resolve(detail), { once: true }))
  const toBob = await alicePeer.connect(bobKey, { signal: AbortSignal.timeout(15_000) })
  const toAlice = await bobSession
  console.log(`session ${Buffer.from(toBob.id).toString('hex').slice(0, 8)} established`)

  const bobGotAll = new Promise<void>((resolve) => {
    toAlice.addEventListener('message', ({ detail }) => {
      console.log(`bob   < ${text(detail.payload)}`)
      if (text(detail.payload) === 'bye') resolve()
      else void toAlice.send(utf8(`got "${text(detail.payload)}"`))
    })
  })
  toBob.addEventListener('message', ({ detail }) => console.log(`alice < ${text(detail.payload)}`))
  let receipts = 0
  toBob.addEventListener('receipt', () => receipts++)

  for (const line of ['hi Bob', 'this session is forward-secure', 'bye']) await toBob.send(utf8(line))
  await bobGotAll
  await toBob.close({ signal: AbortSignal.timeout(15_000) })
  console.log(`closed: ${receipts} receipts, bob's side ${toAlice.state}`)
  alicePeer.stop()
  bobPeer.stop()
} finally {
  await Promise.all([nodeA.stop(), nodeB.stop()])
  await rm(dir, { recursive: true, force: true })
}
