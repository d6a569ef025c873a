/**
 * `hush demo`: a local network of nodes on 127.0.0.1, two people on different nodes, a
 * forward-secure session v2 conversation (Bob's invitation, Alice's join), messages both ways —
 * with PoW sealing, deliveries, receipts, the safety number and a final summary on the terminal.
 * It starts and stops everything itself.
 */
import { type HushNode, createHushNode } from '@hush/node'
import type { SealProgress } from '@hush/pow'
import { type Conversation, type SessionTransport, createSessionPeerV2, formatSafetyNumber, safetyNumber } from '@hush/session'
import { formatBytes, formatMs, progressBar, shortHex } from '../format.ts'
import { waitForPeers } from '../wait-for-peers.ts'

/** Settings of the demo. */
export interface DemoOptions {
  /** Nodes in the local network (a ring with chords). @default 5 */
  nodes?: number
  /** Messages each person sends. @default 5 */
  messages?: number
  /** PoW every envelope is sealed to. @default 0.2 (geth's default) */
  pow?: number
  /** Where to write the story. @default console.log */
  print?: (line: string) => void
  /** Whether to draw sealing progress bars (they redraw one terminal line). @default stdout is a TTY */
  progress?: boolean
}

/** What the demo measured, also printed as its summary. */
export interface DemoSummary {
  nodes: number
  messagesSent: number
  messagesDelivered: number
  receipts: number
  envelopes: number
  bytesSent: number
  latencyMs: { p50: number; max: number }
  sealMs: { p50: number; max: number }
}

const ALICE_LINES = ['Hi Bob, it is Alice.', 'Nobody on these nodes can tell who is talking to whom.', 'Every envelope paid its proof of work.', 'Our keys ratchet after every message.', 'Talk soon!']
const BOB_LINES = ['Hello Alice!', 'And the topics rotate, too.', 'Even a stolen key would not open this later.', 'Got all of it, in order.', 'Bye!']

/** The session transport of one node, reporting how long each envelope takes to seal. */
function sealingTransport(node: HushNode, who: string, pow: number, sealTimes: number[], print: (line: string) => void, progress: boolean): SessionTransport {
  const shh = node.services.shh
  return {
    async postEnvelope(post, options = {}) {
      const started = performance.now()
      const onProgress = (p: SealProgress): void => {
        if (!progress) return
        const fraction = p.estimatedMsLeft > 0 ? p.elapsedMs / (p.elapsedMs + p.estimatedMsLeft) : 1
        process.stdout.write(`\r  ${who} sealing ${progressBar(fraction)} ${p.attempts.toLocaleString('en-US')} hashes`)
      }
      const hash = await shh.postEnvelope(post, { ...options, powTarget: Math.max(pow, options.powTarget ?? 0), onProgress })
      const ms = performance.now() - started
      sealTimes.push(ms)
      if (progress) process.stdout.write('\r\x1b[2K')
      print(`  ${who} sealed envelope ${shortHex(hash)} (${post.data.length} B, PoW ≥ ${pow}) in ${formatMs(ms)}`)
      return hash
    },
    subscribeEnvelopes: (topics, options) => shh.subscribeEnvelopes(topics, options),
  }
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]
}

/** Runs the demo and returns its summary. */
export async function runDemo(options: DemoOptions = {}): Promise<DemoSummary> {
  const count = options.nodes ?? 5
  const perPerson = options.messages ?? 5
  const pow = options.pow ?? 0.2
  const print = options.print ?? ((line: string) => console.log(line))
  const progress = options.progress ?? process.stdout.isTTY === true
  if (!Number.isInteger(count) || count < 2) throw new RangeError('nodes must be an integer ≥ 2')
  if (!Number.isInteger(perPerson) || perPerson < 1 || perPerson > ALICE_LINES.length) {
    throw new RangeError(`messages must be an integer in [1, ${ALICE_LINES.length}]`)
  }

  print(`Starting ${count} Hush nodes on 127.0.0.1 …`)
  const nodes: HushNode[] = []
  try {
    for (let i = 0; i < count; i++) nodes.push(await createHushNode({ listen: ['/ip4/127.0.0.1/tcp/0'], whisper: { minPow: Math.min(pow, 0.2) } }))
    // A ring, plus a chord across it: every envelope crosses several hops.
    const edges: [number, number][] = nodes.map((_, i) => [i, (i + 1) % count])
    if (count > 3) edges.push([0, Math.floor(count / 2)])
    for (const [a, b] of edges) await nodes[a].dial(nodes[b].getMultiaddrs()[0], { signal: AbortSignal.timeout(10_000) })
    await Promise.all(nodes.map((n) => waitForPeers(n.services.shh, 2, 10_000)))
    for (const [i, n] of nodes.entries()) print(`  node ${i}: ${n.peerId.toString().slice(-8)} with ${n.services.shh.getPeers().length} peers`)

    const aliceNode = nodes[0]
    const bobNode = nodes[Math.ceil(count / 2) - (count > 3 ? 1 : 0)]
    const sealTimes: number[] = []
    const settings = { powTarget: pow, ackDelayMs: 50, resendIntervalMs: 2_000 }
    const alicePeer = createSessionPeerV2(settings, { transport: sealingTransport(aliceNode, 'alice', pow, sealTimes, print, progress) })
    const bobPeer = createSessionPeerV2(settings, { transport: sealingTransport(bobNode, 'bob  ', pow, sealTimes, print, progress) })
    const invitation = bobPeer.createInvitation({ lifetimeSeconds: 600 })
    print(`Alice is on node 0, Bob on node ${nodes.indexOf(bobNode)}. Bob's one-time invitation reaches Alice out of band:`)
    print(`  ${invitation.uri}`)
    print('Alice joins it …')

    const text = (b: Uint8Array): string => new TextDecoder().decode(b)
    const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)
    const bobSession = new Promise<Conversation>((resolve) => bobPeer.addEventListener('session', ({ detail }) => resolve(detail), { once: true }))
    const handshakeStart = performance.now()
    const toBob = alicePeer.join(invitation.uri)
    const opened = new Promise<void>((resolve, reject) => {
      toBob.addEventListener('open', () => resolve(), { once: true })
      toBob.addEventListener('close', ({ detail }) => reject(new Error(`the join failed (${detail.reason})`)), { once: true })
    })
    let joinTimer: ReturnType<typeof setTimeout> | undefined
    await Promise.race([opened, new Promise((_, reject) => (joinTimer = setTimeout(() => reject(new Error('Bob did not answer the join in 30 s')), 30_000)))])
    clearTimeout(joinTimer)
    const toAlice = await bobSession
    print(`The conversation is up after ${formatMs(performance.now() - handshakeStart)} (join and accept, Double Ratchet keys derived).`)
    const atAlice = formatSafetyNumber(safetyNumber(toBob.ownStaticKey, toBob.peerStaticKey))
    const atBob = formatSafetyNumber(safetyNumber(toAlice.ownStaticKey, toAlice.peerStaticKey))
    print(`  safety number ${atAlice.replaceAll('\n', ' ')} (${atAlice === atBob ? 'the same on both sides: they compare it out of band' : 'DIFFERENT on the two sides'})`)

    const sentAt = new Map<string, number>()
    const latencies: number[] = []
    let delivered = 0
    let receipts = 0
    const expected = 2 * perPerson
    let allDelivered!: () => void
    const done = new Promise<void>((resolve) => {
      allDelivered = resolve
    })
    const onMessage = (who: string, from: string) => ({ detail }: { detail: { seq: number; payload: Uint8Array } }) => {
      const key = `${from}:${detail.seq}`
      const latency = performance.now() - (sentAt.get(key) ?? performance.now())
      latencies.push(latency)
      delivered++
      print(`  ${who} < #${detail.seq} "${text(detail.payload)}" (${formatMs(latency)} after sending)`)
      if (delivered === expected) allDelivered()
    }
    toBob.addEventListener('message', onMessage('alice', 'bob'))
    toAlice.addEventListener('message', onMessage('bob  ', 'alice'))
    toBob.addEventListener('receipt', ({ detail }) => {
      receipts++
      print(`  alice ✓ Bob acknowledged #${detail.seq}`)
    })
    toAlice.addEventListener('receipt', ({ detail }) => {
      receipts++
      print(`  bob   ✓ Alice acknowledged #${detail.seq}`)
    })

    for (let i = 0; i < perPerson; i++) {
      const a = ALICE_LINES[i]
      const b = BOB_LINES[i]
      const na = toBob.send(utf8(a))
      const nb = toAlice.send(utf8(b))
      sentAt.set(`alice:${i + 1}`, performance.now())
      sentAt.set(`bob:${i + 1}`, performance.now())
      print(`  alice > "${a}"`)
      print(`  bob   > "${b}"`)
      await Promise.all([na, nb])
    }
    let timer: ReturnType<typeof setTimeout> | undefined
    await Promise.race([done, new Promise((r) => (timer = setTimeout(r, 30_000)))])
    clearTimeout(timer)
    // Let the last acks land before closing.
    const ackDeadline = Date.now() + 10_000
    while (receipts < expected && Date.now() < ackDeadline) await new Promise((r) => setTimeout(r, 20))
    await toBob.close({ signal: AbortSignal.timeout(15_000) })
    print(`Alice closed the conversation; keys are wiped on both sides (Bob's is ${toAlice.state}).`)
    alicePeer.stop()
    bobPeer.stop()
    // Bob's side closed remotely and lingers to answer a resent close; end that too.
    toAlice.stop()

    const infos = nodes.map((n) => n.services.shh.info())
    const summary: DemoSummary = {
      nodes: count,
      messagesSent: expected,
      messagesDelivered: delivered,
      receipts,
      envelopes: infos.reduce((n, i) => n + i.added, 0),
      bytesSent: infos.reduce((n, i) => n + i.traffic.bytesOut, 0),
      latencyMs: { p50: percentile(latencies, 0.5), max: percentile(latencies, 1) },
      sealMs: { p50: percentile(sealTimes, 0.5), max: percentile(sealTimes, 1) },
    }
    print('')
    print('Summary')
    print(`  nodes                ${summary.nodes}`)
    print(`  messages delivered   ${summary.messagesDelivered} of ${summary.messagesSent}, receipts ${summary.receipts}`)
    print(`  envelopes flooded    ${summary.envelopes} node-copies (${sealTimes.length} sealed, each reaching every node)`)
    print(`  bytes sent on /shh   ${formatBytes(summary.bytesSent)}`)
    print(`  delivery latency     p50 ${formatMs(summary.latencyMs.p50)}, max ${formatMs(summary.latencyMs.max)}`)
    print(`  PoW sealing          p50 ${formatMs(summary.sealMs.p50)}, max ${formatMs(summary.sealMs.max)} (target ${pow})`)
    return summary
  } finally {
    await Promise.all(nodes.map((n) => n.stop()))
  }
}
