/**
 * The messenger over real nodes on 127.0.0.1 with a mail server between them: what is sent
 * while the friend's node is away (the request itself, then messages) arrives when it comes back
 * and unlocks, past the envelopes' TTL, so only the archive still holds them.
 *
 *   alice ── server (mail) ── bob        (bob's link is cut, and his account locked, while alice writes)
 */
import { afterEach, describe, expect, it } from 'vitest'
import { messenger, record, runCleanup, tempDir, texts, waitFor } from './fixtures.ts'
import { link, startMailServer, startNode, unlink, withMail } from './nodes.ts'

afterEach(runCleanup)

/** The envelopes' TTL in FAST_SESSION is 5 s: waiting longer leaves only the archive. */
const PAST_TTL_MS = 6_500

describe('the messenger with a mail server', () => {
  it('delivers a request and messages sent while the friend was offline when the friend returns', async () => {
    const [aliceNode, server, bobNode] = [await startNode(), await startNode(), await startNode()]
    const mail = await startMailServer(server, await tempDir())
    await link(aliceNode, server)
    await link(bobNode, server)
    const alice = messenger(await tempDir(), withMail(aliceNode, server))
    const bobDir = await tempDir()
    const bob = messenger(bobDir, withMail(bobNode, server))
    const aliceKey = (await alice.createAccount('pw')).publicKey as string
    const bobKey = (await bob.createAccount('pw')).publicKey as string
    await alice.addFriend('bob', bobKey)
    await bob.addFriend('alice', aliceKey)
    const atAlice = record(alice)
    const atBob = record(bob)

    // Bob goes away before Alice asks: the request waits in the archive only.
    await bob.lock()
    await unlink(bobNode, server)
    const archived = mail.stats().archived
    const { id } = await alice.open(bobKey)
    await waitFor(() => mail.stats().archived > archived, 'the request in the archive')
    await new Promise((r) => setTimeout(r, PAST_TTL_MS))
    await link(bobNode, server)
    await bob.unlock('pw')
    await waitFor(() => atAlice.some((e) => e.type === 'open') && atBob.some((e) => e.type === 'open'), 'the conversation to open', 30_000)
    await bob.send(id, 'back')
    await waitFor(() => texts(atAlice, id).length === 1, 'the first message')

    // Bob goes away again; Alice writes; Bob returns after the TTL and gets everything, in order.
    await bob.lock()
    await unlink(bobNode, server)
    const before = mail.stats().archived
    for (let i = 1; i <= 5; i++) await alice.send(id, `while away ${i}`)
    await waitFor(() => mail.stats().archived >= before + 5, 'the messages in the archive')
    await new Promise((r) => setTimeout(r, PAST_TTL_MS))
    await link(bobNode, server)
    await bob.unlock('pw')
    await waitFor(() => texts(atBob, id).length === 5, 'the messages sent while away', 30_000)
    expect(texts(atBob, id)).toEqual([1, 2, 3, 4, 5].map((i) => `while away ${i}`))
    expect(atBob.filter((e) => e.type === 'gap')).toEqual([])
    await alice.send(id, 'welcome back')
    await waitFor(() => texts(atBob, id).length === 6, 'the next message')
  }, 90_000)
})
