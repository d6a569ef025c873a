/** Real Hush nodes on 127.0.0.1 for the messenger tests, and a mail server between them. */
import { join } from 'node:path'
import { symKeyFromPassword } from '@hush/envelope'
import { type MailServer, createMailServer, historyFetcher, openLevelArchive } from '@hush/mail'
import { type HushNode, createHushNode } from '@hush/node'
import type { SessionTransport } from '@hush/session'
import { cleanup, waitFor } from './fixtures.ts'

/** The mail servers' symmetric key. */
const MAIL_KEY: Uint8Array = symKeyFromPassword('messenger mail password')

export async function startNode(): Promise<HushNode> {
  const n = await createHushNode({
    whisper: { minPow: 0.001, sealWorkers: 0 },
    libp2p: { connectionManager: { inboundConnectionThreshold: 10_000, maxIncomingPendingConnections: 100 } },
  })
  cleanup.push(() => n.stop())
  return n
}

const sees = (x: HushNode, y: HushNode): boolean => x.services.shh.getPeers().some((p) => p.equals(y.peerId))

/** Dials `b` from `a` and waits until both see each other. */
export async function link(a: HushNode, b: HushNode): Promise<void> {
  await a.dial(b.getMultiaddrs()[0], { signal: AbortSignal.timeout(10_000) })
  await waitFor(() => sees(a, b) && sees(b, a), 'the peers to be ready')
}

/** Hangs up and waits until neither sees the other. */
export async function unlink(a: HushNode, b: HushNode): Promise<void> {
  await a.hangUp(b.peerId)
  await waitFor(() => !sees(a, b) && !sees(b, a), 'the link to go down')
}

/** A mail server on `node` with a LevelDB archive in `dir`. */
export async function startMailServer(node: HushNode, dir: string): Promise<MailServer> {
  const archive = await openLevelArchive({ path: join(dir, 'mail') })
  cleanup.push(() => archive.close())
  const mail = createMailServer(node.services.shh, { archive, symKey: MAIL_KEY, flushIntervalMs: 10 })
  mail.start()
  cleanup.push(() => mail.stop())
  return mail
}

/** `node`'s Whisper service as a session transport that catches up from `mailServer`. */
export function withMail(node: HushNode, mailServer: HushNode): SessionTransport {
  const shh = node.services.shh
  return {
    postEnvelope: shh.postEnvelope.bind(shh),
    subscribeEnvelopes: shh.subscribeEnvelopes.bind(shh),
    requestHistory: historyFetcher(shh, { peers: [mailServer.peerId], symKey: MAIL_KEY }),
  }
}
