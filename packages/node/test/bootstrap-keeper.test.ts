/*
 * Bootstrap peers are kept: one that is down when the node starts is connected once it comes up,
 * and one that restarts is connected again (real TCP on 127.0.0.1; a fixed peer key and port
 * stand for a node restarted with its data dir).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
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
})
