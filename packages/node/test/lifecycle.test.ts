import { topicFromString } from '@hush/envelope'
import { describe, expect, it } from 'vitest'
import { NotStartedError } from '../src/index.ts'
import { connect, startNodes, stopAll, waitFor } from './fixtures/network.ts'

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

/** Handles that would keep the process alive: sockets, servers and timers. */
function liveHandles(): string[] {
  return process
    .getActiveResourcesInfo()
    .filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap' || r === 'Timeout')
    .sort()
}

describe('lifecycle', () => {
  it('stop() releases every socket, server and timer it created', async () => {
    const before = liveHandles()
    const nodes = await startNodes(3)
    await connect(nodes[0], nodes[1])
    await connect(nodes[1], nodes[2])
    const topic = topicFromString('lifecycle')
    const sym = nodes[0].services.shh.newSymKey()
    const ac = new AbortController()
    const sub = nodes[2].services.shh.subscribeEnvelopes([topic], { signal: ac.signal })
    const reading = (async () => {
      for await (const _ of sub) ac.abort()
    })()
    await nodes[0].services.shh.post({ symKeyID: sym, topic, payload: utf8('x') })
    await reading
    expect(liveHandles().length).toBeGreaterThan(before.length)
    await stopAll(nodes)
    const count = (list: string[], kind: string): number => list.filter((k) => k === kind).length
    const released = (): boolean => ['TCPSocketWrap', 'TCPServerWrap', 'Timeout'].every((k) => count(liveHandles(), k) <= count(before, k))
    await waitFor(released, 5_000, 'handles to close')
    expect(count(liveHandles(), 'TCPServerWrap')).toBe(count(before, 'TCPServerWrap'))
  })

  it('start and stop are idempotent, and posting needs a started node', async () => {
    const [node] = await startNodes(1)
    const shh = node.services.shh
    await shh.start()
    expect(shh.isStarted()).toBe(true)
    await node.stop()
    await shh.stop()
    expect(shh.isStarted()).toBe(false)
    const sym = shh.newSymKey()
    await expect(shh.post({ symKeyID: sym, topic: topicFromString('t'), payload: utf8('x') })).rejects.toThrow(
      expect.objectContaining({ name: 'NotStartedError' })
    )
    expect(new NotStartedError().name).toBe('NotStartedError')
  })

  it('subscriptions end when the node stops', async () => {
    const [node] = await startNodes(1)
    const done = (async () => {
      const got: unknown[] = []
      for await (const e of node.services.shh.subscribeEnvelopes([topicFromString('t')])) got.push(e)
      return got
    })()
    await node.stop()
    await expect(done).resolves.toEqual([])
  })
})
