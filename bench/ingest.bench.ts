/**
 * Ingest bench (issue 11): one Hush node on the in-memory transport, fed by a hand-driven
 * /shh/6.0.0 peer, with 6 more connected, ready peers that read everything the node forwards.
 *
 * 1. Single-node ingest through the full peer path: yamux, frame decoding, the budgets, the
 *    envelope checks, the pool add, and the batched forward to 6 peers. 1 KiB-data envelopes in
 *    messages frames of 100, sent as fast as the stream takes them. Run twice side by side: with
 *    Noise (what a deployment runs) and with libp2p's plaintext encrypter, which leaves the node's
 *    own path (the issue's "frame decode, budgets, checks, pool, forwarding") and the muxer.
 *    Beside it, the same run through a pass-through relay (plain libp2p, no Hush): the transport's floor.
 * 2. Duplicate-replay attack: one valid envelope, then frames of 1000 copies of it, with default
 *    node settings. CPU from the first replay frame until the node bans the peer.
 * 3. The attack that is not banned: a peer sends every envelope the node holds once each (each a
 *    duplicate it could not know we had: free, as in an honest flood), as fast as it can, for a
 *    few seconds. The envelope budget (10,000/s by default) bounds what it costs the node.
 *
 * Every peer lives in this process (the in-memory transport is per process), so the CPU figures are
 * the whole process's: the node under test plus the sender's and the 6 readers' transport work.
 * They are upper bounds on the node's own cost.
 *
 * Run: `npx tsc -b && npx tsx bench/ingest.bench.ts` (BENCH_INGEST_ENVELOPES, BENCH_READERS, BENCH_WRITE_QUEUE,
 * BENCH_REPLAY_FRAMES).
 */
import { type Envelope, encodeEnvelope, topicFromString } from '@hush/envelope'
import { createHushNode, type HushNode, type HushNodeInit, PROTOCOL_ID } from '@hush/node'
import { sealEnvelope } from '@hush/pow'
import type { Stream } from '@libp2p/interface'
import { identify } from '@libp2p/identify'
import { memory } from '@libp2p/memory'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import { cpus, loadavg } from 'node:os'
import { profiled } from './lib/cpu-profile.ts'
import { type Encrypter, encrypterOf, messagesFrame, type RawPeer, rawPeer, sendAll } from './lib/raw-peer.ts'

const ENVELOPES = Number(process.env.BENCH_INGEST_ENVELOPES ?? 100_000)
/** Per-peer write queue, raised from the 16 MiB default, which left the node partly idle waiting for the readers' drains. */
const WRITE_QUEUE_BYTES = Number(process.env.BENCH_WRITE_QUEUE ?? 64 * 1024 * 1024)
const PER_FRAME = 100
const DATA_BYTES = 1024
const READERS = Number(process.env.BENCH_READERS ?? 6)
const REPLAY_COPIES = 1000
/** Data bytes of the replayed envelope: 1000 copies make a ~300 KB frame, under the 1 MiB frame limit. */
const REPLAY_DATA_BYTES = 256
const REPLAY_FRAMES = Number(process.env.BENCH_REPLAY_FRAMES ?? 25)
/** Envelopes in the pool the unbanned flooder replays, and how long it floods. */
const FLOOD_POOL = 40_000
const FLOOD_SECONDS = 3
let nodeCounter = 0

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const fmt = (n: number, d = 1): string => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })

// ---- the node under test and its peers

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(1)
  }
}

/** The node under test, a sender and `READERS` readers, all ready. */
async function setup(
  whisper: NonNullable<HushNodeInit['whisper']>,
  encrypter: Encrypter = 'noise'
): Promise<{ node: HushNode; sender: RawPeer; out: Stream; readers: RawPeer[] }> {
  const node = await createHushNode({
    transports: [memory()],
    listen: [`/memory/hush-ingest-node-${process.pid}-${nodeCounter++}`],
    whisper,
    libp2p: { connectionEncrypters: [encrypterOf(encrypter)], connectionManager: { inboundConnectionThreshold: 1e6, maxConnections: 1000 } },
  })
  const readers = await Promise.all(Array.from({ length: READERS }, () => rawPeer(encrypter)))
  for (const r of readers) await r.open(node)
  const sender = await rawPeer(encrypter)
  const out = await sender.open(node)
  await waitFor(() => node.services.shh.info().peers === READERS + 1, 10_000, 'all peers ready')
  return { node, sender, out, readers }
}

async function teardown(node: HushNode, peers: RawPeer[]): Promise<void> {
  await Promise.all([node.stop(), ...peers.map((p) => p.node.stop())])
}

// ---- 1. ingest rate

interface IngestResult {
  encrypter: Encrypter
  /** µs of CPU in Hush's own code per envelope (sampling profile of the measured window). */
  hushUsPerEnvelope: number
  envelopes: number
  seconds: number
  perSecond: number
  cpuCores: number
  cpuUsPerEnvelope: number
  forwardedMB: number
}

function buildFrames(count: number, tag: number): Uint8Array[] {
  const now = Math.floor(Date.now() / 1000)
  const topic = topicFromString('ingest')
  const frames: Uint8Array[] = []
  for (let f = 0; f < count / PER_FRAME; f++) {
    const batch: Uint8Array[] = []
    for (let j = 0; j < PER_FRAME; j++) {
      const data = new Uint8Array(DATA_BYTES)
      const view = new DataView(data.buffer)
      view.setUint32(0, tag)
      view.setUint32(4, f * PER_FRAME + j)
      // PoW 1e-9 is the node's minimum, so any nonce passes; the node still computes the PoW.
      const e: Envelope = { expiry: now + 600, ttl: 600, topic, data, nonce: BigInt(f * PER_FRAME + j) }
      batch.push(encodeEnvelope(e))
    }
    frames.push(messagesFrame(batch))
  }
  return frames
}

async function ingestRate(encrypter: Encrypter): Promise<IngestResult> {
  // Flow control raised far above the offered load so it never throttles the measurement
  // (defaults: 2,000 frames/s, 16 MiB/s, 10,000 envelopes/s per peer).
  const { node, sender, out, readers } = await setup(
    {
      minPow: 1e-9,
      maxWriteQueueBytes: WRITE_QUEUE_BYTES,
      pool: { maxCount: 2_000_000, maxBytes: 4_000_000_000 },
      rateLimits: { packetsPerSecond: 1e7, bytesPerSecond: 1e12, envelopesPerSecond: 1e9 },
    },
    encrypter
  )
  const shh = node.services.shh
  // warm-up: JIT, buffers, stream windows
  const warm = buildFrames(20_000, 1)
  await sendAll(out, warm)
  await waitFor(() => shh.info().added >= 20_000, 60_000, 'warm-up ingest')
  await sleep(200)

  const frames = buildFrames(ENVELOPES, 2)
  const addedBefore = shh.info().added
  const readBefore = readers.reduce((s, r) => s + r.received(), 0)
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const { hushMs } = await profiled(async () => {
    await sendAll(out, frames)
    await waitFor(() => shh.info().added - addedBefore >= ENVELOPES, 120_000, 'ingest')
  })
  const seconds = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(cpu0)
  const cpuSeconds = (cpu.user + cpu.system) / 1e6
  // forwarding is batched (3 ms): let the last batches reach the readers before counting bytes
  await sleep(300)
  const forwarded = readers.reduce((s, r) => s + r.received(), 0) - readBefore
  const info = shh.info()
  if (info.peers !== READERS + 1) throw new Error(`only ${info.peers} peers left after the ingest run`)
  await teardown(node, [sender, ...readers])
  return rateResult(encrypter, hushMs, seconds, cpuSeconds, forwarded)
}

/** A row of the ingest table from one measured window. */
function rateResult(encrypter: Encrypter, hushMs: number, seconds: number, cpuSeconds: number, forwardedBytes: number): IngestResult {
  return {
    encrypter,
    hushUsPerEnvelope: (hushMs * 1000) / ENVELOPES,
    envelopes: ENVELOPES,
    seconds,
    perSecond: ENVELOPES / seconds,
    cpuCores: cpuSeconds / seconds,
    cpuUsPerEnvelope: (cpuSeconds * 1e6) / ENVELOPES,
    forwardedMB: forwardedBytes / 1e6,
  }
}

// ---- 1b. the transport alone

/**
 * The same run through a pass-through relay instead of a Hush node: a plain libp2p node (same
 * transport, encrypter and muxer) that writes every chunk its sender stream delivers to the six
 * readers unchanged, pausing its read side while a reader's stream is full. No decoding, hashing,
 * pooling or batching: what the process spends here is the floor the transport sets for the row
 * above (the sender's, the relay's and the readers' stream work).
 */
async function relayRate(encrypter: Encrypter): Promise<IngestResult> {
  const relay = await createLibp2p({
    addresses: { listen: [`/memory/hush-ingest-relay-${process.pid}-${nodeCounter++}`] },
    transports: [memory()],
    connectionEncrypters: [encrypterOf(encrypter)],
    streamMuxers: [yamux()],
    services: { identify: identify() },
    connectionManager: { inboundConnectionThreshold: 1e6, maxConnections: 1000 },
  })
  const readers = await Promise.all(Array.from({ length: READERS }, () => rawPeer(encrypter)))
  const outs: Stream[] = []
  for (const r of readers) outs.push(await relay.dialProtocol(r.node.getMultiaddrs()[0], PROTOCOL_ID, { signal: AbortSignal.timeout(10_000) }))
  const inbound = Promise.withResolvers<void>()
  await relay.handle(PROTOCOL_ID, (stream) => {
    let full = 0
    const drained = (): void => {
      if (--full === 0) stream.resume()
    }
    stream.addEventListener('message', (evt) => {
      const chunk = evt.data instanceof Uint8Array ? evt.data : evt.data.subarray()
      for (const o of outs) {
        if (!o.send(chunk)) {
          full++
          o.addEventListener('drain', drained, { once: true })
        }
      }
      if (full > 0) stream.pause()
    })
    inbound.resolve()
  })
  const sender = await rawPeer(encrypter)
  const out = await sender.node.dialProtocol(relay.getMultiaddrs()[0], PROTOCOL_ID, { signal: AbortSignal.timeout(10_000) })
  // Nothing is sent before the relay listens: bytes that arrive earlier are refused with the stream.
  out.send(new Uint8Array([0]))
  await inbound.promise
  const received = (): number => readers.reduce((sum, r) => sum + r.received(), 0)
  const bytesOf = (frames: Uint8Array[]): number => frames.reduce((sum, f) => sum + f.length, 0)
  const warm = buildFrames(20_000, 1)
  const warmTarget = received() + READERS * (1 + bytesOf(warm))
  await sendAll(out, warm)
  await waitFor(() => received() >= warmTarget, 60_000, 'warm-up relay')
  const frames = buildFrames(ENVELOPES, 2)
  const target = received() + READERS * bytesOf(frames)
  const before = received()
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  await sendAll(out, frames)
  await waitFor(() => received() >= target, 120_000, 'relay')
  const seconds = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(cpu0)
  const cpuSeconds = (cpu.user + cpu.system) / 1e6
  const forwarded = received() - before
  await Promise.all([relay.stop(), sender.node.stop(), ...readers.map((r) => r.node.stop())])
  return rateResult(encrypter, 0, seconds, cpuSeconds, forwarded)
}

// ---- 2. duplicate replay

interface ReplayResult {
  banned: boolean
  framesSent: number
  duplicates: number
  wallMs: number
  cpuMs: number
  corePercent: number
}

async function replay(): Promise<ReplayResult> {
  const { node, sender, out, readers } = await setup({}) // default settings: minPow 0.2, default rate limits and scores
  const shh = node.services.shh
  const now = Math.floor(Date.now() / 1000)
  const data = new Uint8Array(REPLAY_DATA_BYTES).fill(7)
  const sealed = sealEnvelope({ expiry: now + 600, ttl: 600, topic: topicFromString('replay'), data, nonce: 0n }, { targetPow: 0.2 })
  const raw = encodeEnvelope(sealed.envelope)
  out.send(messagesFrame([raw]))
  await waitFor(() => shh.info().added >= 1, 10_000, 'the valid envelope')
  await sleep(200)

  let banAt: number | undefined
  let cpuAtBan: NodeJS.CpuUsage | undefined
  let cpu0: NodeJS.CpuUsage | undefined
  shh.addEventListener('peer:ban', (evt) => {
    if (!evt.detail.equals(sender.node.peerId) || banAt !== undefined) return
    banAt = performance.now()
    cpuAtBan = process.cpuUsage(cpu0)
  })
  const frame = messagesFrame(Array.from({ length: REPLAY_COPIES }, () => raw))
  const dupBefore = shh.info().duplicates
  let t0 = 0
  let framesSent = 0
  try {
    for (let i = 0; i < REPLAY_FRAMES && banAt === undefined; i++) {
      if (i === 0) {
        cpu0 = process.cpuUsage()
        t0 = performance.now()
      }
      framesSent++
      if (!out.send(frame)) await out.onDrain({ signal: AbortSignal.timeout(30_000) })
    }
  } catch {
    // the node closed the connection (the ban): stop sending
  }
  await waitFor(() => banAt !== undefined, 30_000, 'the ban').catch(() => {})
  const end = banAt ?? performance.now()
  const cpu = cpuAtBan ?? process.cpuUsage(cpu0)
  const cpuMs = (cpu.user + cpu.system) / 1000
  const wallMs = end - t0
  const duplicates = shh.info().duplicates - dupBefore
  await teardown(node, [sender, ...readers])
  return { banned: banAt !== undefined, framesSent, duplicates, wallMs, cpuMs, corePercent: (100 * cpuMs) / wallMs }
}

// ---- 3. the duplicate flood that is not banned

interface FloodResult {
  seconds: number
  duplicates: number
  perSecond: number
  corePercent: number
  banned: boolean
}

async function duplicateFlood(): Promise<FloodResult> {
  // Default budgets and scores; the node holds FLOOD_POOL envelopes the flooder also has.
  const { node, sender, out, readers } = await setup({ minPow: 1e-9, pool: { maxCount: 200_000 } }, 'plaintext')
  const shh = node.services.shh
  // A seeder (another peer) gives the node the envelopes first; the flooder then sends each back.
  const now = Math.floor(Date.now() / 1000)
  const raws: Uint8Array[] = []
  for (let i = 0; i < FLOOD_POOL; i++) {
    const data = new Uint8Array(64)
    new DataView(data.buffer).setUint32(0, i)
    raws.push(encodeEnvelope({ expiry: now + 600, ttl: 600, topic: topicFromString('flood'), data, nonce: 0n }))
  }
  const seeder = await rawPeer('plaintext')
  const seed = await seeder.open(node)
  await waitFor(() => shh.info().peers === READERS + 2, 10_000, 'the seeder to be ready')
  const frames: Uint8Array[] = []
  for (let i = 0; i < raws.length; i += PER_FRAME) frames.push(messagesFrame(raws.slice(i, i + PER_FRAME)))
  await sendAll(seed, frames)
  await waitFor(() => shh.info().added >= FLOOD_POOL, 60_000, 'the seeded pool')
  await sleep(500)
  let banned = false
  shh.addEventListener('peer:ban', () => {
    banned = true
  })
  const dup0 = shh.info().duplicates
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  // Offer everything at once (the muxer buffers it) and let the node's budget decide how fast it
  // reads, for FLOOD_SECONDS.
  for (const frame of frames) out.send(frame)
  await sleep(FLOOD_SECONDS * 1000)
  const seconds = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(cpu0)
  const duplicates = shh.info().duplicates - dup0
  await teardown(node, [sender, seeder, ...readers])
  return { seconds, duplicates, perSecond: duplicates / seconds, corePercent: (100 * (cpu.user + cpu.system)) / 1e6 / seconds, banned }
}

console.log(`ingest bench: 1 node + 1 sender + ${READERS} readers on the in-memory transport (yamux), ${cpus()[0]?.model ?? 'cpu'} ×${cpus().length}, Node ${process.version}, load ${loadavg()[0].toFixed(2)}\n`)
const runs = [await ingestRate('plaintext'), await ingestRate('noise')]
const floors = [await relayRate('plaintext'), await relayRate('noise')]
console.log(`Single-node ingest through the full peer path: ${fmt(ENVELOPES, 0)} envelopes of ${DATA_BYTES} B data in frames of ${PER_FRAME}, forwarded to ${READERS} peers; rate limits raised (1e7 frames/s, 1e12 B/s, 1e9 envelopes/s per peer) so flow control does not throttle; write queue ${fmt(WRITE_QUEUE_BYTES / 2 ** 20, 0)} MiB per peer.\n`)
console.log('| encrypter | envelopes | seconds | envelopes/s | process CPU (cores) | CPU µs per envelope, process | of which Hush code µs | Hush code alone, envelopes per CPU-second | MB forwarded to readers |')
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
for (const r of runs) {
  console.log(
    `| ${r.encrypter} | ${fmt(r.envelopes, 0)} | ${fmt(r.seconds, 2)} | ${fmt(r.perSecond, 0)} | ${fmt(r.cpuCores, 2)} | ${fmt(r.cpuUsPerEnvelope, 2)} | ${fmt(r.hushUsPerEnvelope, 2)} | ${fmt(1e6 / r.hushUsPerEnvelope, 0)} | ${fmt(r.forwardedMB, 0)} |`
  )
}
for (const r of floors) {
  console.log(
    `| ${r.encrypter}, pass-through relay (no Hush) | ${fmt(r.envelopes, 0)} | ${fmt(r.seconds, 2)} | ${fmt(r.perSecond, 0)} | ${fmt(r.cpuCores, 2)} | ${fmt(r.cpuUsPerEnvelope, 2)} | – | – | ${fmt(r.forwardedMB, 0)} |`
  )
}
const [plain] = runs
console.log(`\n"Hush code" is the CPU a sampling profile of the measured window attributes to packages/{node,pool,envelope,pow} and the WASM Keccak; the rest of the process is libp2p, the muxer, the encrypter, the other peers and GC.`)
console.log(`goal ≥ 100,000 envelopes/s on one core: whole process ${plain.perSecond >= 100_000 && plain.cpuCores <= 1.05 ? 'met' : 'not met'}; Hush code alone ${1e6 / plain.hushUsPerEnvelope >= 100_000 ? 'met' : 'not met'} (plaintext run)\n`)

const a = await replay()
console.log(`Duplicate-replay attack, default settings: one valid envelope, envelope of ${REPLAY_DATA_BYTES} B data, then frames of ${REPLAY_COPIES} copies (up to ${REPLAY_FRAMES}).\n`)
console.log('| banned | replay frames sent | duplicates processed | wall ms to ban | process CPU ms | % of one core |')
console.log('| --- | ---: | ---: | ---: | ---: | ---: |')
console.log(`| ${a.banned ? 'yes' : 'no'} | ${a.framesSent} | ${fmt(a.duplicates, 0)} | ${fmt(a.wallMs, 1)} | ${fmt(a.cpuMs, 1)} | ${fmt(a.corePercent, 1)} |`)
console.log(`\nCPU the attack cost before the ban, as a share of one core over the first second of the attack: ${fmt(a.cpuMs / 10, 2)}%`)
console.log(`goal ≤ 10% of one core before the ban: ${a.banned && a.cpuMs <= 100 ? 'met' : 'not met'}\n`)

const f = await duplicateFlood()
console.log(`The flood that is not banned: every one of ${fmt(FLOOD_POOL, 0)} pooled envelopes (64 B data) sent back once each, in frames of ${PER_FRAME}, for up to ${FLOOD_SECONDS} s, default budgets (plaintext).\n`)
console.log('| seconds | duplicates processed | per second | process CPU, % of one core | banned |')
console.log('| ---: | ---: | ---: | ---: | --- |')
console.log(`| ${fmt(f.seconds, 2)} | ${fmt(f.duplicates, 0)} | ${fmt(f.perSecond, 0)} | ${fmt(f.corePercent, 1)} | ${f.banned ? 'yes' : 'no'} |`)
console.log(`\ngoal: bounded by the envelope budget (10,000/s) and ≤ 10% of one core: ${f.perSecond <= 10_500 + 20_000 / f.seconds && f.corePercent <= 10 ? 'met' : 'not met'}`)
