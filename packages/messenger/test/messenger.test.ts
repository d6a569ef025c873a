/**
 * The messenger service on the in-memory transport: the account, friends encrypted at rest,
 * conversations opened by public key (a friend's request accepted at once, a stranger's shown as
 * a request), 20 messages both ways with receipts, reject, close, and a restart.
 */
import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair } from '@hush/envelope'
import { type SessionTransport, createMemoryTransport } from '@hush/session'
import { bytesToHex } from '@noble/hashes/utils.js'
import { afterEach, describe, expect, it } from 'vitest'
import type { Messenger } from '../src/index.ts'
import { REQUEST_TOPIC } from '../src/index.ts'
import { cleanup, messenger, receipts, record, runCleanup, tempDir, texts, waitFor } from './fixtures.ts'

afterEach(runCleanup)

const someKey = (): string => `0x${bytesToHex(generateKeyPair().publicKey)}`

async function account(transport: SessionTransport, init: { autoAcceptFriends?: boolean } = {}): Promise<{ m: Messenger; dir: string; key: string }> {
  const dir = await tempDir()
  const m = messenger(dir, transport, init)
  const info = await m.createAccount('pw')
  return { m, dir, key: info.publicKey as string }
}

/** Alice and Bob with accounts on one transport, each the other's friend. */
async function mutualFriends(transport: SessionTransport): Promise<{ alice: Awaited<ReturnType<typeof account>>; bob: Awaited<ReturnType<typeof account>> }> {
  const alice = await account(transport)
  const bob = await account(transport)
  await alice.m.addFriend('bob', bob.key)
  await bob.m.addFriend('alice', alice.key)
  return { alice, bob }
}

/** Every file under `dir`, read whole. */
async function allBytes(dir: string): Promise<Buffer> {
  const parts: Buffer[] = []
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) parts.push(await readFile(join(entry.parentPath, entry.name)))
  }
  return Buffer.concat(parts)
}

describe('the account', () => {
  it('is created, locked, refused with a wrong password, and unlocked again', async () => {
    const transport = createMemoryTransport()
    const dir = await tempDir()
    const m = messenger(dir, transport)
    expect(await m.info()).toEqual({ exists: false, unlocked: false })
    await expect(m.unlock('pw')).rejects.toMatchObject({ name: 'NoAccountError' })
    const created = await m.createAccount('pw')
    expect(created).toMatchObject({ exists: true, unlocked: true })
    expect(created.publicKey).toMatch(/^0x04[0-9a-f]{128}$/)
    await expect(m.createAccount('pw')).rejects.toMatchObject({ name: 'AccountExistsError' })
    await m.lock()
    expect(await m.info()).toEqual({ exists: true, unlocked: false })
    expect(() => m.friends()).toThrow(expect.objectContaining({ name: 'LockedError' }))
    await expect(m.unlock('wrong')).rejects.toMatchObject({ name: 'WrongPasswordError' })
    expect(await m.unlock('pw')).toEqual(created)
    await expect(m.unlock('wrong')).rejects.toMatchObject({ name: 'WrongPasswordError' })
  })

  it('keeps friends added, renamed and removed, encrypted at rest', async () => {
    const transport = createMemoryTransport()
    const { m, dir } = await account(transport)
    const [bob, carol, dave] = [someKey(), someKey(), someKey()]
    await m.addFriend('Bobby Tables', bob)
    await m.addFriend('Carol Danvers', carol)
    await m.addFriend('Dave Lister', dave)
    await expect(m.addFriend('Bobby Tables', someKey())).rejects.toMatchObject({ name: 'FriendExistsError' })
    await expect(m.addFriend('Other', bob)).rejects.toMatchObject({ name: 'FriendExistsError' })
    await expect(m.addFriend('Bad', '0x04ff')).rejects.toThrow(TypeError)
    expect(await m.renameFriend(carol, 'Captain Marvel')).toEqual({ name: 'Captain Marvel', publicKey: carol })
    await expect(m.renameFriend(carol, 'Dave Lister')).rejects.toMatchObject({ name: 'FriendExistsError' })
    await expect(m.renameFriend(someKey(), 'Nobody')).rejects.toMatchObject({ name: 'NotFoundError' })
    await m.removeFriend(dave)
    await expect(m.removeFriend(dave)).rejects.toMatchObject({ name: 'NotFoundError' })
    await m.lock()
    await m.unlock('pw')
    expect(m.friends()).toEqual([
      { name: 'Bobby Tables', publicKey: bob },
      { name: 'Captain Marvel', publicKey: carol },
    ])
    const onDisk = await allBytes(dir)
    for (const secret of ['Bobby', 'Captain', 'Carol', 'Dave', bob.slice(4, 40), carol.slice(4, 40)]) {
      expect(onDisk.includes(secret), secret).toBe(false)
    }
  })
})

describe('conversations', () => {
  it('opens to a friend and carries 20 messages each way with receipts', async () => {
    const transport = createMemoryTransport()
    const { alice, bob } = await mutualFriends(transport)
    const atAlice = record(alice.m)
    const atBob = record(bob.m)
    const opened = await alice.m.open(bob.key)
    expect(opened).toMatchObject({ friend: bob.key, name: 'bob', role: 'opener', state: 'inviting' })
    await expect(alice.m.send(opened.id, 'too soon')).rejects.toMatchObject({ name: 'NotOpenError' })
    // Bob's node accepts a friend's request at once; both sides see the same conversation id.
    await waitFor(() => atAlice.some((e) => e.type === 'open') && atBob.some((e) => e.type === 'open'), 'open on both sides')
    expect(atBob.some((e) => e.type === 'request')).toBe(false)
    const [a] = alice.m.conversations()
    const [b] = bob.m.conversations()
    expect(a).toMatchObject({ id: opened.id, state: 'open', name: 'bob' })
    expect(b).toMatchObject({ id: opened.id, state: 'open', role: 'accepter', friend: alice.key, name: 'alice' })
    expect(a.safetyNumber).toBe(b.safetyNumber)

    const seqs: number[] = []
    for (let i = 1; i <= 20; i++) {
      seqs.push(await alice.m.send(opened.id, `a${i}`))
      await bob.m.send(opened.id, `b${i}`)
    }
    expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
    await waitFor(() => texts(atBob, opened.id).length === 20 && texts(atAlice, opened.id).length === 20, '20 messages each way')
    await waitFor(() => receipts(atAlice, opened.id).length === 20 && receipts(atBob, opened.id).length === 20, '20 receipts each way')
    expect(texts(atBob, opened.id)).toEqual(seqs.map((n) => `a${n}`))
    expect(texts(atAlice, opened.id)).toEqual(seqs.map((n) => `b${n}`))
    expect(receipts(atAlice, opened.id).sort((x, y) => x - y)).toEqual(seqs)
    expect(atAlice.concat(atBob).filter((e) => e.type === 'gap' || e.type === 'undelivered')).toEqual([])
    // The history an app shows after a reload: both directions, ours with their ticks.
    const history = alice.m.messages(opened.id)
    expect(history.filter((m) => m.direction === 'out')).toEqual(seqs.map((seq) => ({ direction: 'out', seq, text: `a${seq}`, atMs: expect.any(Number), state: 'delivered' })))
    expect(history.filter((m) => m.direction === 'in').map((m) => m.text)).toEqual(seqs.map((n) => `b${n}`))
    expect(() => alice.m.messages('0000000000000000')).toThrow(expect.objectContaining({ name: 'NotFoundError' }))
    await alice.m.lock()
    await alice.m.unlock('pw')
    expect(alice.m.messages(opened.id)).toEqual([])
  })

  it('shows a stranger as a request, and accepting it opens the conversation', async () => {
    const transport = createMemoryTransport()
    const alice = await account(transport)
    const bob = await account(transport)
    await alice.m.addFriend('bob', bob.key)
    const atAlice = record(alice.m)
    const atBob = record(bob.m)
    const opened = await alice.m.open(bob.key)
    await waitFor(() => atBob.some((e) => e.type === 'request'), 'the request')
    const [request] = bob.m.requests()
    expect(request).toMatchObject({ id: opened.id, from: alice.key })
    expect(request.name).toBeUndefined()
    expect(atBob.find((e) => e.type === 'request')).toEqual({ type: 'request', request })
    expect(bob.m.conversations()).toEqual([])
    const accepted = await bob.m.accept(request.id)
    expect(accepted).toMatchObject({ id: opened.id, role: 'accepter', state: 'pending' })
    expect(bob.m.requests()).toEqual([])
    await waitFor(() => atAlice.some((e) => e.type === 'open') && atBob.some((e) => e.type === 'open'), 'open on both sides')
    await bob.m.send(opened.id, 'hi, stranger')
    await waitFor(() => texts(atAlice, opened.id).length === 1, 'the reply')
    expect(texts(atAlice, opened.id)).toEqual(['hi, stranger'])
    await expect(bob.m.accept(request.id)).rejects.toMatchObject({ name: 'NotFoundError' })
  })

  it('sends the same request again when opened again while inviting, for a friend who missed it', async () => {
    let offsetMs = 0
    const transport = createMemoryTransport({ now: () => Date.now() + offsetMs })
    const alice = await account(transport)
    // No mail server for Bob: the memory transport's requestHistory would hand him the request.
    const bob = await account({ postEnvelope: transport.postEnvelope.bind(transport), subscribeEnvelopes: transport.subscribeEnvelopes.bind(transport) })
    await alice.m.addFriend('bob', bob.key)
    await bob.m.addFriend('alice', alice.key)
    await bob.m.lock()
    const atBob = record(bob.m)
    const first = await alice.m.open(bob.key)
    // Bob unlocks after the request expired from every pool: he never sees it.
    offsetMs = 10 * 60_000
    await bob.m.unlock('pw')
    await new Promise((r) => setTimeout(r, 300))
    expect(bob.m.conversations()).toEqual([])
    const again = await alice.m.open(bob.key)
    expect(again).toMatchObject({ id: first.id, state: 'inviting' })
    expect(alice.m.conversations()).toHaveLength(1)
    await waitFor(() => atBob.some((e) => e.type === 'open'), 'the conversation at Bob')
    expect(bob.m.conversations()).toMatchObject([{ id: first.id, state: 'open' }])
  })

  it('forgets a conversation whose request could not be posted', async () => {
    const transport = createMemoryTransport()
    const refusing = { ...transport, postEnvelope: async () => Promise.reject(new Error('the node refused the post')), subscribeEnvelopes: transport.subscribeEnvelopes.bind(transport) }
    const dir = await tempDir()
    const alice = messenger(dir, refusing)
    await alice.createAccount('pw')
    const bob = someKey()
    await alice.addFriend('bob', bob)
    await expect(alice.open(bob)).rejects.toThrow('the node refused the post')
    expect(alice.conversations()).toEqual([])
    await alice.lock()
    await alice.unlock('pw')
    expect(alice.conversations()).toEqual([])
  })

  it('sends nothing for a rejected request', async () => {
    const transport = createMemoryTransport()
    const alice = await account(transport)
    const bob = await account(transport)
    await alice.m.addFriend('bob', bob.key)
    const atBob = record(bob.m)
    const opened = await alice.m.open(bob.key)
    await waitFor(() => atBob.some((e) => e.type === 'request'), 'the request')
    const postedBefore = transport.posted.length
    expect(transport.posted.at(-1)?.topic).toEqual(REQUEST_TOPIC)
    await bob.m.reject(opened.id)
    expect(bob.m.requests()).toEqual([])
    await new Promise((r) => setTimeout(r, 1000))
    expect(transport.posted.length).toBe(postedBefore)
    expect(alice.m.conversations()).toMatchObject([{ id: opened.id, state: 'inviting' }])
    // Rejected is forgotten for good: the same request coming again (a catch-up) is not asked twice.
    await transport.requestHistory?.({ topics: [REQUEST_TOPIC], from: 0, to: 2 ** 32 - 1 })
    await new Promise((r) => setTimeout(r, 100))
    expect(bob.m.requests()).toEqual([])
  })

  it('closes with every key wiped and the state files deleted on both sides', async () => {
    const transport = createMemoryTransport()
    const { alice, bob } = await mutualFriends(transport)
    const atBob = record(bob.m)
    const atAlice = record(alice.m)
    const { id } = await alice.m.open(bob.key)
    await waitFor(() => atAlice.some((e) => e.type === 'open') && atBob.some((e) => e.type === 'open'), 'open')
    const sessions = (dir: string): Promise<string[]> => readdir(join(dir, 'account.sessions'))
    expect((await sessions(alice.dir)).some((f) => f.endsWith('.core'))).toBe(true)
    expect((await sessions(bob.dir)).some((f) => f.endsWith('.core'))).toBe(true)
    await alice.m.send(id, 'bye')
    await alice.m.close(id)
    expect(atAlice.find((e) => e.type === 'close')).toEqual({ type: 'close', conversation: id, reason: 'local' })
    await waitFor(() => atBob.some((e) => e.type === 'close'), 'the close at Bob')
    expect(atBob.find((e) => e.type === 'close')).toEqual({ type: 'close', conversation: id, reason: 'remote' })
    expect(texts(atBob, id)).toEqual(['bye'])
    expect(alice.m.conversations()).toMatchObject([{ id, state: 'closed' }])
    // The session package wipes the keys and unlinks the files (§11.4): no core is left on disk.
    let left: string[] = []
    const deadline = Date.now() + 10_000
    do left = (await sessions(alice.dir)).filter((f) => f.endsWith('.core'))
    while (left.length > 0 && Date.now() < deadline && (await new Promise((r) => setTimeout(r, 20))) === undefined)
    expect(left).toEqual([])
    await waitFor(() => bob.m.conversations()[0]?.state === 'closed', 'closed at Bob')
    await expect(alice.m.send(id, 'again')).rejects.toMatchObject({ name: 'NotFoundError' })
  })

  it('keeps a conversation across a restart of the account', async () => {
    const transport = createMemoryTransport()
    const { alice, bob } = await mutualFriends(transport)
    const atAlice = record(alice.m)
    const { id } = await alice.m.open(bob.key)
    await waitFor(() => alice.m.conversations()[0]?.state === 'open' && bob.m.conversations()[0]?.state === 'open', 'open')
    await bob.m.send(id, 'before')
    await waitFor(() => texts(atAlice, id).length === 1, 'the first message')
    await bob.m.lock()
    expect(() => bob.m.conversations()).toThrow(expect.objectContaining({ name: 'LockedError' }))
    // A new process over the same directory.
    const bob2 = messenger(bob.dir, transport)
    const atBob2 = record(bob2)
    await bob2.unlock('pw')
    expect(bob2.conversations()).toMatchObject([{ id, state: 'open', name: 'alice', role: 'accepter' }])
    await bob2.send(id, 'after')
    await alice.m.send(id, 'welcome back')
    await waitFor(() => texts(atAlice, id).length === 2 && texts(atBob2, id).length === 1, 'messages after the restart')
    expect(texts(atAlice, id)).toEqual(['before', 'after'])
    expect(texts(atBob2, id)).toEqual(['welcome back'])
    cleanup.push(() => bob2.lock())
  })
})
