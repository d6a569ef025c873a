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
