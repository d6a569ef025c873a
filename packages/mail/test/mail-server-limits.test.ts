/**
 * The mail server's own bounds, driven through a stand-in for the node (an EventTarget with the
 * MailServerHost methods) over a real LevelDB archive: a failing archive does not turn every
 * pooled envelope into a write, a geth-form answer reads a bounded number of pages, a peer's
 * waiting requests are capped, and an answer to a peer that stops reading is given up.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeEnvelope, encodeEnvelope, generatePrivateKey, keccak256, symKeyFromPassword, topicFromString, wrapMessage } from '@hush/envelope'
import { afterAll, describe, expect, it } from 'vitest'
import { type Archive, createMailServer, decodeCompletion, encodeHistoryRequest, rangeDigest, type MailServerHost, openLevelArchive, type P2PRequestLike, type PooledEnvelope } from '../src/index.ts'

const KEY = symKeyFromPassword('limits')
const chat = topicFromString('chat')
const dirs: string[] = []
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
})

async function archive(): Promise<Archive> {
  const dir = await mkdtemp(join(tmpdir(), 'hush-mail-limits-'))
  dirs.push(dir)
  return openLevelArchive({ path: join(dir, 'db') })
}

/** A host whose sends wait until released (a client that does not read), honouring the signal. */
class Host implements MailServerHost {
  private readonly target = new EventTarget()
  handler: ((r: P2PRequestLike) => void) | undefined
  penalised = 0
  sends = 0
  hang = false
  /** Envelopes larger than this are refused as the node refuses them for a peer's max size. */
  sizeLimit = Number.POSITIVE_INFINITY
  delivered: Uint8Array[] = []
  completions: Uint8Array[] = []
  setRequestHandler(handler: ((r: P2PRequestLike) => void) | undefined): void {
    this.handler = handler
  }
  penalize(): void {
    this.penalised++
  }
  async sendP2PMessages(_peer: unknown, raws: readonly Uint8Array[], options: { signal?: AbortSignal } = {}): Promise<void> {
    this.sends++
    if (raws.some((r) => r.length > this.sizeLimit)) throw Object.assign(new Error('too large'), { name: 'PostRejectedError', reason: 'too-large' })
    if (!this.hang) {
      this.delivered.push(...raws)
      return
    }
    await new Promise<void>((_resolve, reject) => options.signal?.addEventListener('abort', () => reject(options.signal?.reason), { once: true }))
  }
  async sendP2PComplete(_peer: unknown, body: Uint8Array): Promise<void> {
    this.completions.push(body)
  }
  addEventListener(type: 'envelope', listener: (event: CustomEvent<PooledEnvelope>) => void): void {
    this.target.addEventListener(type, listener as (event: Event) => void)
  }
  removeEventListener(type: 'envelope', listener: (event: CustomEvent<PooledEnvelope>) => void): void {
    this.target.removeEventListener(type, listener as (event: Event) => void)
  }
  pool(n: number): void {
    const raw = encodeEnvelope(wrapMessage({ symKey: KEY, topic: chat, payload: new Uint8Array([n & 255, n >> 8]), now: 1_800_000_000, ttl: 50 }))
    this.target.dispatchEvent(new CustomEvent('envelope', { detail: { envelope: decodeEnvelope(raw), raw, hash: keccak256(raw) } }))
  }
}

function request(payload: Uint8Array, from = 'peer-a'): P2PRequestLike {
  const envelope = wrapMessage({ symKey: KEY, topic: chat, payload, signingKey: generatePrivateKey() })
  const raw = encodeEnvelope(envelope)
  return { envelope, raw, hash: keccak256(raw), from }
}

const waitFor = async (condition: () => boolean, what: string): Promise<void> => {
  const deadline = Date.now() + 10_000
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

describe('mail server bounds', () => {
  it('retries a failing archive on a timer instead of writing for every pooled envelope', async () => {
    const real = await archive()
    let puts = 0
    let broken = true
    const flaky: Archive = { ...real, kind: real.kind, put: (e) => (puts++, broken ? Promise.reject(new Error('disk gone')) : real.put(e)), query: (q) => real.query(q), prune: (p) => real.prune(p), stats: () => real.stats(), close: () => real.close() }
    const host = new Host()
    const errors: unknown[] = []
    const mail = createMailServer(host, { archive: flaky, symKey: KEY, flushBatch: 10, maxPending: 100, flushIntervalMs: 5, onError: (e) => errors.push(e) })
    mail.start()
    for (let i = 0; i < 2000; i++) host.pool(i)
    await new Promise((r) => setTimeout(r, 200))
    expect(puts).toBeLessThanOrEqual(3)
    expect(mail.stats()).toMatchObject({ pending: 100, dropped: 1900, archived: 0 })
    broken = false
    await waitFor(() => mail.stats().archived === 100, 'the retry after the archive came back')
    await mail.stop()
    await real.close()
  })

  it('reads at most maxGethPages pages for a geth-form request that matches nothing', async () => {
    const real = await archive()
    const host = new Host()
    let queries = 0
    const counting: Archive = { ...real, kind: real.kind, put: (e) => real.put(e), query: (q) => (queries++, real.query(q)), prune: (p) => real.prune(p), stats: () => real.stats(), close: () => real.close() }
    const mail = createMailServer(host, { archive: counting, symKey: KEY, maxPageLimit: 10, maxGethPages: 2, flushIntervalMs: 1 })
    mail.start()
    for (let i = 0; i < 3000; i++) host.pool(i)
    await mail.flush()
    expect((await real.stats()).count).toBe(3000)
    host.handler?.(request(encodeHistoryRequest({ format: 'geth', from: 0, to: 0xffff_ffff, bloom: new Uint8Array(64) })))
    await waitFor(() => mail.stats().served === 1, 'the answer')
    expect(queries).toBe(2)
    await mail.stop()
    await real.close()
  })

  it('refuses a peer more than maxQueuedPerPeer waiting requests, and gives up an answer it does not read', async () => {
    const real = await archive()
    const host = new Host()
    host.hang = true
    const mail = createMailServer(host, { archive: real, symKey: KEY, maxQueuedPerPeer: 2, answerTimeoutMs: 200 })
    mail.start()
    const payload = encodeHistoryRequest({ format: 'extended', from: 0, to: 10, filter: [chat], limit: 5, cursor: undefined })
    for (let i = 0; i < 5; i++) host.handler?.(request(payload))
    expect(mail.stats()).toMatchObject({ requests: 5, refused: 3 })
    expect(host.penalised).toBe(3)
    // Both accepted answers are given up after 200 ms each; then the peer may ask again.
    await waitFor(() => host.sends === 2, 'the second answer to start')
    await new Promise((r) => setTimeout(r, 250))
    host.handler?.(request(payload))
    expect(mail.stats().refused).toBe(3)
    await mail.stop()
    await real.close()
  })

  it('leaves out of an answer an envelope larger than the peer takes, and says so in the completion', async () => {
    const real = await archive()
    const entries = [10, 2000, 20, 30].map((size, i) => {
      const raw = encodeEnvelope(wrapMessage({ symKey: KEY, topic: chat, payload: new Uint8Array(size).fill(i), now: 1_800_000_000 + i, ttl: 50 }))
      return { time: 1_800_000_000 + i, hash: keccak256(raw), topic: chat, raw }
    })
    await real.put(entries)
    const host = new Host()
    host.sizeLimit = 1000
    const mail = createMailServer(host, { archive: real, symKey: KEY })
    mail.start()
    host.handler?.(request(encodeHistoryRequest({ format: 'extended', from: 0, to: 0xffff_ffff, filter: [chat], limit: 10, cursor: undefined })))
    await waitFor(() => host.completions.length === 1, 'the completion')
    const small = entries.filter((e) => e.raw.length <= 1000)
    expect(host.delivered).toEqual(small.map((e) => e.raw))
    const completion = decodeCompletion(host.completions[0])
    expect(completion.count).toBe(3)
    expect(completion.digest).toEqual(rangeDigest(small.map((e) => e.hash)))
    await mail.stop()
    await real.close()
  })

  it('keeps its own copy of the key, also when given a Buffer the caller reuses', async () => {
    const real = await archive()
    const host = new Host()
    const buffer = Buffer.from(KEY)
    const mail = createMailServer(host, { archive: real, symKey: buffer })
    mail.start()
    buffer.fill(0) // the caller wipes its buffer
    host.handler?.(request(encodeHistoryRequest({ format: 'extended', from: 0, to: 10, filter: [chat], limit: 5, cursor: undefined })))
    await waitFor(() => mail.stats().served === 1 || mail.stats().refused === 1, 'the request')
    expect(mail.stats()).toMatchObject({ served: 1, refused: 0 })
    await mail.stop()
    await real.close()
  })

  it('survives an onError that throws, and keeps retrying the archive', async () => {
    const real = await archive()
    let broken = true
    const flaky: Archive = { ...real, kind: real.kind, put: (e) => (broken ? Promise.reject(new Error('disk gone')) : real.put(e)), query: (q) => real.query(q), prune: (p) => real.prune(p), stats: () => real.stats(), close: () => real.close() }
    const host = new Host()
    const mail = createMailServer(host, { archive: flaky, symKey: KEY, flushIntervalMs: 5, onError: () => {
      throw new Error('a careless callback')
    } })
    mail.start()
    host.pool(1)
    await new Promise((r) => setTimeout(r, 50))
    broken = false
    await waitFor(() => mail.stats().archived === 1, 'the retry')
    await mail.stop()
    await real.close()
  })
})
