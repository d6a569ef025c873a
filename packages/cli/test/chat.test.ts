import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { HUSH_BIN as bin } from './fixtures/hush-node.ts'

/*
 * `hush account` and `hush chat` as real child processes from dist: Bob invites (with his
 * account's session identity), Alice joins through Bob's node and types at once (early data),
 * lines go both ways with receipts, both print the same safety number, end of input closes both.
 */
const run = promisify(execFile)
const env = { ...process.env, HUSH_PASSWORD: 'correct horse battery staple' }
const hush = (...args: string[]) => run(process.execPath, [bin, ...args], { timeout: 60_000, env })

/** Collects a child's stdout and resolves when `pattern` appears (bounded). */
function until(child: ChildProcess, output: { text: string }, pattern: RegExp, timeoutMs = 30_000): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const m = pattern.exec(output.text)
      if (m !== null) {
        clearTimeout(timer)
        child.stdout?.off('data', check)
        resolve(m)
        return true
      }
      return false
    }
    const timer = setTimeout(() => reject(new Error(`no ${pattern} in ${timeoutMs} ms: ${output.text}`)), timeoutMs)
    if (!check()) child.stdout?.on('data', check)
  })
}

function chat(args: string[]): { child: ChildProcess; output: { text: string }; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [bin, 'chat', ...args, '--min-pow', '0.01', ...(args.includes('--listen') ? [] : ['--listen', '/ip4/127.0.0.1/tcp/0'])], { env, stdio: ['pipe', 'pipe', 'pipe'] })
  const output = { text: '' }
  child.stdout.on('data', (chunk: Buffer) => (output.text += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output.text += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, output, exited }
}

describe('hush account and hush chat', () => {
  let dir: string | undefined
  const children: ChildProcess[] = []
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM')
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  })

  it('two people chat over a session v2 conversation between two nodes', async () => {
    dir = await mkdtemp(join(tmpdir(), 'hush-chat-'))
    const alice = join(dir, 'alice.account')
    const bob = join(dir, 'bob.account')
    const alicePub = (await hush('account', 'create', '--account', alice)).stdout.trim()
    const bobPub = (await hush('account', 'create', '--account', bob)).stdout.trim()
    expect(alicePub).toMatch(/^0x04[0-9a-f]{128}$/)
    await hush('account', 'add-friend', 'bob', bobPub, '--account', alice)
    await hush('account', 'add-friend', 'alice', alicePub, '--account', bob)
    // Your own key is no friend, and a known friend's key changes only with --replace.
    await expect(hush('account', 'add-friend', 'me', alicePub, '--account', alice)).rejects.toMatchObject({
      code: 1,
      stderr: 'hush: cannot add me: that is your own public key\n',
    })
    const other = '0x0483de45459068f40d9379972737933f7b3f7883703e96640a97e43a7a2aeb2225c566dff8c66d0975088e885b257fbfe82b39ddaf0d41ee3a7b9e2444df0e7789'
    await expect(hush('account', 'add-friend', 'bob', other, '--account', alice)).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^hush: bob is already a friend with another key \(0x04[0-9a-f]{14}…\): give --replace to change it\n$/),
    })
    expect((await hush('account', 'show', '--account', alice)).stdout).toContain(`bob: ${bobPub}`)
    await hush('account', 'add-friend', 'bob', other, '--replace', '--account', alice)
    expect((await hush('account', 'show', '--account', alice)).stdout).toContain(`bob: ${other}`)
    await expect(hush('account', 'create', '--account', alice)).rejects.toMatchObject({ stderr: expect.stringContaining('exists already') })
    await expect(run(process.execPath, [bin, 'account', 'show', '--account', alice, '--password', 'wrong'], { timeout: 60_000 })).rejects.toMatchObject({
      stderr: expect.stringContaining('wrong password'),
    })

    const b = chat(['--invite', '--identity', 'account', '--account', bob])
    children.push(b.child)
    const [, address] = await until(b.child, b.output, /^listening: (\S+)$/m)
    const [, uri] = await until(b.child, b.output, /^(hush:invite\?d=[A-Za-z0-9_-]{104})$/m)
    await until(b.child, b.output, /waiting for the join/)
    const a = chat(['--join', uri, '--bootstrap', address])
    children.push(a.child)
    // Typed before the conversation opens: early data.
    a.child.stdin?.write('hi Bob, before you answered\n')
    await until(b.child, b.output, /^peer> hi Bob, before you answered$/m)
    await until(a.child, a.output, /^✓ #1$/m)
    const safety = /safety number[^\n]*\n {2}(\d{5}(?: \d{5}){3})\n {2}(\d{5}(?: \d{5}){3})\n {2}(\d{5}(?: \d{5}){3})$/m
    const [, ...atAlice] = await until(a.child, a.output, safety)
    const [, ...atBob] = await until(b.child, b.output, safety)
    expect(atAlice).toEqual(atBob)
    b.child.stdin?.write('hi Alice\n')
    await until(a.child, a.output, /^peer> hi Alice$/m)
    await until(b.child, b.output, /^✓ #1$/m)
    a.child.stdin?.end()
    await until(a.child, a.output, /^session closed \(local\)$/m)
    expect(await a.exited).toBe(0)
    await until(b.child, b.output, /^session closed \(remote\)$/m)
    expect(await b.exited).toBe(0)
  }, 120_000)

  it('Ctrl-D after the other person left ends with one line, not a stack (exit 1)', async () => {
    const b = chat(['--invite'])
    children.push(b.child)
    const [, address] = await until(b.child, b.output, /^listening: (\S+)$/m)
    const [, uri] = await until(b.child, b.output, /^(hush:invite\?d=[A-Za-z0-9_-]{104})$/m)
    const a = chat(['--join', uri, '--bootstrap', address])
    children.push(a.child)
    await until(a.child, a.output, /^session is open/m)
    await until(b.child, b.output, /^session is open/m)
    // Alice is gone without a word; Bob's Ctrl-D then waits 30 s for an acknowledgement that never comes.
    a.child.kill('SIGKILL')
    await a.exited
    b.child.stdin?.end()
    expect(await b.exited).toBe(1)
    expect(b.output.text).toMatch(/\nhush: closed without the other person's acknowledgement \(no answer in 30 s: they may have left\)\n$/)
    expect(b.output.text).not.toMatch(/^\s+at /m)
  }, 90_000)

  it('a second join of a used invitation (someone else, or the joiner restarted) is refused and said on both sides, never taken silently', async () => {
    const b = chat(['--invite'])
    children.push(b.child)
    const [, address] = await until(b.child, b.output, /^listening: (\S+)$/m)
    const [, uri] = await until(b.child, b.output, /^(hush:invite\?d=[A-Za-z0-9_-]{104})$/m)
    const a = chat(['--join', uri, '--bootstrap', address])
    children.push(a.child)
    await until(a.child, a.output, /^session is open/m)
    await until(b.child, b.output, /^session is open/m)
    // Someone else who got hold of the invitation joins it while Alice is there, and types.
    const m = chat(['--join', uri, '--bootstrap', address])
    children.push(m.child)
    m.child.stdin?.write('hi Bob, it is Mallory\n')
    const again =
      '! someone joined this invitation again (the other person restarting their chat, or anyone else holding it): refused and not answered (an invitation is for one join)\n' +
      '! you are still talking to whoever joined first (the safety number above); if they restarted, this conversation is over for them: Ctrl-D, then send a new invitation\n'
    const reported = (times: number) => new RegExp(`(?:^! someone joined this invitation again[^]*){${times}}`, 'm')
    await until(b.child, b.output, reported(1))
    // Bob still talks to Alice: his line reaches her, not Mallory.
    b.child.stdin?.write('only for Alice\n')
    await until(a.child, a.output, /^peer> only for Alice$/m)
    await until(b.child, b.output, /^✓ #1$/m)
    // Alice restarts her chat with the same invitation: refused too, and said again.
    a.child.kill('SIGKILL')
    await a.exited
    const a2 = chat(['--join', uri, '--bootstrap', address])
    children.push(a2.child)
    a2.child.stdin?.write('Alice again\n')
    await until(b.child, b.output, reported(2))
    // The joiners are told why no one answers.
    const noAnswer = /^! no answer in 20 s \(still trying\): is the inviter's chat running, and --bootstrap one of its `listening:` addresses\? An invitation is for one join: if it was joined before \(also by you, in an earlier run\), it is refused: ask for a new one$/m
    await until(m.child, m.output, noAnswer, 40_000)
    await until(a2.child, a2.output, noAnswer, 40_000)
    expect(b.output.text.split(again)).toHaveLength(3)
    expect(b.output.text.match(/^session is open/gm)).toHaveLength(1)
    expect(b.output.text).not.toMatch(/Mallory|Alice again/)
    for (const joiner of [m, a2]) expect(joiner.output.text).not.toMatch(/^(?:session is open|✓|peer>)/m)
    for (const c of [b, m, a2]) c.child.kill('SIGKILL')
  }, 120_000)

  it('says it runs its own node, and warns when --bootstrap reaches no one in 15 s', async () => {
    const gone = chat(['--invite'])
    children.push(gone.child)
    const [, address] = await until(gone.child, gone.output, /^listening: (\S+)$/m)
    expect(gone.output.text).toMatch(/^chat runs a node of its own \(not a `hush start` node\); the other person passes one of these to --bootstrap:\nlistening: /m)
    gone.child.kill('SIGKILL')
    await gone.exited
    const lonely = chat(['--invite', '--bootstrap', address])
    children.push(lonely.child)
    await until(lonely.child, lonely.output, /^! no peer reached in 15 s: is --bootstrap a `listening:` address the other side printed/m, 30_000)
    await until(lonely.child, lonely.output, /^waiting for the join/m)
    lonely.child.stdin?.end()
    expect(await lonely.exited).toBe(0)
  }, 60_000)

  it('refuses a malformed invitation and a missing mode', async () => {
    await expect(hush('chat', '--join', 'hush:invite?d=AAAA', '--min-pow', '0.01', '--listen', '/ip4/127.0.0.1/tcp/0')).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('not a valid invitation'),
    })
    await expect(hush('chat')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('exactly one of --invite and --join') })
    await expect(hush('chat', '--invite', '--identity', 'nobody')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('--identity must be') })
  }, 120_000)
})
