/**
 * Session bench (issues 6 and 13): handshake time and messages per second of one session, on the
 * in-memory transport (the protocol's own cost: key agreement, KDFs, ratchet, AES-GCM, acks) and
 * over two real nodes on 127.0.0.1 (adding PoW sealing and the network), for session v1 and v2
 * side by side. v2 also runs a ping-pong, where every message is a turn change (a DH ratchet step).
 *
 * Run: `npx tsc -b && npx tsx bench/session.bench.ts` (BENCH_SESSION_MESSAGES).
 */
import { cpus } from 'node:os'
import { generateKeyPair } from '@hush/envelope'
import { createHushNode } from '@hush/node'
import { type Conversation, type Session, type SessionTransport, createMemoryTransport, createSessionPeer, createSessionPeerV2 } from '@hush/session'

const MESSAGES = Number(process.env.BENCH_SESSION_MESSAGES ?? 1000)
const HANDSHAKES = 20

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

/** Opens a session from A to B over the two transports; returns both ends and the time it took. */
async function open(ta: SessionTransport, tb: SessionTransport, pow: number) {
  const a = generateKeyPair()
  const b = generateKeyPair()
  const settings = { powTarget: pow, ackDelayMs: 5, resendIntervalMs: 2_000 }
  const alice = createSessionPeer({ privateKey: a.privateKey, contacts: [b.publicKey], ...settings }, { transport: ta })
  const bob = createSessionPeer({ privateKey: b.privateKey, contacts: [a.publicKey], ...settings }, { transport: tb })
  alice.start()
  bob.start()
  const bobSide = new Promise<Session>((resolve) => bob.addEventListener('session', ({ detail }) => resolve(detail), { once: true }))
  const t0 = performance.now()
  const toBob = await alice.connect(b.publicKey, { signal: AbortSignal.timeout(30_000) })
  const toAlice = await bobSide
  return { toBob, toAlice, ms: performance.now() - t0, stop: () => (alice.stop(), bob.stop()) }
}

/** One direction of a session, v1 or v2: how to send, and how to hear messages and receipts. */
interface Direction {
  send(payload: Uint8Array): Promise<number>
  onMessage(listener: () => void): void
  onReceipt(listener: () => void): void
}

const v1Direction = (toBob: Session, toAlice: Session): Direction => ({
  send: (p) => toBob.send(p),
  onMessage: (f) => toAlice.addEventListener('message', f),
  onReceipt: (f) => toBob.addEventListener('receipt', f),
})

const v2Direction = (toBob: Conversation, toAlice: Conversation): Direction => ({
  send: (p) => toBob.send(p),
  onMessage: (f) => toAlice.addEventListener('message', f),
  onReceipt: (f) => toBob.addEventListener('receipt', f),
})

/** Sends `count` messages of `size` bytes one way and waits for every receipt; messages per second. */
async function throughput(d: Direction, count: number, size: number): Promise<number> {
  const payload = new Uint8Array(size).fill(7)
  let received = 0
  let receipts = 0
  const done = new Promise<void>((resolve) => {
    const check = (): void => {
      if (received >= count && receipts >= count) resolve()
    }
    d.onMessage(() => (received++, check()))
    d.onReceipt(() => (receipts++, check()))
  })
  const t0 = performance.now()
  for (let i = 0; i < count; i++) await d.send(payload)
  await done
  return (count / (performance.now() - t0)) * 1000
}

/** Opens a v2 conversation: B invites, A joins; the time until both sides are open. */
async function openV2(ta: SessionTransport, tb: SessionTransport, pow: number) {
  const settings = { powTarget: pow, ackDelayMs: 5, resendIntervalMs: 2_000 }
  const alice = createSessionPeerV2(settings, { transport: ta })
  const bob = createSessionPeerV2(settings, { transport: tb })
  const bobSide = new Promise<Conversation>((resolve) => bob.addEventListener('session', ({ detail }) => resolve(detail), { once: true }))
  const t0 = performance.now()
  const toBob = alice.join(bob.createInvitation().uri)
  const opened = new Promise<void>((resolve) => toBob.addEventListener('open', () => resolve(), { once: true }))
  const toAlice = await bobSide
  await opened
  return { toBob, toAlice, ms: performance.now() - t0, stop: () => (alice.stop(), bob.stop()) }
}

/** Every message answers the last one (a turn change, so a ratchet step, each time): messages/s. */
async function pingPongV2(toBob: Conversation, toAlice: Conversation, count: number): Promise<number> {
  const payload = new Uint8Array(100).fill(7)
  let turn = Promise.withResolvers<void>()
  const onMessage = (): void => turn.resolve()
  toAlice.addEventListener('message', onMessage)
  toBob.addEventListener('message', onMessage)
  const t0 = performance.now()
  for (let i = 0; i < count; i++) {
    turn = Promise.withResolvers<void>()
    await (i % 2 === 0 ? toBob : toAlice).send(payload)
    await turn.promise
  }
  return (count / (performance.now() - t0)) * 1000
}

const rows: string[] = []
{
  const bus = createMemoryTransport()
  const times: number[] = []
  for (let i = 0; i < HANDSHAKES; i++) {
    const s = await open(bus, bus, 0)
    times.push(s.ms)
    await s.toBob.close()
    s.stop()
  }
  const s = await open(bus, bus, 0)
  const rate100 = await throughput(v1Direction(s.toBob, s.toAlice), MESSAGES, 100)
  const rate1k = await throughput(v1Direction(s.toBob, s.toAlice), MESSAGES, 1000)
  s.stop()
  rows.push(`| v1, in-memory transport (no PoW) | ${median(times).toFixed(1)} | ${rate100.toFixed(0)} | ${rate1k.toFixed(0)} | – |`)
}
{
  const bus = createMemoryTransport()
  const times: number[] = []
  for (let i = 0; i < HANDSHAKES; i++) {
    const s = await openV2(bus, bus, 0)
    times.push(s.ms)
    await s.toBob.close()
    s.stop()
  }
  const s = await openV2(bus, bus, 0)
  const rate100 = await throughput(v2Direction(s.toBob, s.toAlice), MESSAGES, 100)
  const rate1k = await throughput(v2Direction(s.toBob, s.toAlice), MESSAGES, 1000)
  const pingPong = await pingPongV2(s.toBob, s.toAlice, Math.min(MESSAGES, 1000))
  s.stop()
  rows.push(`| v2 (double ratchet), in-memory transport (no PoW) | ${median(times).toFixed(1)} | ${rate100.toFixed(0)} | ${rate1k.toFixed(0)} | ${pingPong.toFixed(0)} |`)
}
{
  const [na, nb] = [await createHushNode({ whisper: { minPow: 0.01 } }), await createHushNode({ whisper: { minPow: 0.01 } })]
  await nb.dial(na.getMultiaddrs()[0])
  while (na.services.shh.getPeers().length === 0) await new Promise((r) => setTimeout(r, 10))
  const times: number[] = []
  for (let i = 0; i < 5; i++) {
    const s = await open(na.services.shh, nb.services.shh, 0.01)
    times.push(s.ms)
    await s.toBob.close()
    s.stop()
  }
  const s = await open(na.services.shh, nb.services.shh, 0.01)
  const count = Math.min(MESSAGES, 200)
  const rate100 = await throughput(v1Direction(s.toBob, s.toAlice), count, 100)
  const rate1k = await throughput(v1Direction(s.toBob, s.toAlice), count, 1000)
  s.stop()
  rows.push(`| v1, two nodes over TCP, PoW 0.01 | ${median(times).toFixed(1)} | ${rate100.toFixed(0)} | ${rate1k.toFixed(0)} | – |`)
  const times2: number[] = []
  for (let i = 0; i < 5; i++) {
    const v2 = await openV2(na.services.shh, nb.services.shh, 0.01)
    times2.push(v2.ms)
    await v2.toBob.close()
    v2.stop()
  }
  const v2 = await openV2(na.services.shh, nb.services.shh, 0.01)
  const v2rate100 = await throughput(v2Direction(v2.toBob, v2.toAlice), count, 100)
  const v2rate1k = await throughput(v2Direction(v2.toBob, v2.toAlice), count, 1000)
  const v2pingPong = await pingPongV2(v2.toBob, v2.toAlice, Math.min(count, 100))
  v2.stop()
  rows.push(`| v2 (double ratchet), two nodes over TCP, PoW 0.01 | ${median(times2).toFixed(1)} | ${v2rate100.toFixed(0)} | ${v2rate1k.toFixed(0)} | ${v2pingPong.toFixed(0)} |`)
  await Promise.all([na.stop(), nb.stop()])
}
console.log(`session bench: ${cpus()[0]?.model ?? 'cpu'} ×${cpus().length}, Node ${process.version}; messages are sent one after another and counted when acknowledged\n`)
console.log('| protocol, transport | handshake ms (median) | messages/s at 100 B | messages/s at 1 KB | ping-pong messages/s (every message a turn change) |')
console.log('| --- | ---: | ---: | ---: | ---: |')
for (const r of rows) console.log(r)
