import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { type HushNode, createHushNode, loadOrCreatePeerKey } from '../src/index.ts'
import { stopAll, waitFor } from './fixtures/network.ts'

describe('createHushNode', () => {
  let nodes: HushNode[] = []
  let dir: string | undefined
  afterEach(async () => {
    await stopAll(nodes)
    nodes = []
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
    dir = undefined
  })

  it('keeps its peer id across restarts when given a data directory', async () => {
    dir = await mkdtemp(join(tmpdir(), 'hush-key-'))
    const first = await createHushNode({ dataDir: dir })
    const id = first.peerId.toString()
    await first.stop()
    const second = await createHushNode({ dataDir: dir })
    nodes = [second]
    expect(second.peerId.toString()).toBe(id)
    expect((await stat(join(dir, 'peer-key'))).mode & 0o777).toBe(0o600)
    const key = await loadOrCreatePeerKey(dir)
    expect((await readFile(join(dir, 'peer-key'))).length).toBeGreaterThan(32)
    expect(key.publicKey.toString()).toBe(second.peerId.publicKey?.toString())
  })

  it('connects to its bootstrap peers at start', async () => {
    const a = await createHushNode()
    nodes = [a]
    const b = await createHushNode({ bootstrap: [a.getMultiaddrs()[0].toString()] })
    nodes.push(b)
    await waitFor(() => a.services.shh.getPeers().length === 1 && b.services.shh.getPeers().length === 1, 10_000, 'the bootstrap connection')
  })

  it('still asks an app’s own connection gater beside the ban check', async () => {
    const a = await createHushNode()
    nodes = [a]
    const asked: string[] = []
    const b = await createHushNode({
      libp2p: {
        connectionGater: {
          denyDialPeer: (peerId) => {
            asked.push(peerId.toString())
            return true
          },
        },
      },
    })
    nodes.push(b)
    await expect(b.dial(a.getMultiaddrs()[0], { signal: AbortSignal.timeout(5_000) })).rejects.toThrow()
    expect(asked).toEqual([a.peerId.toString()])
  })

  it('rejects a malformed bootstrap address before starting anything', async () => {
    await expect(createHushNode({ bootstrap: ['not a multiaddr'] })).rejects.toThrow()
  })
})
