/**
 * Sessions survive a restart of either side (issue 13, docs/SESSION.md §12): invitations and
 * conversations are written before anything derived from them leaves, and a peer restored from
 * its store goes on where its last commit left off.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createMemoryTransport } from '../../src/memory-transport.ts'
import type { Conversation } from '../../src/v2/conversation.ts'
import { createSessionPeerV2, type SessionPeerV2, type SessionPeerV2Init } from '../../src/v2/session-peer.ts'
import { FileStateStore, MemoryStateStore } from '../../src/v2/state-store.ts'
import { Valve } from './valve.ts'
import { meet, read, text, until } from './wait.ts'

const FAST: SessionPeerV2Init = { ackDelayMs: 5, resendIntervalMs: 30, maxResendIntervalMs: 100, deliveryTimeoutMs: 20_000, gapTimeoutMs: 21_000 }
const STATE_KEY = new Uint8Array(32).fill(5)

describe('session v2 persistence', () => {
  const peers: SessionPeerV2[] = []
  let dir: string | undefined
  const fileStores: FileStateStore[] = []
  afterEach(async () => {
    for (const p of peers.splice(0)) p.stop()
    // Writes already under way finish before the directory goes.
    for (const s of fileStores.splice(0)) await s.idle()
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
    dir = undefined
  })
  const peer = (components: Parameters<typeof createSessionPeerV2>[1]): SessionPeerV2 => {
    const p = createSessionPeerV2(FAST, components)
    peers.push(p)
    return p
  }
  const inbox = (c: Conversation): string[] => {
    const got: string[] = []
    c.addEventListener('message', ({ detail }) => got.push(`${detail.seq}:${read(detail.payload)}`))
    return got
  }

  it('the inviter restarts mid-conversation and goes on: same keys, numbers that continue, messages sent meanwhile delivered', async () => {
    const bus = createMemoryTransport()
    const store = new MemoryStateStore()
    const bob = peer({ transport: bus, store })
    await bob.restore()
    const alice = peer({ transport: bus })
    const { toBob, toAlice } = await meet(alice, bob)
    const atBob = inbox(toAlice)
    const atAlice = inbox(toBob)
    await toBob.send(text('before'))
    await toAlice.send(text('from bob'))
    await until(() => atBob.length === 1 && atAlice.length === 1, 5_000, 'the first exchange')
    await toAlice.persisted()
    // Bob goes down; Alice writes meanwhile.
    bob.stop()
    for (const m of ['while', 'you', 'were down']) await toBob.send(text(m))
    const bob2 = peer({ transport: bus, store })
    await bob2.restore()
    expect(bob2.conversations.size).toBe(1)
    const [again] = [...bob2.conversations]
    expect(Buffer.from(again.peerStaticKey).equals(Buffer.from(toAlice.peerStaticKey))).toBe(true)
    expect(Buffer.from(again.ownStaticKey).equals(Buffer.from(toAlice.ownStaticKey))).toBe(true)
    const atBob2 = inbox(again)
    await until(() => atBob2.length === 3, 10_000, 'the messages sent while Bob was down')
    expect(atBob2).toEqual(['2:while', '3:you', '4:were down'])
    // Bob's numbers go on from where they were: his next message is number 2.
    expect(await again.send(text('back'))).toBe(2)
    await until(() => atAlice.length === 2, 5_000, 'the reply after the restart')
    expect(atAlice).toEqual(['1:from bob', '2:back'])
  })

  it('a join made before both sides restarted completes after: the pending invitation and the pending join come back from their files', async () => {
    dir = await mkdtemp(join(tmpdir(), 'hush-v2-restart-'))
    const bus = createMemoryTransport()
    const opened = (name: string): FileStateStore => {
      const store = new FileStateStore(join(dir as string, name), STATE_KEY)
      fileStores.push(store)
      return store
    }
    const bobStore = (): FileStateStore => opened('bob.sessions')
    const aliceStore = (): FileStateStore => opened('alice.sessions')
    const bob = peer({ transport: bus, store: bobStore() })
    await bob.restore()
    const created = bob.createInvitation()
    await created.saved
    bob.stop() // Bob is away before anyone joins
    const alice = peer({ transport: bus, store: aliceStore() })
    await alice.restore()
    const toBob = alice.join(created.uri)
    await toBob.send(text('early'))
    await toBob.persisted()
    alice.stop() // and Alice goes down too, still pending
    expect((await readdir(join(dir, 'alice.sessions'))).filter((f) => f.endsWith('.core'))).toHaveLength(1)
    // Both come back.
    const bob2 = peer({ transport: bus, store: bobStore() })
    const sessions: Conversation[] = []
    const got: string[] = []
    bob2.addEventListener('session', ({ detail }) => {
      detail.addEventListener('message', ({ detail: m }) => got.push(read(m.payload)))
      sessions.push(detail)
    })
    await bob2.restore()
    const alice2 = peer({ transport: bus, store: aliceStore() })
    await alice2.restore()
    expect(alice2.conversations.size).toBe(1)
    const [pending] = [...alice2.conversations]
    await until(() => pending.state === 'open' && got.length === 1, 10_000, 'the join and its early data after both restarts')
    expect(got).toEqual(['early'])
    expect(sessions).toHaveLength(1)
    // The invitation is consumed for good: its tombstone came back to disk, not the one-time key.
    const bob3Files = await readdir(join(dir, 'bob.sessions'))
    expect(bob3Files.filter((f) => f.endsWith('.inv'))).toHaveLength(1)
    expect(bob3Files.filter((f) => f.endsWith('.core'))).toHaveLength(1)
  })

  it('a consumption cut off between its two writes is completed at restore: a replayed message 1 opens nothing', async () => {
    const bus = createMemoryTransport()
    const store = new MemoryStateStore()
    const bob = peer({ transport: bus, store })
    await bob.restore()
    const alice = peer({ transport: bus })
    const created = bob.createInvitation()
    await created.saved
    const [[inviteId, pendingFile]] = [...(await store.load()).snapshots]
    const sessions: Conversation[] = []
    bob.addEventListener('session', ({ detail }) => sessions.push(detail))
    const toBob = alice.join(created.uri)
    await until(() => toBob.state === 'open' && sessions.length === 1, 5_000, 'the join')
    await sessions[0].persisted()
    // A crash after the session's core was written but before the tombstone: the pending value is back.
    bob.stop()
    await store.commit({ snapshots: [{ id: inviteId, kind: 1, value: pendingFile.value }] })
    const bob2 = peer({ transport: bus, store })
    const later: Conversation[] = []
    bob2.addEventListener('session', ({ detail }) => later.push(detail))
    await bob2.restore()
    expect(bob2.conversations.size).toBe(1)
    const msg1 = bus.posted.find((e) => e.data.length === 340)
    if (msg1 === undefined) throw new Error('no message 1 on the wire')
    await bus.postEnvelope({ topic: msg1.topic, data: msg1.data, ttlSeconds: 50 })
    await new Promise((r) => setTimeout(r, 100))
    expect(later).toEqual([])
    expect(bob2.conversations.size).toBe(1)
    const repaired = (await store.load()).snapshots.get(inviteId)
    expect(repaired?.value.length).toBeLessThan(pendingFile.value.length) // the tombstone, without the one-time key
  })

  it('writes ahead: no record leaves and no message is announced before the state behind it is stored', async () => {
    const bus = createMemoryTransport()
    const bobSide = new Valve(bus)
    const inner = new MemoryStateStore()
    let gate = Promise.withResolvers<void>()
    let holding = false
    const slow = {
      load: () => inner.load(),
      commit: async (changes: Parameters<MemoryStateStore['commit']>[0]) => {
        if (holding) await gate.promise
        return inner.commit(changes)
      },
    }
    const bob = peer({ transport: bobSide, store: slow })
    await bob.restore()
    const alice = peer({ transport: bus })
    const { toBob, toAlice } = await meet(alice, bob)
    await new Promise((r) => setTimeout(r, 50))
    const got = inbox(toAlice)
    holding = true
    const bobPostsBefore = bobSide.posts.length
    const sent = toAlice.send(text('held back'))
    await toBob.send(text('announced late'))
    await new Promise((r) => setTimeout(r, 100))
    // Bob sealed a record and took one, but has stored neither: nothing of his left, nothing announced.
    expect(bobSide.posts.slice(bobPostsBefore)).toEqual([])
    expect(got).toEqual([])
    holding = false
    gate.resolve()
    gate = Promise.withResolvers<void>()
    await sent
    await until(() => got.length === 1, 5_000, 'the announcement after the commit')
    expect(got).toEqual(['1:announced late'])
    expect(bobSide.posts.length).toBeGreaterThan(bobPostsBefore)
  })

  it('a closed conversation leaves no file behind', async () => {
    const bus = createMemoryTransport()
    const store = new MemoryStateStore()
    const bob = peer({ transport: bus, store })
    await bob.restore()
    const alice = peer({ transport: bus })
    const { toBob, toAlice } = await meet(alice, bob)
    await toBob.close()
    await until(() => toAlice.state === 'closed', 5_000, 'the remote close')
    await new Promise((r) => setTimeout(r, 50))
    const { snapshots } = await store.load()
    expect([...snapshots.values()].map((s) => s.kind)).toEqual([1]) // only the invitation's tombstone
  })
})
