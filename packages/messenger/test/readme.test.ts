/*
 * The README's usage example, run as a test. The code between the markers must appear verbatim
 * (dedented) in README.md, so the two cannot drift apart.
 */
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createMessenger } from '@hush/messenger'
import { createMemoryTransport } from '@hush/session'
import { describe, expect, it } from 'vitest'

describe('README example', () => {
  it('runs, and README.md shows exactly this code', async () => {
    const root = await mkdtemp(join(tmpdir(), 'hush-messenger-readme-'))
    const received: string[] = []
    // README:begin
    const transport = createMemoryTransport() // a real node: `node.services.shh`
    const alice = createMessenger({ dir: join(root, 'alice') }, { transport })
    const bob = createMessenger({ dir: join(root, 'bob') }, { transport })
    const { publicKey: aliceKey } = await alice.createAccount('alice password')
    const { publicKey: bobKey } = await bob.createAccount('bob password')
    await alice.addFriend('Bob', bobKey as string)

    // Alice is not Bob's friend: her request waits for Bob to accept it.
    bob.onEvent(async (event) => {
      if (event.type === 'request' && event.request.from === aliceKey) await bob.accept(event.request.id)
      if (event.type === 'message') received.push(event.text)
    })
    const opened = new Promise<string>((resolve) =>
      alice.onEvent((event) => {
        if (event.type === 'open') resolve(event.conversation.id)
      })
    )
    await alice.open(bobKey as string)
    const conversation = await opened
    await alice.send(conversation, 'hello, Bob') // resolves to the message number, 1
    await alice.close(conversation) // waits for Bob's ack; then every key is wiped
    await alice.lock()
    await bob.lock()
    // README:end

    expect(received).toEqual(['hello, Bob'])
    await rm(root, { recursive: true, force: true })
    const source = readFileSync(new URL(import.meta.url), 'utf8')
    const region = source.slice(source.indexOf('// README:begin\n') + 16, source.indexOf('    // README:end'))
    const dedented = region.replace(/^ {4}/gm, '')
    expect(dedented).toContain('createMessenger(')
    expect(readFileSync(new URL('../README.md', import.meta.url), 'utf8')).toContain(dedented)
  })
})
