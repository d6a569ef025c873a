/**
 * @hush/envelope benchmarks: the envelope codec, the envelope hash, and wrap/open of messages on
 * both crypto backends. Run after building: `npx tsc -b packages/envelope && npx tsx bench/envelope.bench.ts`.
 * Prints Markdown tables (paste them into bench/README.md). `BENCH_TIME_MS` sets the time per task.
 */
import { createDecipheriv } from 'node:crypto'
import { cpus } from 'node:os'
import {
  type CryptoBackend,
  type Envelope,
  decodeEnvelope,
  encodeEnvelope,
  envelopeHash,
  generateKeyPair,
  generateSymKey,
  getNodeBackend,
  keccak256,
  nobleBackend,
  openMessage,
  topicFromString,
  wrapMessage,
} from '@hush/envelope'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { Bench, type Task } from 'tinybench'

const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 400)
const SIZES: [string, number][] = [
  ['256 B', 256],
  ['4 KiB', 4096],
  ['64 KiB', 65536],
]

const nodeBackend = getNodeBackend()
if (nodeBackend === undefined) throw new Error('node:crypto backend unavailable')
const BACKENDS: CryptoBackend[] = [nobleBackend, nodeBackend]

const topic = topicFromString('bench')
const symKey = generateSymKey()
const recipient = generateKeyPair()
const payloadOf = (n: number): Uint8Array => new Uint8Array(n).map((_, i) => (i * 31) & 0xff)

/** Mean time per op in µs and ops/s of a finished task. */
function stats(task: Task | undefined): { us: number; hz: number } {
  const r = task?.result
  if (r === undefined || r.state !== 'completed') throw new Error(`task ${task?.name} did not complete`)
  return { us: r.period * 1000, hz: 1000 / r.period }
}

async function run(tasks: [string, () => unknown][]): Promise<Map<string, { us: number; hz: number }>> {
  const bench = new Bench({ time: TIME_MS, warmupTime: 100 })
  for (const [name, fn] of tasks) bench.add(name, fn)
  await bench.run()
  return new Map(tasks.map(([name]) => [name, stats(bench.getTask(name))]))
}

const fmtUs = (us: number): string => (us < 10 ? us.toFixed(2) : us < 100 ? us.toFixed(1) : us.toFixed(0))
const fmtHz = (hz: number): string => Math.round(hz).toLocaleString('en-US')
const table = (head: string[], rows: string[][]): string =>
  [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n')

console.log(`# @hush/envelope bench — ${new Date().toISOString().slice(0, 10)}, ${cpus()[0]?.model ?? 'unknown CPU'} ×${cpus().length}, Node ${process.version}, ${TIME_MS} ms per task\n`)

// 1. Envelope codec (data of each size, expiry/ttl/topic/nonce typical).
{
  const tasks: [string, () => unknown][] = []
  for (const [label, n] of SIZES) {
    const envelope: Envelope = { expiry: 1_764_072_050, ttl: 50, topic, data: payloadOf(n), nonce: 123_456_789n }
    const bytes = encodeEnvelope(envelope)
    tasks.push([`encode ${label}`, () => encodeEnvelope(envelope)], [`decode ${label}`, () => decodeEnvelope(bytes)])
  }
  const r = await run(tasks)
  console.log('## encodeEnvelope / decodeEnvelope\n')
  console.log(
    table(
      ['data', 'encode µs', 'encode ops/s', 'decode µs', 'decode ops/s'],
      SIZES.map(([label]) => {
        const e = r.get(`encode ${label}`)!
        const d = r.get(`decode ${label}`)!
        return [label, fmtUs(e.us), fmtHz(e.hz), fmtUs(d.us), fmtHz(d.hz)]
      })
    ) + '\n'
  )
}

// 2. Envelope hash: ours (envelopeHash = RLP + keccak256) vs noble keccak_256 of the same RLP.
{
  const tasks: [string, () => unknown][] = []
  for (const [label, n] of SIZES) {
    const envelope: Envelope = { expiry: 1_764_072_050, ttl: 50, topic, data: payloadOf(n), nonce: 1n }
    const bytes = encodeEnvelope(envelope)
    tasks.push(
      [`ours ${label}`, () => keccak256(bytes)],
      [`noble ${label}`, () => keccak_256(bytes)],
      [`hash ${label}`, () => envelopeHash(envelope)]
    )
  }
  const r = await run(tasks)
  console.log('## Envelope hash (Keccak-256 of the RLP)\n')
  console.log(
    table(
      ['data', 'our keccak256 µs', 'MB/s', 'noble keccak_256 µs', 'MB/s', 'envelopeHash (encode + hash) µs'],
      SIZES.map(([label, n]) => {
        const o = r.get(`ours ${label}`)!
        const b = r.get(`noble ${label}`)!
        const h = r.get(`hash ${label}`)!
        const mbs = (s: { hz: number }): string => ((s.hz * (n + 30)) / 1e6).toFixed(0)
        return [label, fmtUs(o.us), mbs(o), fmtUs(b.us), mbs(b), fmtUs(h.us)]
      })
    ) + '\n'
  )
}

// 3. wrapMessage / openMessage, symmetric and asymmetric, unsigned, per backend.
const modes = ['symmetric', 'asymmetric'] as const
let openSym4k = 0
{
  const tasks: [string, () => unknown][] = []
  for (const mode of modes) {
    for (const [label, n] of SIZES) {
      const payload = payloadOf(n)
      for (const backend of BACKENDS) {
        const keyIn = mode === 'symmetric' ? { symKey } : { publicKey: recipient.publicKey }
        const keyOut = mode === 'symmetric' ? { symKey } : { privateKey: recipient.privateKey }
        const envelope = wrapMessage({ topic, payload, ...keyIn, backend })
        const id = `${mode} ${label} ${backend.name}`
        tasks.push(
          [`wrap ${id}`, () => wrapMessage({ topic, payload, ...keyIn, backend })],
          [
            `open ${id}`,
            () => {
              if (openMessage(envelope, keyOut, { backend }) === undefined) throw new Error('open failed')
            },
          ]
        )
      }
    }
  }
  const r = await run(tasks)
  console.log('## wrapMessage / openMessage (unsigned), noble vs node backend\n')
  const rows: string[][] = []
  for (const mode of modes) {
    for (const [label] of SIZES) {
      for (const op of ['wrap', 'open']) {
        const nb = r.get(`${op} ${mode} ${label} noble`)!
        const nd = r.get(`${op} ${mode} ${label} node`)!
        rows.push([`${op} ${mode}`, label, fmtUs(nb.us), fmtHz(nb.hz), fmtUs(nd.us), fmtHz(nd.hz), `${(nb.us / nd.us).toFixed(1)}×`])
      }
      const wo = (b: string): number => r.get(`wrap ${mode} ${label} ${b}`)!.us + r.get(`open ${mode} ${label} ${b}`)!.us
      rows.push([`wrap+open ${mode}`, label, fmtUs(wo('noble')), fmtHz(1e6 / wo('noble')), fmtUs(wo('node')), fmtHz(1e6 / wo('node')), `${(wo('noble') / wo('node')).toFixed(1)}×`])
    }
  }
  console.log(table(['operation', 'payload', 'noble µs', 'noble ops/s', 'node µs', 'node ops/s', 'node speed-up'], rows) + '\n')
  openSym4k = r.get('open symmetric 4 KiB node')!.hz
}

// 4. Target: symmetric open at 4 KiB ≥ 50% of the raw node:crypto AES-256-GCM decrypt rate.
{
  const envelope = wrapMessage({ topic, payload: payloadOf(4096), symKey, backend: nodeBackend })
  const data = envelope.data
  const nonce = data.subarray(data.length - 12)
  const tag = data.subarray(data.length - 28, data.length - 12)
  const ct = data.subarray(0, data.length - 28)
  const r = await run([
    [
      'raw',
      () => {
        const d = createDecipheriv('aes-256-gcm', symKey, nonce, { authTagLength: 16 })
        d.setAuthTag(tag)
        d.update(ct)
        d.final()
      },
    ],
    ['open', () => openMessage(envelope, { symKey }, { backend: nodeBackend })],
  ])
  const raw = r.get('raw')!
  const open = r.get('open')!
  const ratio = open.hz / raw.hz
  console.log('## Target: symmetric open at 4 KiB vs raw node:crypto AES-256-GCM decrypt\n')
  console.log(
    table(
      ['measure', 'µs', 'ops/s'],
      [
        [`raw createDecipheriv aes-256-gcm (${ct.length} B)`, fmtUs(raw.us), fmtHz(raw.hz)],
        ['openMessage symmetric 4 KiB (node backend)', fmtUs(open.us), fmtHz(open.hz)],
        ['openMessage symmetric 4 KiB (node backend, table above)', fmtUs(1e6 / openSym4k), fmtHz(openSym4k)],
      ]
    )
  )
  console.log(`\nratio open/raw = ${ratio.toFixed(2)} (target ≥ 0.50): ${ratio >= 0.5 ? 'met' : 'NOT met'}`)
}
