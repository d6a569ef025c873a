/*
 * The dialler of discovered peers is bounded: a flood of peer reports (a DHT answer is anyone's
 * data) gets at most MAX_DISCOVERY_DIALS dials at a time, a failed peer waits before the next, and
 * nothing is dialled while the node has the peers it wants (the churn test saw a dial-and-trim loop).
 */
import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { DISCOVERY_REDIAL_MS, DiscoveredPeerDialler, MAX_DISCOVERY_DIALS } from '../src/discovery.ts'

/** A stand-in for the libp2p node: dials wait until released, and are counted. */
function fakeNode() {
  const listeners = new Map<string, () => void>()
  const pending: Array<{ resolve: () => void; reject: (err: Error) => void }> = []
  let dials = 0
  const self = { equals: (other: unknown) => other === self, toString: () => 'self' }
  const node = {
    peerId: self,
    addEventListener: (type: string, listener: () => void) => listeners.set(type, listener),
    getConnections: () => [],
    dial: () => {
      dials++
      return new Promise<void>((resolve, reject) => pending.push({ resolve, reject }))
    },
  }
  return { node, start: () => listeners.get('start')?.(), pending, dials: () => dials }
}

const peer = (n: number) => {
  const id = { equals: () => false, toString: () => `peer-${n}` }
  return { id, multiaddrs: [multiaddr(`/ip4/10.0.${n >> 8}.${n & 255}/tcp/4001`)] }
}

describe('DiscoveredPeerDialler', () => {
  it('dials at most MAX_DISCOVERY_DIALS reported peers at once, however many are reported', async () => {
    const fake = fakeNode()
    const dialler = new DiscoveredPeerDialler()
    dialler.attach(fake.node as never)
    fake.start()
    for (let n = 0; n < 1000; n++) dialler.onPeer(peer(n) as never)
    expect(fake.dials()).toBe(MAX_DISCOVERY_DIALS)
    // One finishes: room for one more report.
    fake.pending.shift()?.resolve()
    await new Promise((r) => setTimeout(r, 0))
    dialler.onPeer(peer(2000) as never)
    dialler.onPeer(peer(2001) as never)
    expect(fake.dials()).toBe(MAX_DISCOVERY_DIALS + 1)
  })

  it('does not dial a peer again within DISCOVERY_REDIAL_MS of a failed dial', async () => {
    const fake = fakeNode()
    const dialler = new DiscoveredPeerDialler()
    dialler.attach(fake.node as never)
    fake.start()
    dialler.onPeer(peer(1) as never)
    fake.pending.shift()?.reject(new Error('refused'))
    await new Promise((r) => setTimeout(r, 0))
    dialler.onPeer(peer(1) as never)
    expect(fake.dials()).toBe(1)
    expect(DISCOVERY_REDIAL_MS).toBeGreaterThan(0)
  })

  it('dials nothing while the node has the peers it wants, and resumes when it wants more', () => {
    const fake = fakeNode()
    const dialler = new DiscoveredPeerDialler()
    let wanted = 0
    dialler.attach(fake.node as never, (dialling) => dialling < wanted)
    fake.start()
    for (let n = 0; n < 10; n++) dialler.onPeer(peer(n) as never)
    expect(fake.dials()).toBe(0)
    wanted = 2
    for (let n = 10; n < 20; n++) dialler.onPeer(peer(n) as never)
    expect(fake.dials()).toBe(2)
  })
})
