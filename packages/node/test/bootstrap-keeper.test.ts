/*
 * Bootstrap peers are kept: one that is down when the node starts is connected once it comes up,
 * and one that restarts is connected again (real TCP on 127.0.0.1; a fixed peer key and port
 * stand for a node restarted with its data dir).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { BootstrapKeeper } from '../src/bootstrap-keeper.ts'
import { type HushNode, createHushNode } from '../src/index.ts'
import { stopAll, waitFor } from './fixtures/network.ts'

let nodes: HushNode[] = []
let dirs: string[] = []
afterEach(async () => {
  await stopAll(nodes)
  nodes = []
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
  dirs = []
})

/** A node with a persistent key in its own data dir, on `port` (0: a free one). */
async function startAt(dataDir: string, port: number, bootstrap?: string[]): Promise<HushNode> {
  const node = await createHushNode({ dataDir, listen: [`/ip4/127.0.0.1/tcp/${port}`], ...(bootstrap !== undefined && { bootstrap }) })
  nodes.push(node)
  return node
}

const connected = (node: HushNode, peer: string): boolean => node.services.shh.getPeers().some((p) => p.toString() === peer)

describe('bootstrap peers are kept', () => {
  it('a bootstrap peer that is down at start is connected once it comes up', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hush-keeper-'))
    dirs.push(dir)
    // Learn a free port and the peer id, then take that node down.
    const first = await startAt(dir, 0)
    const address = first.getMultiaddrs()[0]?.toString() as string
    const port = Number(/\/tcp\/(\d+)\//.exec(address)?.[1])
    const id = first.peerId.toString()
    await first.stop()
    const bDir = await mkdtemp(join(tmpdir(), 'hush-keeper-b-'))
    dirs.push(bDir)
    const b = await startAt(bDir, 0, [address])
    await new Promise((r) => setTimeout(r, 1_500))
    expect(connected(b, id)).toBe(false)
    await startAt(dir, port)
    await waitFor(() => connected(b, id), 15_000, 'the node to reach its bootstrap peer once it is up')
  }, 30_000)

  it('a bootstrap peer that restarts is connected again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hush-keeper-'))
    dirs.push(dir)
    const a = await startAt(dir, 0)
    const address = a.getMultiaddrs()[0]?.toString() as string
    const port = Number(/\/tcp\/(\d+)\//.exec(address)?.[1])
    const id = a.peerId.toString()
    const bDir = await mkdtemp(join(tmpdir(), 'hush-keeper-b-'))
    dirs.push(bDir)
    const b = await startAt(bDir, 0, [address])
    await waitFor(() => connected(b, id), 10_000, 'the first connection')
    await a.stop()
    await waitFor(() => !connected(b, id), 10_000, 'the disconnect')
    await startAt(dir, port)
    await waitFor(() => connected(b, id), 15_000, 'the node to reach its restarted bootstrap peer')
  }, 30_000)

  it('a bootstrap peer that drops us soon after every connection is re-dialled ever more slowly, and at once again after a connection held', async () => {
    vi.useFakeTimers()
    try {
      const id = '12D3KooWGzxzKZYveHXtpG6AsrUJBcWxHBFS2HsEoGTxrMLvKXtf'
      const listeners = new Map<string, (evt: { detail: unknown }) => void>()
      const dialledAt: number[] = []
      const node = {
        addEventListener: (type: string, listener: (evt: { detail: unknown }) => void) => listeners.set(type, listener),
        dial: async () => {
          dialledAt.push(Date.now())
        },
      }
      const drop = (): void => listeners.get('peer:disconnect')?.({ detail: { toString: () => id } })
      new BootstrapKeeper(node as never, [`/ip4/10.0.0.1/tcp/4001/p2p/${id}`], { minDelayMs: 1000, maxDelayMs: 60_000 })
      listeners.get('start')?.({ detail: undefined })
      await vi.advanceTimersByTimeAsync(0)
      // It trims us right after each connection: the re-dials wait 1, 2, 4, 8, 16 s.
      for (let i = 0; i < 5; i++) {
        drop()
        await vi.advanceTimersByTimeAsync(60_000)
      }
      // Drop i comes 60 s × i after the first dial; the re-dial after it waits 1 s × 2^i.
      expect(dialledAt.slice(1).map((t, i) => t - dialledAt[0] - 60_000 * i)).toEqual([1000, 2000, 4000, 8000, 16_000])
      // A connection that held for a minute resets the backoff: the next drop is re-dialled after 1 s.
      await vi.advanceTimersByTimeAsync(60_000)
      const before = dialledAt.length
      drop()
      await vi.advanceTimersByTimeAsync(1000)
      expect(dialledAt.length).toBe(before + 1)
    } finally {
      vi.useRealTimers()
    }
  })

  it('a lost bootstrap peer is re-dialled only while the node wants peers, and the first dial always goes', async () => {
    vi.useFakeTimers()
    try {
      const id = '12D3KooWGzxzKZYveHXtpG6AsrUJBcWxHBFS2HsEoGTxrMLvKXtf'
      const listeners = new Map<string, (evt: { detail: unknown }) => void>()
      let dials = 0
      let wants = false
      const node = {
        addEventListener: (type: string, listener: (evt: { detail: unknown }) => void) => listeners.set(type, listener),
        dial: async () => {
          dials++
        },
      }
      new BootstrapKeeper(node as never, [`/ip4/10.0.0.1/tcp/4001/p2p/${id}`], { minDelayMs: 1000, maxDelayMs: 60_000, wantsPeers: () => wants })
      listeners.get('start')?.({ detail: undefined })
      await vi.advanceTimersByTimeAsync(0)
      expect(dials).toBe(1)
      // Lost while the node has the peers it wants: no re-dial, however long.
      listeners.get('peer:disconnect')?.({ detail: { toString: () => id } })
      await vi.advanceTimersByTimeAsync(300_000)
      expect(dials).toBe(1)
      // Once it wants peers again, the put-off re-dial goes at its next turn (at most a minute).
      wants = true
      await vi.advanceTimersByTimeAsync(60_000)
      expect(dials).toBe(2)
    } finally {
      vi.useRealTimers()
    }
  })
})
