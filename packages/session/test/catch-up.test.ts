/**
 * Session.catchUp over the in-memory bus, whose record of posts doubles as a mail server's
 * archive: a receiver that missed everything (loss 1) while its topics rotated several times
 * fetches the history and gets every message in order, exactly once.
 */
import { describe, expect, it } from 'vitest'
import type { SessionTransport } from '../src/transport.ts'
import { connectedPair, sleep, stopPair, utf8, waitFor } from './fixtures.ts'

describe('Session.catchUp', () => {
  it('fetches what arrived while offline, across rotated topics, in order and exactly once', async () => {
    const periodMs = 80
    const p = await connectedPair({ settings: { topicRotationMs: periodMs, deliveryTimeoutMs: 300, gapTimeoutMs: 10_000 } })
    await p.a.send(utf8('before'))
    await waitFor(() => p.rb.messages.length === 1, 'the first message')
    // Bob goes offline: nothing reaches anyone, and Alice keeps writing for several epochs.
    p.transport.faults.loss = 1
    for (let i = 1; i <= 6; i++) {
      await p.a.send(utf8(`offline ${i}`))
      await sleep(periodMs / 2)
    }
    await waitFor(() => p.ra.undelivered.length === 6, "Alice's delivery deadline")
    await sleep(2 * periodMs)
    expect(p.rb.messages).toHaveLength(1)
    p.transport.faults.loss = 0
    const fetched = await p.b.catchUp()
    expect(fetched).toBeGreaterThanOrEqual(6) // resends too: the archive holds every post
    expect(p.rb.messages.map((m) => m.text)).toEqual(['before', ...Array.from({ length: 6 }, (_, i) => `offline ${i + 1}`)])
    expect(p.rb.gaps).toEqual([])
    expect(p.b.stats.duplicates).toBeGreaterThan(0)
    // A second catch-up brings the same records again: nothing is delivered twice.
    await p.b.catchUp()
    expect(p.rb.messages).toHaveLength(7)
    // The conversation goes on.
    await p.a.send(utf8('after'))
    await waitFor(() => p.rb.messages.length === 8, 'the next message')
    stopPair(p)
  })

  it('needs a transport that can fetch history, and an open session', async () => {
    const p = await connectedPair({ wrapBob: (t) => ({ postEnvelope: t.postEnvelope.bind(t), subscribeEnvelopes: t.subscribeEnvelopes.bind(t) }) satisfies SessionTransport })
    await expect(p.b.catchUp()).rejects.toMatchObject({ name: 'TypeError', message: expect.stringContaining('requestHistory') })
    await p.a.close()
    await waitFor(() => p.a.state === 'closed', 'close')
    await expect(p.a.catchUp()).rejects.toMatchObject({ name: 'SessionClosedError' })
    await expect(p.a.catchUp({ signal: AbortSignal.abort(new Error('no')) })).rejects.toThrow()
    stopPair(p)
  })

  it('starts from before the outage even when the peer\'s next message arrived live first', async () => {
    let offset = 0
    const now = (): number => Date.now() + offset
    const p = await connectedPair({ now, settings: { topicRotationMs: 0, ttlSeconds: 5, deliveryTimeoutMs: 300, gapTimeoutMs: 60_000 } })
    await p.a.send(utf8('before'))
    await waitFor(() => p.rb.messages.length === 1 && p.ra.receipts.length === 1, 'the first message and its ack')
    // An hour offline: Alice's six messages reach nobody.
    p.transport.faults.loss = 1
    offset += 3_600_000
    for (let i = 1; i <= 6; i++) await p.a.send(utf8(`offline ${i}`))
    await waitFor(() => p.ra.undelivered.length === 6, "Alice's delivery deadline")
    // Another hour; Bob is back, and Alice's next message arrives live before Bob catches up.
    offset += 3_600_000
    p.transport.faults.loss = 0
    await p.a.send(utf8('live'))
    await sleep(100)
    expect(p.rb.messages).toHaveLength(1) // 'live' waits behind the missing numbers
    await p.b.catchUp()
    expect(p.rb.messages.map((m) => m.text)).toEqual(['before', ...Array.from({ length: 6 }, (_, i) => `offline ${i + 1}`), 'live'])
    expect(p.rb.gaps).toEqual([])
    stopPair(p)
  })

  it('joins a catch-up already running instead of starting another', async () => {
    const p = await connectedPair()
    const first = p.b.catchUp()
    const second = p.b.catchUp()
    expect(second).toBe(first)
    await first
    stopPair(p)
  })
})
