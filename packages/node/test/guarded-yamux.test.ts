import type { MultiaddrConnection, Transport, Upgrader } from '@libp2p/interface'
import { tcp } from '@libp2p/tcp'
import { describe, expect, it } from 'vitest'
import { stopAfterEach } from './fixtures/cleanup.ts'
import { startNodes, waitFor } from './fixtures/network.ts'

/** TCP, recording each dialled connection as it is before libp2p upgrades it (Noise, then yamux). */
function recordingTcp(dialled: MultiaddrConnection[]): (components: any) => Transport {
  return (components) => {
    const transport = tcp()(components)
    const dial = transport.dial.bind(transport)
    transport.dial = (ma, options) => {
      const upgrader: Upgrader = Object.create(options.upgrader)
      upgrader.upgradeOutbound = ((maConn: MultiaddrConnection, opts: never) => {
        dialled.push(maConn)
        return options.upgrader.upgradeOutbound(maConn, opts)
      }) as Upgrader['upgradeOutbound']
      return dial(ma, { ...options, upgrader })
    }
    return transport
  }
}

/*
 * Topology: A ── B, over TCP on 127.0.0.1; A dials.
 */
describe('guardedYamux (the muxer createHushNode uses)', () => {
  const started = stopAfterEach()

  it('aborts a new stream whose connection starts closing before the stream is opened, and the node carries on', async () => {
    const escaped: unknown[] = []
    const record = (err: unknown): void => {
      escaped.push(err)
    }
    process.on('uncaughtException', record)
    process.on('unhandledRejection', record)
    try {
      const dialled: MultiaddrConnection[] = []
      const [a] = await startNodes(1, { transports: [recordingTcp(dialled)] })
      const [b] = await startNodes(1)
      started.nodes = [a, b]
      const connection = await a.dial(b.getMultiaddrs()[0], { signal: AbortSignal.timeout(10_000) })
      expect(dialled).toHaveLength(1)

      // yamux creates the stream now and sends its SYN (the first window update) in a microtask;
      // the TCP connection starts closing in the same tick, before that microtask runs.
      const opening = connection.newStream('/ipfs/ping/1.0.0', { signal: AbortSignal.timeout(10_000) })
      const closing = dialled[0].close()
      await expect(opening).rejects.toThrow()
      await closing
      await waitFor(() => !a.getConnections().includes(connection), 10_000, 'A to drop the connection')
      expect(connection.status).not.toBe('open')

      // A still works: a new connection, a new yamux stream on it, a round trip.
      const rttMs = await a.services.ping.ping(b.getMultiaddrs()[0], { signal: AbortSignal.timeout(10_000) })
      expect(rttMs).toBeGreaterThanOrEqual(0)
      expect(escaped).toEqual([])
    } finally {
      process.off('uncaughtException', record)
      process.off('unhandledRejection', record)
    }
  })
})
