import { execFile, spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rpcCall } from '../src/rpc-client.ts'
import { HUSH_BIN as bin, type StartedNode, startHush as start } from './fixtures/hush-node.ts'

/*
 * The `hush` command as a person runs it: real child processes from the built package (dist),
 * two `hush start` nodes on loopback ports, `hush keys`, `hush post` on one and `hush watch` on
 * the other (house-style §3.8: tests that spawn the CLI use dist).
 */
const run = promisify(execFile)
const hush = (...args: string[]) => run(process.execPath, [bin, ...args], { timeout: 60_000, maxBuffer: 4 * 1024 * 1024 })

/** Runs `hush …` with `input` on its stdin; rejects like `hush` on a non-zero exit. */
function hushWithInput(input: string, ...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [bin, ...args], { timeout: 60_000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) =>
      err === null ? resolve({ stdout, stderr }) : reject(Object.assign(err, { stdout, stderr }))
    )
    child.stdin?.end(input)
  })
}

describe('the hush command', () => {
  const children: Pick<StartedNode, 'child' | 'exited'>[] = []
  /** A node for one test, stopped by afterAll if the test does not get that far. */
  const startOne = async (...flags: string[]): Promise<StartedNode> => {
    const node = await start(flags)
    children.push(node)
    return node
  }
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hush-cli-'))
  })
  afterAll(async () => {
    for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGTERM')
    await Promise.all(children.map((c) => c.exited))
    await rm(dir, { recursive: true, force: true })
  })

  it('two `hush start` nodes, `hush keys`, `hush post` on one and `hush watch` on the other', async () => {
    const a = await startOne()
    const b = await startOne('--bootstrap', a.listen)
    // Connected or not, visible: start prints its peers as they come, status and peers show them.
    const bId = /\/p2p\/(\S+)$/.exec(b.listen)?.[1]
    const aId = /\/p2p\/(\S+)$/.exec(a.listen)?.[1]
    for (let i = 0; i < 200 && !a.out().includes(`peer connected: ${bId} (1 now)`); i++) await new Promise((r) => setTimeout(r, 50))
    expect(a.out()).toContain(`peer connected: ${bId} (1 now)\n`)
    expect((await hush('peers', '--rpc', a.rpc)).stdout).toBe(`${bId}\n`)
    const shown = (await hush('status', '--rpc', b.rpc)).stdout
    const loopbackOnly = '(loopback only: other machines cannot reach this node; --listen /ip4/0.0.0.0/tcp/<port> lets them)'
    expect(shown).toBe(`node: ${b.rpc}\npeer id: ${bId}\nlistening: ${b.listen}\n${loopbackOnly}\npeers: 1\n${/envelopes: \d+ \(\d+ bytes\)/.exec(shown)?.[0]}\nminimum PoW: 0.01\n`)
    expect((await hush('peers', '--rpc', b.rpc)).stdout).toBe(`${aId}\n`)

    const { stdout: created } = await hush('keys', 'new', '--sym', '--rpc', a.rpc, '--data-dir', dir)
    const idA = created.trim()
    expect(idA).toMatch(/^[0-9a-f]{64}$/)
    const key = await rpcCall<string>({ url: a.rpc }, 'shh_getSymKey', [idA])
    const idB = await rpcCall<string>({ url: b.rpc }, 'shh_addSymKey', [key])
    const { stdout: listed } = await hush('keys', 'list', '--rpc', a.rpc, '--data-dir', dir)
    expect(listed).toBe(`${idA} symmetric on node\n`)
    // One list per node, even with one data dir: node B's key is not listed as A's, nor A's as B's "gone".
    const idB2 = (await hush('keys', 'new', '--sym', '--rpc', b.rpc, '--data-dir', dir)).stdout.trim()
    expect((await hush('keys', 'list', '--rpc', b.rpc, '--data-dir', dir)).stdout).toBe(`${idB2} symmetric on node\n`)
    expect((await hush('keys', 'list', '--rpc', a.rpc, '--data-dir', dir)).stdout).toBe(listed)

    // watch says on stderr that it waits, and shows the topic by the name given.
    const watcher = spawn(process.execPath, [bin, 'watch', '--rpc', b.rpc, '--sym-key-id', idB, '--topic', 'cli-test', '--topic', '0x0a0b0c0d', '--count', '1', '--interval', '50'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const watchExit = new Promise<number | null>((resolve) => watcher.once('exit', (code) => resolve(code)))
    children.push({ child: watcher, exited: watchExit })
    let watched = ''
    let status = ''
    watcher.stdout.on('data', (chunk: Buffer) => (watched += chunk.toString()))
    const waiting = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no waiting line in 20 s: ${status}`)), 20_000)
      watcher.stderr.on('data', (chunk: Buffer) => {
        status += chunk.toString()
        if (status.includes('\n')) {
          clearTimeout(timer)
          resolve()
        }
      })
    })
    await waiting
    expect(status).toBe('watching cli-test, 0x0a0b0c0d: waiting for messages (Ctrl-C to stop)\n')
    const { stdout: posted } = await hush('post', '--rpc', a.rpc, '--sym-key-id', idA, '--topic', 'cli-test', '--pow-target', '0.01', 'hello from the CLI')
    expect(posted.trim()).toMatch(/^0x[0-9a-f]{64}$/)
    expect(await watchExit).toBe(0)
    expect(watched).toMatch(/^\S+Z cli-test unsigned pow [0-9.]+: hello from the CLI\n$/)

    const { stdout: deleted } = await hush('keys', 'delete', idA, '--rpc', a.rpc, '--data-dir', dir)
    expect(deleted.trim()).toBe(`deleted ${idA}`)

    for (const c of [a, b]) c.child.kill('SIGTERM')
    expect(await a.exited).toBe(0)
    expect(await b.exited).toBe(0)
  }, 120_000)

  it('takes --rpc without a scheme, a key id with 0x, and a public key without 0x', async () => {
    const a = await startOne()
    const bare = a.rpc.replace(/^http:\/\//, '')
    const sym = (await hush('keys', 'new', '--sym', '--rpc', bare, '--data-dir', dir)).stdout.trim()
    const publicKey = /^public key: 0x([0-9a-f]{130})$/m.exec((await hush('keys', 'new', '--rpc', bare, '--data-dir', dir)).stdout)?.[1]
    expect(publicKey).toBeDefined()
    const post = (...args: string[]) => hush('post', '--rpc', bare, '--topic', 'flags', '--pow-target', '0.01', ...args, 'hi')
    expect((await post('--sym-key-id', `0x${sym}`)).stdout.trim()).toMatch(/^0x[0-9a-f]{64}$/)
    expect((await post('--pub-key', publicKey as string)).stdout.trim()).toMatch(/^0x[0-9a-f]{64}$/)
    a.child.kill('SIGTERM')
    expect(await a.exited).toBe(0)
  }, 60_000)

  it('`hush post -` reads a message over 128 KiB from stdin, `--file` from a file; an empty one needs --allow-empty', async () => {
    const a = await startOne()
    const sym = (await hush('keys', 'new', '--sym', '--rpc', a.rpc, '--data-dir', dir)).stdout.trim()
    // Over 128 KiB: one argument that long is refused by the kernel (E2BIG), so it must come another way.
    const fromStdin = `stdin ${'s'.repeat(200 * 1024)}`
    const fromFile = `file ${'f'.repeat(150 * 1024)}`
    await writeFile(join(dir, 'message.txt'), fromFile)
    const watching = hush('watch', '--rpc', a.rpc, '--sym-key-id', sym, '--topic', 'big', '--count', '2', '--interval', '50')
    watching.catch(() => undefined) // awaited below; not unhandled if a post fails first
    await new Promise((r) => setTimeout(r, 500))
    const post = ['post', '--rpc', a.rpc, '--sym-key-id', sym, '--topic', 'big', '--pow-target', '0.02', '--ttl', '10']
    expect((await hushWithInput(fromStdin, ...post, '-')).stdout.trim()).toMatch(/^0x[0-9a-f]{64}$/)
    expect((await hush(...post, '--file', join(dir, 'message.txt'))).stdout.trim()).toMatch(/^0x[0-9a-f]{64}$/)
    const lines = (await watching).stdout.trim().split('\n').map((line) => line.slice(line.indexOf(': ') + 2))
    expect(lines.sort()).toEqual([fromFile, fromStdin])

    await expect(hushWithInput('', ...post, '-')).rejects.toMatchObject({ code: 2, stderr: 'hush: the message is empty: give --allow-empty to post it anyway\n' })
    expect((await hushWithInput('', ...post, '--allow-empty', '-')).stdout.trim()).toMatch(/^0x[0-9a-f]{64}$/)
    a.child.kill('SIGTERM')
    expect(await a.exited).toBe(0)
  }, 90_000)

  it('post says before sealing when the node refuses the PoW target as below its minimum, and when --pow-time cannot reach it, in round numbers', async () => {
    const a = await startOne()
    const sym = (await hush('keys', 'new', '--sym', '--rpc', a.rpc, '--data-dir', dir)).stdout.trim()
    const post = ['post', '--rpc', a.rpc, '--sym-key-id', sym, '--topic', 'pow', '--ttl', '10']
    expect((await hush('status', '--rpc', a.rpc)).stdout).toContain('peers: 0 (isolated: nothing you post leaves this node;')
    expect((await hush('peers', '--rpc', a.rpc)).stdout).toBe('')
    // Below the node's minimum (0.01): refused before any sealing, naming the minimum.
    await expect(hush(...post, '--pow-target', '0.001', 'hi')).rejects.toMatchObject({
      code: 1,
      stderr: "hush: --pow-target 0.001 is below the node's minimum PoW 0.01: give --pow-target 0.01 or more\n",
    })
    // Out of reach in 1 s: warned before the node tries, then one line and exit 1.
    const started = Date.now()
    await expect(hush(...post, '--pow-target', '12345678912.3', '--pow-time', '1', 'hi')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /^! the node has no peers: the message stays on it until one connects \(`hush status` shows them\)\n! PoW 12300000000 takes ~(\d+ (d|h|min) \d+ (h|min|s)) on this machine, more than --pow-time 1 s: the post will likely fail \(raise --pow-time or lower --pow-target\)\nhush: the node did not reach PoW 12300000000 in --pow-time 1 s \(~\1 expected on this machine\): raise --pow-time or lower --pow-target\n$/
      ),
    })
    expect(Date.now() - started).toBeLessThan(30_000)
    a.child.kill('SIGTERM')
    expect(await a.exited).toBe(0)
  }, 60_000)

  it('shares a symmetric key between two nodes: from a password, or exported and imported (never on the command line)', async () => {
    const [a, b] = [await startOne(), await startOne()]
    const keyDir = join(dir, 'shared-keys')
    await writeFile(join(dir, 'key.pw'), 'a long shared passphrase\n')
    const derived = await Promise.all(
      [a, b].map(async (n) => (await hush('keys', 'new', '--sym', '--password-file', join(dir, 'key.pw'), '--rpc', n.rpc, '--data-dir', keyDir)).stdout.trim())
    )
    const exported = await Promise.all(derived.map(async (id, i) => (await hush('keys', 'export', id, '--rpc', [a, b][i]?.rpc ?? '')).stdout.trim()))
    expect(exported[0]).toMatch(/^0x[0-9a-f]{64}$/)
    expect(exported[1]).toBe(exported[0])
    // A random key: exported to a 0600 file, imported on the other node from stdin.
    const random = (await hush('keys', 'new', '--sym', '--rpc', a.rpc, '--data-dir', keyDir)).stdout.trim()
    const out = join(dir, 'random.key')
    expect((await hush('keys', 'export', random, '--out', out, '--rpc', a.rpc)).stdout).toBe('')
    expect((await stat(out)).mode & 0o777).toBe(0o600)
    const imported = (await hushWithInput(await readFile(out, 'utf8'), 'keys', 'import', '--rpc', b.rpc, '--data-dir', keyDir)).stdout.trim()
    expect((await hush('keys', 'export', imported, '--rpc', b.rpc)).stdout.trim()).toBe((await readFile(out, 'utf8')).trim())
    await expect(hush('keys', 'export', random, '--out', out, '--rpc', a.rpc)).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/^hush: cannot write .*EEXIST/) })
    await expect(hushWithInput('0x1234', 'keys', 'import', '--rpc', b.rpc, '--data-dir', keyDir)).rejects.toMatchObject({
      code: 1,
      stderr: 'hush: the key to import must be 0x and 64 hex digits (as `hush keys export` writes it)\n',
    })
    await expect(hush('keys', 'new', '--password-file', join(dir, 'key.pw'), '--rpc', a.rpc)).rejects.toMatchObject({ code: 2, stderr: 'hush: --from-password and --password-file need --sym\n' })
    for (const n of [a, b]) n.child.kill('SIGTERM')
    expect(await a.exited).toBe(0)
    expect(await b.exited).toBe(0)
  }, 90_000)

  it('start --ui serves a built app on the RPC port and says where', async () => {
    const app = join(dir, 'app')
    await mkdir(app, { recursive: true })
    await writeFile(join(app, 'index.html'), '<!doctype html><title>an app</title>')
    const node = await startOne('--ui', app)
    for (let i = 0; i < 100 && !node.out().includes('ui: '); i++) await new Promise((r) => setTimeout(r, 50))
    expect(node.out()).toContain(`ui: ${node.rpc}/ (open it in a browser on this machine)\n`)
    const page = await fetch(`${node.rpc}/`)
    expect(await page.text()).toBe('<!doctype html><title>an app</title>')
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'")
    node.child.kill('SIGTERM')
    expect(await node.exited).toBe(0)
  })

  it('start says when its --bootstrap peer gives no answer in 15 s, and keeps trying', async () => {
    // A port nothing listens on, and a well-formed peer id nobody has.
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as { port: number }).port
    await new Promise((resolve) => closed.close(resolve))
    const lonely = await startOne('--bootstrap', `/ip4/127.0.0.1/tcp/${port}/p2p/12D3KooWR8weBa2YjmSWQr6etYGEVHZfUsZrTJHusRXZczUB1sGU`)
    for (let i = 0; i < 400 && !lonely.out().includes('! no peer after 15 s'); i++) await new Promise((r) => setTimeout(r, 50))
    expect(lonely.out()).toContain('! no peer after 15 s: is each --bootstrap a `listening:` address of a running node? (still trying)\n')
    lonely.child.kill('SIGTERM')
    expect(await lonely.exited).toBe(0)
  }, 40_000)

  it('reports bad flags and unreachable nodes clearly', async () => {
    await expect(hush('post', '--rpc', 'http://127.0.0.1:9', '--sym-key-id', 'x', '--topic', 'a', 'hi')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('cannot reach the node at http://127.0.0.1:9'),
    })
    await expect(hush('post', '--topic', '0x123', '--sym-key-id', 'x', 'hi')).rejects.toMatchObject({
      stderr: expect.stringContaining('--topic must be 0x and 8 hex digits'),
    })
    await expect(hush('start', '--rpc-port', 'abc')).rejects.toMatchObject({ stderr: expect.stringContaining('--rpc-port must be an integer') })
    await expect(hush('post', '--topic', 'a', 'hi', '--rpc', 'http://127.0.0.1:9')).rejects.toMatchObject({
      stderr: expect.stringContaining('exactly one of --sym-key-id and --pub-key'),
    })
  }, 60_000)

  it('`hush demo` runs the whole story and prints a summary', async () => {
    const { stdout } = await hush('demo', '--nodes', '4', '--messages', '2', '--pow', '0.05')
    expect(stdout).toContain('Summary')
    expect(stdout).toMatch(/messages delivered\s+4 of 4, receipts 4/)
    expect(stdout).toMatch(/^ {2}hush:invite\?d=[A-Za-z0-9_-]{104}$/m)
    expect(stdout).toMatch(/safety number (\d{5} ){11}\d{5} \(the same on both sides/)
  }, 120_000)
})
