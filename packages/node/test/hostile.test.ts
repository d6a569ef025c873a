import { encodeEnvelope, topicFromString } from '@hush/envelope'
import type { Libp2p, Stream } from '@libp2p/interface'
import { afterEach, describe, expect, it } from 'vitest'
import { encodeLengthPrefix, lengthPrefixed } from '../src/frame-decoder.ts'
import { type HushNode, PROTOCOL_ID } from '../src/index.ts'
import { encodeMessagesFrame, encodeStatusFrame } from '../src/wire.ts'
import { collect, connect, startNodes, stopAll, waitFor } from './fixtures/network.ts'
import { plainLibp2p } from './fixtures/raw-peer.ts'

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

/** A libp2p node that speaks /shh/6.0.0 by hand: it sends whatever the test gives it. */
async function hostilePeer(): Promise<Libp2p> {
  const node = await plainLibp2p()
  // Accept (and ignore) the stream the victim opens back to us.
  await node.handle(PROTOCOL_ID, (stream) => {
    stream.addEventListener('message', () => {})
  })
  return node
}

async function openTo(hostile: Libp2p, victim: HushNode): Promise<Stream> {
  return hostile.dialProtocol(victim.getMultiaddrs()[0], PROTOCOL_ID, { signal: AbortSignal.timeout(5_000) })
}

const status = (): Uint8Array =>
  lengthPrefixed(encodeStatusFrame({ minPow: 0.2, bloom: undefined, isLight: false, clockMs: Date.now(), maxSizeBytes: 1 << 20 }))

const nowSeconds = (): number => Math.floor(Date.now() / 1000)

/** The honest node's message still reaches the victim, exactly once. */
async function expectHonestTraffic(honest: HushNode, victim: HushNode): Promise<void> {
  const topic = topicFromString('still-working')
  const sym = honest.services.shh.newSymKey()
  const id = victim.services.shh.addSymKey(honest.services.shh.getSymKey(sym))
  const filter = victim.services.shh.newMessageFilter({ symKeyID: id, topics: [topic] })
  await honest.services.shh.post({ symKeyID: sym, topic, payload: utf8('ok') })
  const got = await collect(victim, filter, 1, 10_000)
  await new Promise((r) => setTimeout(r, 50))
  got.push(...victim.services.shh.getFilterMessages(filter))
  expect(got.map((m) => new TextDecoder().decode(m.payload))).toEqual(['ok'])
}

/*
 * Topology: hostile H ──► V (victim) ── A (honest). A keeps talking to V throughout.
 */
describe('a hostile peer', () => {
  let nodes: HushNode[] = []
  let hostile: Libp2p | undefined
  afterEach(async () => {
    await stopAll(nodes)
    await hostile?.stop()
    nodes = []
    hostile = undefined
  })

  it('sending malformed and oversized frames is cut off and refused, by stream and by connection gater; honest traffic flows', async () => {
    nodes = await startNodes(2)
    const [victim, honest] = nodes
    await connect(victim, honest)
    hostile = await hostilePeer()
    const bans: string[] = []
    victim.services.shh.addEventListener('peer:ban', (e) => bans.push(e.detail.toString()))

    const attacks: Uint8Array[] = [
      Uint8Array.of(...status(), ...lengthPrefixed(Uint8Array.of(0xde, 0xad, 0xbe, 0xef))), // not RLP
      encodeLengthPrefix(2 * 1024 * 1024 + 5), // oversized length prefix
      Uint8Array.of(0x81, 0x80, 0x80, 0x80, 0x00), // varint longer than the limit needs
      lengthPrefixed(Uint8Array.of(0xc1, 0x01)), // first frame not a status
    ]
    for (const attack of attacks) {
      if (bans.length > 0) break
      const stream = await openTo(hostile, victim).catch(() => undefined)
      if (stream === undefined) break
      stream.send(attack)
      await waitFor(() => victim.services.shh.getPeers().every((p) => !p.equals(hostile!.peerId)) || bans.length > 0, 5_000, 'the stream to be dropped')
      await new Promise((r) => setTimeout(r, 50))
    }
    await waitFor(() => bans.length > 0, 5_000, 'the hostile peer to be banned')
    expect(bans).toEqual([hostile.peerId.toString()])
    expect(victim.services.shh.info().drops['malformed-frame']).toBeGreaterThanOrEqual(3)
    // Refused while banned: a new /shh/ stream on the open connection is closed unread (other
    // protocols on it are not ours to close), and once that connection ends, the connection
    // gater refuses a new one.
    const again = await openTo(hostile, victim).catch(() => undefined)
    if (again !== undefined) {
      try {
        again.send(status())
      } catch {
        // the victim closed it already
      }
      await new Promise((r) => setTimeout(r, 100))
      expect(victim.services.shh.getPeers().some((p) => p.equals(hostile!.peerId))).toBe(false)
    }
    expect(victim.services.shh.isBanned(hostile.peerId)).toBe(true)
    await hostile.hangUp(victim.peerId)
    // The dialer may finish its side of the upgrade before the victim refuses it: either way no
    // connection survives.
    await hostile.dial(victim.getMultiaddrs()[0], { signal: AbortSignal.timeout(5_000) }).catch(() => undefined)
    await waitFor(
      () => victim.getConnections(hostile!.peerId).length === 0 && hostile!.getConnections(victim.peerId).length === 0,
      5_000,
      'no connection to the banned peer'
    )

    // Honest traffic keeps flowing.
    await expectHonestTraffic(honest, victim)
  })

  it('sending low-PoW, long-expired and far-future envelopes is counted, dropped and banned; memory stays bounded', async () => {
    nodes = await startNodes(2)
    const [victim, honest] = nodes
    await connect(victim, honest)
    hostile = await hostilePeer()
    const bans: string[] = []
    victim.services.shh.addEventListener('peer:ban', (e) => bans.push(e.detail.toString()))
    const stream = await openTo(hostile, victim)
    stream.send(status())
    const topic = topicFromString('junk')
    const now = nowSeconds()
    const junk = (i: number, expiry: number, ttl: number): Uint8Array =>
      encodeEnvelope({ expiry, ttl, topic, data: new Uint8Array(2000).fill(i & 0xff), nonce: BigInt(i) })
    // 300 envelopes of 2 KB in frames of 30: each kind below the victim's rules.
    let sent = 0
    for (let batch = 0; batch < 10 && bans.length === 0; batch++) {
      const envelopes: Uint8Array[] = []
      for (let i = 0; i < 30; i++, sent++) {
        const kind = sent % 3
        envelopes.push(kind === 0 ? junk(sent, now + 50, 50) : kind === 1 ? junk(sent, now - 100, 50) : junk(sent, now + 1000, 50))
      }
      try {
        stream.send(lengthPrefixed(encodeMessagesFrame(envelopes)))
      } catch {
        break
      }
      await new Promise((r) => setTimeout(r, 20))
    }
    await waitFor(() => bans.length > 0, 5_000, 'the hostile peer to be banned')
    const info = victim.services.shh.info()
    expect(info.envelopes).toBe(0)
    expect(info.memory).toBe(0)
    expect(info.drops['expired-far']).toBeGreaterThan(0)
    expect(info.drops.future).toBeGreaterThan(0)
    // A nonce of i rarely reaches PoW 0.2 for a 2 KB envelope; most are refused for it.
    expect(info.drops['low-pow']).toBeGreaterThan(0)

    await expectHonestTraffic(honest, victim)
  })

  it('flooding frames past the rate limit is dropped and costs the peer; a skewed clock is a soft error', async () => {
    nodes = await startNodes(1, { whisper: { rateLimits: { packetsPerSecond: 20 } } })
    const [victim] = nodes
    hostile = await hostilePeer()
    const bans: string[] = []
    victim.services.shh.addEventListener('peer:ban', (e) => bans.push(e.detail.toString()))
    const stream = await openTo(hostile, victim)
    // Our clock claims to be 60 s ahead: envelopes sent 30 s "in the future" are explained by it.
    stream.send(lengthPrefixed(encodeStatusFrame({ minPow: 0.2, bloom: undefined, isLight: false, clockMs: Date.now() + 60_000, maxSizeBytes: 1 << 20 })))
    const topic = topicFromString('skew')
    const skewed = encodeEnvelope({ expiry: nowSeconds() + 30 + 50, ttl: 50, topic, data: new Uint8Array(10), nonce: 1n })
    stream.send(lengthPrefixed(encodeMessagesFrame([skewed])))
    await waitFor(() => victim.services.shh.info().drops['future-skew'] === 1, 5_000, 'the soft future drop')
    expect(victim.services.shh.info().drops.future).toBe(0)
    for (let i = 0; i < 400 && bans.length === 0; i++) {
      try {
        stream.send(lengthPrefixed(encodeMessagesFrame([])))
      } catch {
        break
      }
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 1))
    }
    await waitFor(() => bans.length > 0, 5_000, 'the flooding peer to be banned')
    expect(victim.services.shh.info().drops['rate-limited']).toBeGreaterThan(0)
  })
})
