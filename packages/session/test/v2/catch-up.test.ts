/**
 * Starting a conversation while the inviter is offline (issue 13, docs/SESSION.md §5.3, §10.4):
 * message 1 and the joiner's early data wait in the archive (a mail server; here the in-memory
 * bus's record), and the inviter takes them when it comes back and catches up.
 */
import { describe, expect, it } from 'vitest'
import type { Envelope } from '@hush/envelope'
import { createMemoryTransport, type MemoryTransport } from '../../src/memory-transport.ts'
import type { AbortOptions, HistoryRange, SessionTransport, TransportPost, TransportPostOptions } from '../../src/transport.ts'
import type { Conversation } from '../../src/v2/conversation.ts'
import { createSessionPeerV2, type SessionPeerV2Init } from '../../src/v2/session-peer.ts'
import { read, text, until } from './wait.ts'


/** A side of the bus that hears nothing live while offline; its history requests still work. */
class Offline implements SessionTransport {
  offline = false
  readonly bus: MemoryTransport
  constructor(bus: MemoryTransport) {
    this.bus = bus
  }
  postEnvelope(post: TransportPost, options?: TransportPostOptions): Promise<Uint8Array> {
    return this.offline ? Promise.reject(new Error('offline')) : this.bus.postEnvelope(post, options)
  }
  subscribeEnvelopes(topics: readonly Uint8Array[], options?: AbortOptions): AsyncIterable<Envelope> {
    const source = this.bus.subscribeEnvelopes(topics, options)
    const side = this
    return {
      async *[Symbol.asyncIterator]() {
        for await (const e of source) if (!side.offline) yield e
      },
    }
  }
  requestHistory(range: HistoryRange, options?: AbortOptions): Promise<number> {
    return (this.bus.requestHistory as NonNullable<SessionTransport['requestHistory']>).call(this.bus, range, options)
  }
}

// Resends far apart, so that only the catch-up can bring the join while the test runs.
const SLOW_RESENDS: SessionPeerV2Init = { ackDelayMs: 5, resendIntervalMs: 60_000, maxResendIntervalMs: 60_000, deliveryTimeoutMs: 120_000 }

describe('session v2 catch-up', () => {
  it('accepts a join made while the inviter was offline, with its early data, once the inviter catches up', async () => {
    const bus = createMemoryTransport()
    const bobSide = new Offline(bus)
    const alice = createSessionPeerV2(SLOW_RESENDS, { transport: bus })
    const bob = createSessionPeerV2(SLOW_RESENDS, { transport: bobSide })
    try {
      const { uri } = bob.createInvitation()
      bobSide.offline = true
      const toBob = alice.join(uri)
      await toBob.send(text('hello while you were away'))
      await toBob.send(text('and again'))
      await new Promise((r) => setTimeout(r, 50))
      expect(toBob.state).toBe('pending')
      expect(bob.conversations.size).toBe(0)
      // Bob comes back.
      bobSide.offline = false
      const got: string[] = []
      const session = new Promise<Conversation>((resolve) => bob.addEventListener('session', ({ detail }) => {
        detail.addEventListener('message', ({ detail: m }) => got.push(read(m.payload)))
        resolve(detail)
      }, { once: true }))
      const fetched = await bob.catchUp()
      const toAlice = await session
      await until(() => got.length === 2 && toBob.state === 'open', 10_000, 'the early data and the open')
      expect(got).toEqual(['hello while you were away', 'and again'])
      expect(fetched).toBeGreaterThanOrEqual(3) // message 1 and the two early records
      // And the conversation goes on both ways.
      const back: string[] = []
      toBob.addEventListener('message', ({ detail }) => back.push(read(detail.payload)))
      await toAlice.send(text('back now'))
      await until(() => back.length === 1, 5_000, 'the reply')
      expect(back).toEqual(['back now'])
      // Catching up again brings nothing twice.
      const again = got.length
      await bob.catchUp()
      await new Promise((r) => setTimeout(r, 50))
      expect(got).toHaveLength(again)
      expect(bob.conversations.size).toBe(1)
    } finally {
      alice.stop()
      bob.stop()
    }
  })

  it('a conversation catches up what its peer sent while it was offline, across turn changes', async () => {
    const bus = createMemoryTransport()
    const bobSide = new Offline(bus)
    const alice = createSessionPeerV2(SLOW_RESENDS, { transport: bus })
    const bob = createSessionPeerV2(SLOW_RESENDS, { transport: bobSide })
    try {
      const invited = new Promise<Conversation>((resolve) => bob.addEventListener('session', ({ detail }) => resolve(detail), { once: true }))
      const toBob = alice.join(bob.createInvitation().uri)
      const toAlice = await invited
      await until(() => toBob.state === 'open', 5_000, 'the open')
      const got: string[] = []
      toAlice.addEventListener('message', ({ detail }) => got.push(read(detail.payload)))
      bobSide.offline = true
      for (let i = 1; i <= 5; i++) await toBob.send(text(`m${i}`))
      expect(got).toEqual([])
      bobSide.offline = false
      const fetched = await toAlice.catchUp()
      await until(() => got.length === 5, 5_000, 'the missed messages')
      expect(got).toEqual(['m1', 'm2', 'm3', 'm4', 'm5'])
      expect(fetched).toBeGreaterThanOrEqual(5)
    } finally {
      alice.stop()
      bob.stop()
    }
  })

  it('says clearly when the transport cannot fetch history', async () => {
    const bus = createMemoryTransport()
    const noHistory: SessionTransport = { postEnvelope: bus.postEnvelope.bind(bus), subscribeEnvelopes: bus.subscribeEnvelopes.bind(bus) }
    const peer = createSessionPeerV2({}, { transport: noHistory })
    await expect(peer.catchUp()).rejects.toThrow(new TypeError('the transport has no requestHistory: it cannot fetch history'))
    peer.stop()
  })
})

describe('listening on a topic the peer already used', () => {
  it('the inviter takes early data from the transport\'s pool when it accepts, with no history and no resend', async () => {
    const bus = createMemoryTransport()
    // No requestHistory on either side: only what the transport holds can bring the early data in time.
    const noHistory: SessionTransport = { postEnvelope: bus.postEnvelope.bind(bus), subscribeEnvelopes: bus.subscribeEnvelopes.bind(bus) }
    const alice = createSessionPeerV2(SLOW_RESENDS, { transport: noHistory })
    const bob = createSessionPeerV2(SLOW_RESENDS, { transport: noHistory })
    try {
      const got: string[] = []
      bob.addEventListener('session', ({ detail }) => detail.addEventListener('message', ({ detail: m }) => got.push(read(m.payload))))
      const { uri } = bob.createInvitation()
      // Bob hears message 1 but, for a moment, nothing else: the early data misses his subscription.
      const toBob = alice.join(uri)
      await toBob.send(text('posted before Bob listened on chain A1'))
      await until(() => toBob.state === 'open', 5_000, 'the open')
      await until(() => got.length === 1, 2_000, 'the early data, from the pool')
      expect(got).toEqual(['posted before Bob listened on chain A1'])
    } finally {
      alice.stop()
      bob.stop()
    }
  })
})
