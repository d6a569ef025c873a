import { describe, expect, it } from 'vitest'
import type { HushNode, HushNodeInit } from '../src/index.ts'
import { type Status, encodeStatusFrame } from '../src/wire.ts'
import { rawEnvelope, rawEnvelopes } from './fixtures/envelopes.ts'
import { connect, startNodes, waitFor } from './fixtures/network.ts'
import { rawPeer } from './fixtures/raw-peer.ts'
import { stopAfterEach } from './fixtures/cleanup.ts'

/** A clock that stands still, so score decay and budget refills cannot blur exact counts. */
const frozen = (): (() => number) => {
  const t = Date.now()
  return () => t
}

const bansOf = (node: HushNode): string[] => {
  const bans: string[] = []
  node.services.shh.addEventListener('peer:ban', (e) => bans.push(e.detail.toString()))
  return bans
}

/*
 * Topology: raw peer H ──► V (the node under test), over TCP on 127.0.0.1. V accepts PoW 0, so
 * every envelope H makes up is valid unless a test makes it otherwise.
 */
describe('work a peer can make a node do', () => {
  const started = stopAfterEach()

  /** A victim (PoW 0, a frozen clock, `whisper` over that) with a raw peer H connected to it. */
  async function attacked(whisper: NonNullable<HushNodeInit['whisper']> = {}, status: Partial<Omit<Status, 'version'>> = {}) {
    started.nodes = await startNodes(1, { whisper: { minPow: 0, now: frozen(), ...whisper } })
    const [victim] = started.nodes
    const bans = bansOf(victim)
    const h = await rawPeer()
    started.peers = [h]
    await h.open(victim, status)
    return { victim, bans, h }
  }

  it('replaying an envelope it sent already costs the peer: banned after a dozen, the rest never processed', async () => {
    const { victim, bans, h } = await attacked()
    const envelope = rawEnvelope()
    h.sendEnvelopes([envelope])
    await waitFor(() => victim.services.shh.info().envelopes === 1, 5_000, 'the first copy')
    // 1000 copies per frame, 20 frames: 20,000 replays queued on the wire at once.
    const frame = Array.from({ length: 1000 }, () => envelope)
    for (let i = 0; i < 20 && h.sendEnvelopes(frame); i++);
    await waitFor(() => bans.length === 1, 5_000, 'the ban')
    expect(bans).toEqual([h.node.peerId.toString()])
    // +1 for the first delivery, −10 per repeat, ban below −100: the 11th repeat (−109) is the last one looked at.
    expect(victim.services.shh.info().duplicates).toBe(11)
  })

  it('replaying an envelope the node sent it costs the peer from the second copy on', async () => {
    started.nodes = await startNodes(2, { whisper: { minPow: 0, now: frozen() } })
    const [victim, honest] = started.nodes
    await connect(victim, honest)
    const bans = bansOf(victim)
    const h = await rawPeer()
    started.peers = [h]
    await h.open(victim)
    await waitFor(() => victim.services.shh.getPeers().length === 2, 5_000, 'the raw peer to be ready')
    await honest.services.shh.postEnvelope({ topic: new Uint8Array(4), data: new Uint8Array(8), ttlSeconds: 50 })
    await waitFor(() => h.envelopes().length === 1, 5_000, 'the victim to forward it to H')
    const [echo] = h.envelopes()
    const frame = Array.from({ length: 500 }, () => echo)
    for (let i = 0; i < 10 && h.sendEnvelopes(frame); i++);
    await waitFor(() => bans.length === 1, 5_000, 'the ban')
    // The first copy costs nothing (our copy and its may have crossed); then −10 per repeat, ban
    // below −100: the 11th repeat is the last one looked at.
    expect(victim.services.shh.info().duplicates).toBe(1 + 11)
  })

  it.each([
    ['told (code 20) it has them: soft drops, free only within the budget, then banned', 600, true],
    ['not told (under 512 B, no notice): free duplicates, never banned', 16, false],
  ])('sending back what another peer gave us, %s', async (_name, dataBytes, banned) => {
    // S ──► V ◄── H: S gives V envelopes; V tells H it has each (code 20, envelopes of 512 B and
    // more) and forwards them; H sends every one back. Soft-drop budget: 10/s, burst 20.
    const { victim, bans, h } = await attacked({ rateLimits: { softDropsPerSecond: 10 } })
    const s = await rawPeer()
    started.peers = [h, s]
    await s.open(victim)
    await waitFor(() => victim.services.shh.getPeers().length === 2, 5_000, 'both raw peers to be ready')
    const given = rawEnvelopes(150, { dataBytes })
    s.sendEnvelopes(given)
    await waitFor(() => h.envelopes().length === given.length, 5_000, 'V to forward them to H')
    h.sendEnvelopes(h.envelopes())
    await waitFor(() => victim.services.shh.info().duplicates + victim.services.shh.info().drops.expired >= 71 || bans.length > 0, 5_000, 'H\'s copies')
    if (banned) {
      await waitFor(() => bans.length === 1, 5_000, 'the ban')
      expect(bans).toEqual([h.node.peerId.toString()])
      // 20 free (the burst), then −2 each from +0 to below −100: 51 more.
      expect(victim.services.shh.info().duplicates).toBe(20 + 51)
    } else {
      await waitFor(() => victim.services.shh.info().duplicates === given.length, 5_000, 'every copy')
      expect(bans).toEqual([])
    }
  })

  it('soft drops (recently expired) are free only within a budget', async () => {
    const { victim, bans, h } = await attacked()
    // Sent 55 s ago with TTL 50: expired 5 s ago, within the 20 s past allowance (a soft drop).
    for (let i = 0; i < 4; i++) h.sendEnvelopes(rawEnvelopes(500, { sentOffsetSeconds: -55 }))
    await waitFor(() => bans.length === 1, 5_000, 'the ban')
    // The budget's burst of 1000 is free, then −2 each from 0 to below −100: 51 more.
    expect(victim.services.shh.info().drops.expired).toBe(1000 + 51)
  })

  it('a clock offset the peer declares is clamped: far-future envelopes cost it', async () => {
    // An hour ahead: without a clamp, every envelope 1000 s "in the future" is explained by it.
    const { victim, bans, h } = await attacked({}, { clockMs: Date.now() + 3_600_000 })
    h.sendEnvelopes(rawEnvelopes(30, { sentOffsetSeconds: 1000 }))
    await waitFor(() => bans.length === 1, 5_000, 'the ban')
    expect(victim.services.shh.info().drops['future-skew']).toBe(0)
    expect(victim.services.shh.info().drops.future).toBe(11)
  })

  it('a peer sending faster than its envelope budget is slowed down, not dropped and not banned', async () => {
    // A real clock: the budget refills with time.
    const { victim, bans, h } = await attacked({ rateLimits: { envelopesPerSecond: 500 }, now: Date.now })
    const startedAt = Date.now()
    for (let i = 0; i < 20; i++) h.sendEnvelopes(rawEnvelopes(100))
    await waitFor(() => victim.services.shh.info().envelopes === 2000, 15_000, 'every envelope')
    // A burst of 1000 (2 s worth), then 500/s. Each frame is charged, then handled, then the debt
    // is waited out: the last frame of 100 is handled once the 900 before it are paid, after 1.8 s.
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1800 - 20)
    expect(bans).toEqual([])
    expect(victim.services.shh.info().drops['rate-limited']).toBe(0)
  })

  it('the status frame alone makes no peer ready before it arrives', async () => {
    started.nodes = await startNodes(1)
    const [victim] = started.nodes
    const ready: string[] = []
    victim.services.shh.addEventListener('peer:ready', (e) => ready.push(e.detail.toString()))
    const h = await rawPeer()
    started.peers = [h]
    const stream = await h.node.dialProtocol(victim.getMultiaddrs()[0], '/shh/6.0.0', { signal: AbortSignal.timeout(5_000) })
    await waitFor(() => h.inbound.length === 1, 5_000, 'the victim to open its stream')
    expect(victim.services.shh.getPeers()).toEqual([])
    expect(ready).toEqual([])
    const { lengthPrefixed } = await import('../src/frame-decoder.ts')
    stream.send(lengthPrefixed(encodeStatusFrame({ minPow: 0.2, bloom: undefined, isLight: false, clockMs: Date.now(), maxSizeBytes: 1 << 20 })))
    await waitFor(() => ready.length === 1, 5_000, 'the ready event')
    expect(victim.services.shh.getPeers().map(String)).toEqual([h.node.peerId.toString()])
  })
})
