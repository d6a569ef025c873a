/**
 * Session bench (issue 6): handshake time and messages per second of one session, on the in-memory
 * transport (the protocol's own cost: ECIES, signatures, ECDH, HKDF, ratchet, AES-GCM, acks) and
 * over two real nodes on 127.0.0.1 (adding PoW sealing and the network).
 *
 * Run: `npx tsc -b && npx tsx bench/session.bench.ts` (BENCH_SESSION_MESSAGES).
 */
import { cpus } from 'node:os'
import { generateKeyPair } from '@hush/envelope'
import { createHushNode } from '@hush/node'
import { type Session, type SessionTransport, createMemoryTransport, createSessionPeer } from '@hush/session'

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

/** Sends `count` messages of `size` bytes one way and waits for every receipt; messages per second. */
async function throughput(toBob: Session, toAlice: Session, count: number, size: number): Promise<number> {
  const payload = new Uint8Array(size).fill(7)
  let received = 0
  let receipts = 0
  const done = new Promise<void>((resolve) => {
    const check = (): void => {
      if (received >= count && receipts >= count) resolve()
    }
    toAlice.addEventListener('message', () => (received++, check()))
    toBob.addEventListener('receipt', () => (receipts++, check()))
  })
  const t0 = performance.now()
  for (let i = 0; i < count; i++) await toBob.send(payload)
  await done
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
  const rate100 = await throughput(s.toBob, s.toAlice, MESSAGES, 100)
  const rate1k = await throughput(s.toBob, s.toAlice, MESSAGES, 1000)
  s.stop()
  rows.push(`| in-memory transport (no PoW) | ${median(times).toFixed(1)} | ${rate100.toFixed(0)} | ${rate1k.toFixed(0)} |`)
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
  const rate100 = await throughput(s.toBob, s.toAlice, count, 100)
  const rate1k = await throughput(s.toBob, s.toAlice, count, 1000)
  s.stop()
  await Promise.all([na.stop(), nb.stop()])
  rows.push(`| two nodes over TCP, PoW 0.01 | ${median(times).toFixed(1)} | ${rate100.toFixed(0)} | ${rate1k.toFixed(0)} |`)
}
console.log(`session bench: ${cpus()[0]?.model ?? 'cpu'} ×${cpus().length}, Node ${process.version}; messages are sent one after another and counted when acknowledged\n`)
console.log('| transport | handshake ms (median) | messages/s at 100 B | messages/s at 1 KB |')
console.log('| --- | ---: | ---: | ---: |')
for (const r of rows) console.log(r)
