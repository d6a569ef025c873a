import type { Conversation } from '@hush/session'
import { expect, it } from 'vitest'

// The usage example of README.md: the code between the markers, with its imports made dynamic.
it('README example runs', async () => {
  const received: string[] = []
  // --- README example start
  const { generateKeyPair } = await import('@hush/envelope')
  const { createMemoryTransport, createSessionPeer } = await import('@hush/session')

  // One shared in-memory bus; with a real node pass `node.services.shh` instead.
  const transport = createMemoryTransport()
  const aliceKeys = generateKeyPair()
  const bobKeys = generateKeyPair()
  const alice = createSessionPeer({ privateKey: aliceKeys.privateKey }, { transport })
  const bob = createSessionPeer({ privateKey: bobKeys.privateKey, contacts: [aliceKeys.publicKey] }, { transport })

  bob.addEventListener('session', ({ detail: session }) => {
    session.addEventListener('message', ({ detail }) => received.push(new TextDecoder().decode(detail.payload)))
  })
  alice.start()
  bob.start()

  const session = await alice.connect(bobKeys.publicKey) // resolves once Bob's reply arrives
  session.addEventListener('receipt', ({ detail }) => console.log('Bob has message', detail.number))
  await session.send(new TextEncoder().encode('hello, Bob'))
  await session.close() // waits for the ack, then sends an authenticated close
  alice.stop()
  bob.stop()
  // --- README example end
  expect(received).toEqual(['hello, Bob'])
})

// The "Session v2" example of README.md, the same way (its `Conversation` type import is at the top).
it('README session v2 example runs', async () => {
  const received: string[] = []
  const receipts: number[] = []
  // --- README v2 example start
  const { createMemoryTransport, createSessionPeerV2, formatSafetyNumber, safetyNumber } = await import('@hush/session')

  const transport = createMemoryTransport() // with a real node: `node.services.shh`
  const alice = createSessionPeerV2({}, { transport })
  const bob = createSessionPeerV2({}, { transport })

  // Bob invites; the URI goes to Alice out of band (a link, a QR code, a pasted string).
  const { uri } = bob.createInvitation({ lifetimeSeconds: 3600 })
  // Listen in the same turn the conversation appears: Alice's early data may come with it.
  const atBob = new Promise<Conversation>((resolve) =>
    bob.addEventListener('session', ({ detail: toAlice }) => {
      toAlice.addEventListener('message', ({ detail }) => received.push(new TextDecoder().decode(detail.payload)))
      resolve(toAlice)
    }, { once: true })
  )

  // Alice joins: the conversation is `pending` at once, and may already send (early data).
  const toBob = alice.join(uri)
  toBob.addEventListener('receipt', ({ detail }) => receipts.push(detail.seq))
  const opened = new Promise((resolve) => toBob.addEventListener('open', resolve, { once: true }))
  await toBob.send(new TextEncoder().encode('hello, Bob'))

  const toAlice = await atBob
  await opened

  // Both read out the same 60 digits and compare them out of band.
  const own = formatSafetyNumber(safetyNumber(toBob.ownStaticKey, toBob.peerStaticKey))
  const theirs = formatSafetyNumber(safetyNumber(toAlice.ownStaticKey, toAlice.peerStaticKey))
  console.log(own === theirs, own) // true, "12345 67890 …" in 3 rows of 4 groups

  await toBob.close() // waits for the ack of 'hello, Bob', then sends an authenticated close
  alice.stop()
  bob.stop()
  // --- README v2 example end
  expect(received).toEqual(['hello, Bob'])
  expect(receipts).toEqual([1])
  expect(toAlice.state).toBe('closed')
})
