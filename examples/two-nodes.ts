/**
 * Two Hush nodes on 127.0.0.1 exchange an encrypted message.
 *
 * Run: npx tsx examples/two-nodes.ts
 */
import { topicFromString } from '@hush/envelope'
import { createHushNode } from '@hush/node'

const alice = await createHushNode({ listen: ['/ip4/127.0.0.1/tcp/0'] })
const bob = await createHushNode({ listen: ['/ip4/127.0.0.1/tcp/0'] })

try {
  // Bob connects to Alice; the Whisper protocol starts once both have exchanged their status.
  await bob.dial(alice.getMultiaddrs()[0])

  // They share a symmetric key (out of band in real life) and agree on a topic.
  const topic = topicFromString('example/two-nodes')
  const aliceKey = alice.services.shh.newSymKey()
  const bobKey = bob.services.shh.addSymKey(alice.services.shh.getSymKey(aliceKey))
  const signer = alice.services.shh.newKeyPair()

  const signal = AbortSignal.timeout(15_000)
  const received = (async () => {
    for await (const message of bob.services.shh.subscribe({ symKeyID: bobKey, topics: [topic] }, { signal })) {
      return message
    }
    throw new Error('no message arrived')
  })()

  // Wait until the peers see each other, then post: the node seals the envelope with PoW and floods it.
  while (alice.services.shh.getPeers().length === 0) await new Promise((r) => setTimeout(r, 10))
  const hash = await alice.services.shh.post({
    symKeyID: aliceKey,
    topic,
    sig: signer,
    ttl: 30,
    payload: new TextEncoder().encode('Hello, Bob!'),
  })

  const message = await received
  const fromAlice = Buffer.from(message.senderPublicKey ?? []).equals(alice.services.shh.getPublicKey(signer))
  console.log(`posted   ${Buffer.from(hash).toString('hex')}`)
  console.log(`received "${new TextDecoder().decode(message.payload)}" (PoW ${message.pow.toFixed(3)}, signed by Alice: ${fromAlice})`)
} finally {
  await Promise.all([alice.stop(), bob.stop()])
}
