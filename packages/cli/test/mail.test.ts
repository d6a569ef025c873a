import { execFile } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { startPostgres } from '../../mail/test/fixtures/postgres.ts'
import { rpcCall } from '../src/rpc-client.ts'
import { HUSH_BIN as bin, type StartedNode as Started, startHush } from './fixtures/hush-node.ts'

/*
 * `hush start --mail` and `hush history` as a person runs them, from the built package (dist):
 *
 *   server: hush start --mail (LevelDB under its data dir)   ◄── shh_post × 3 (TTL 1 s)
 *           SIGKILL after `archived 3`, started again on the same data dir
 *   client: hush start --bootstrap <server>                  ◄── hush history --peer <server>
 *
 * The envelopes expired before the client connected, so only the mail server can deliver them.
 */
const run = promisify(execFile)
const hush = (args: string[], env: Record<string, string> = {}) => run(process.execPath, [bin, ...args], { timeout: 60_000, env: { ...process.env, ...env } })
/** For a `hush start` that must fail: loopback and a data dir of its own, should it get far enough to start a node. */
const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0', '--data-dir', mkdtempSync(join(tmpdir(), 'hush-cli-mail-refused-'))]

function waitForOutput(s: Started, pattern: RegExp, timeoutMs = 10_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const match = pattern.exec(s.out())
      if (match !== null) return resolve(match)
      if (Date.now() > deadline) return reject(new Error(`no ${pattern} in ${timeoutMs} ms: ${s.out()}`))
      setTimeout(check, 20)
    }
    check()
  })
}

const CHAT_KEY = `0x${'42'.repeat(32)}`

/** Marks `server` trusted on `client` (which throws until the peer is ready) and adds the chat key there; returns its id. */
async function trustAndAddKey(client: Started, server: Started): Promise<string> {
  for (let tries = 0; ; tries++) {
    try {
      await rpcCall({ url: client.rpc }, 'shh_markTrustedPeer', [server.peerId])
      break
    } catch (err) {
      if (tries > 100) throw err
      await sleep(50)
    }
  }
  return rpcCall<string>({ url: client.rpc }, 'shh_addSymKey', [CHAT_KEY])
}
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

describe('hush start --mail and hush history', () => {
  const children: Started[] = []
  let dir: string | undefined
  afterAll(async () => {
    for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGTERM')
    await Promise.all(children.map((c) => c.exited))
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  })

  it('archives durably (across SIGKILL), then `hush history` prints the messages and the progress line', async () => {
    dir = await mkdtemp(join(tmpdir(), 'hush-cli-mail-'))
    const passwordFile = join(dir, 'mail-password')
    await writeFile(passwordFile, 'mail server password\n')
    const serverDir = join(dir, 'server')

    const first = await startHush(['--mail', '--mail-password-file', passwordFile, '--data-dir', serverDir])
    children.push(first)
    await waitForOutput(first, /^mail: archive \S+ \(LevelDB, 0 envelopes; each write is fsynced before it counts as archived\)$/m)
    expect(first.out()).toContain(`mail: archive ${join(serverDir, 'mail')} `)
    const keyId = await rpcCall<string>({ url: first.rpc }, 'shh_addSymKey', [CHAT_KEY])
    for (let i = 0; i < 3; i++) {
      await rpcCall({ url: first.rpc }, 'shh_post', [{ symKeyID: keyId, topic: '0x11223344', payload: `0x${Buffer.from(`old news ${i}`).toString('hex')}`, ttl: 1, powTarget: 0.01, powTime: 2 }])
    }
    await waitForOutput(first, /^archived 3$/m)
    // `archived 3` promises durability: a crash right after it loses none of the three.
    first.child.kill('SIGKILL')
    await first.exited

    const server = await startHush(['--mail', '--mail-password-file', passwordFile, '--data-dir', serverDir])
    children.push(server)
    await waitForOutput(server, /^mail: archive \S+ \(LevelDB, 3 envelopes;/m)
    await sleep(1500) // the TTL of 1 s is over: the envelopes live only in the archive now
    const client = await startHush(['--bootstrap', server.listen])
    children.push(client)
    // shh_markTrustedPeer throws until the peer is connected and ready.
    const chatId = await trustAndAddKey(client, server)

    const printed = await hush(['history', '--rpc', client.rpc, '--peer', server.listen, '--topic', '0x11223344', '--from', '10m', '--sym-key-id', chatId, '--page-size', '2', '--password-file', passwordFile])
    expect(printed.stdout.trim().split('\n').map((l) => l.replace(/^.* pow [0-9.]+: /, '')).sort()).toEqual(['old news 0', 'old news 1', 'old news 2'])
    expect(printed.stdout).toMatch(/^\d{4}-\d\d-\d\dT\S+Z 0x11223344 unsigned pow [0-9.]+: old news 0$/m)
    // Not a terminal: only the final progress line, on stderr.
    expect(printed.stderr).toBe('history: 2 pages, 3 envelopes\n')

    const counted = await hush(['history', '--rpc', client.rpc, '--peer', server.peerId, '--from', '10m', '--to', 'now', '--count-only'], { HUSH_MAIL_PASSWORD: 'mail server password' })
    expect(counted.stdout).toBe('3\n')
    expect(counted.stderr).toBe('history: 1 page, 3 envelopes\n')

    expect(await rpcCall({ url: server.rpc }, 'shhext_mailStats')).toMatchObject({ archived: 0, pending: 0 })
    for (const c of [server, client]) c.child.kill('SIGTERM')
    expect(await server.exited).toBe(0)
    expect(await client.exited).toBe(0)
  }, 90_000)

  it('serves after kill -9 under write load every envelope it had acknowledged (counted)', async () => {
    dir ??= await mkdtemp(join(tmpdir(), 'hush-cli-mail-'))
    const passwordFile = join(dir, 'crash-password')
    await writeFile(passwordFile, 'crash password\n')
    const serverDir = join(dir, 'crash-server')
    const first = await startHush(['--mail', '--mail-password-file', passwordFile, '--data-dir', serverDir])
    children.push(first)
    await waitForOutput(first, /^mail: archive \S+ \(LevelDB, 0 envelopes;/m)
    const keyId = await rpcCall<string>({ url: first.rpc }, 'shh_addSymKey', [CHAT_KEY])
    // The load: numbered posts one after another (so the archive's order is their order) until the kill.
    let posted = 0
    let killed = false
    const load = (async () => {
      while (!killed) {
        try {
          await rpcCall({ url: first.rpc }, 'shh_post', [{ symKeyID: keyId, topic: '0x55667788', payload: `0x${Buffer.from(`msg ${posted}`).toString('hex')}`, ttl: 600, powTarget: 0.01, powTime: 2 }])
          posted++
        } catch {
          return // the server is gone
        }
      }
    })()
    const seen = await waitForOutput(first, /^archived ([2-9]\d{2,}|\d{4,})$/m, 30_000)
    // Kill at once, mid-load: the last `archived` line printed is what was acknowledged.
    first.child.kill('SIGKILL')
    killed = true
    await first.exited
    await load
    const acknowledged = Math.max(...[...first.out().matchAll(/^archived (\d+)$/gm)].map((m) => Number(m[1])))
    expect(acknowledged).toBeGreaterThanOrEqual(Number(seen[1]))
    expect(posted).toBeGreaterThanOrEqual(acknowledged)

    const server = await startHush(['--mail', '--mail-password-file', passwordFile, '--data-dir', serverDir])
    children.push(server)
    const held = Number((await waitForOutput(server, /^mail: archive \S+ \(LevelDB, (\d+) envelopes;/m))[1])
    expect(held).toBeGreaterThanOrEqual(acknowledged)
    const client = await startHush(['--bootstrap', server.listen])
    children.push(client)
    const chatId = await trustAndAddKey(client, server)
    const printed = await hush(['history', '--rpc', client.rpc, '--peer', server.peerId, '--topic', '0x55667788', '--from', '10m', '--sym-key-id', chatId, '--page-size', '1000', '--password-file', passwordFile])
    const served = new Set([...printed.stdout.matchAll(/: msg (\d+)$/gm)].map((m) => Number(m[1])))
    // The archive is in arrival order, which is posting order: the first `acknowledged` are msg 0 … acknowledged − 1.
    const missing = Array.from({ length: acknowledged }, (_, i) => i).filter((i) => !served.has(i))
    expect(missing).toEqual([])
    expect(served.size).toBe(held)
    for (const c of [server, client]) c.child.kill('SIGTERM')
    await Promise.all([server.exited, client.exited])
  }, 90_000)

  it('archives into PostgreSQL with --mail-store postgres (the connection string not printed), and checks the retention flags', async () => {
    dir ??= await mkdtemp(join(tmpdir(), 'hush-cli-mail-'))
    const pg = await startPostgres()
    try {
      const env = { HUSH_MAIL_PASSWORD: 'pg password', HUSH_MAIL_POSTGRES_URL: pg.connectionString }
      const server = await startHush(['--mail', '--mail-store', 'postgres', '--mail-max-age', '1h', '--data-dir', join(dir, 'pg-server')], env)
      children.push(server)
      await waitForOutput(server, /^mail: archive postgres:\/\/127\.0\.0\.1:\d+\/postgres \(PostgreSQL, 0 envelopes; each write is committed before it counts as archived\)$/m)
      expect(server.out()).not.toContain('postgres@') // the connection string's user and password are not printed
      const keyId = await rpcCall<string>({ url: server.rpc }, 'shh_addSymKey', [CHAT_KEY])
      for (let i = 0; i < 3; i++) {
        await rpcCall({ url: server.rpc }, 'shh_post', [{ symKeyID: keyId, topic: '0x99887766', payload: `0x${Buffer.from(`pg ${i}`).toString('hex')}`, ttl: 60, powTarget: 0.01, powTime: 2 }])
      }
      await waitForOutput(server, /^archived 3$/m)
      expect(await rpcCall({ url: server.rpc }, 'shhext_mailStats')).toMatchObject({ archived: 3, pruned: 0 })
      server.child.kill('SIGTERM')
      expect(await server.exited).toBe(0)
      await expect(hush(['start', '--mail', '--mail-store', 'postgres', '--rpc-port', '0', ...LOOPBACK], { HUSH_MAIL_PASSWORD: 'x', HUSH_MAIL_POSTGRES_URL: '' })).rejects.toMatchObject({ code: 2, stderr: 'hush: --mail-store postgres needs the connection string in $HUSH_MAIL_POSTGRES_URL\n' })
      await expect(hush(['start', '--mail', '--mail-max-age', '3 days', '--rpc-port', '0', ...LOOPBACK], { HUSH_MAIL_PASSWORD: 'x' })).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('--mail-max-age must be a duration') })
    } finally {
      await pg.stop()
    }
  }, 90_000)

  it('reports bad flags with one line and exit code 2 (more cases in options.test.ts)', async () => {
    const cases: [string[], RegExp][] = [
      [['history', '--count-only'], /required option '--peer <peer>' not specified/],
      [['history', '--peer', 'x', '--count-only', '--from', 'yesterday'], /^hush: --from must be unix seconds, "now", or an age like 90s, 30m, 2h, 7d; got "yesterday"\n$/],
      [['history', '--peer', 'x'], /^hush: give --sym-key-id or --key-id to print the messages, or --count-only\n$/],
      [['start', '--mail', '--rpc-port', '0', ...LOOPBACK], /^hush: the mail password is missing: give --mail-password-file <file> or set HUSH_MAIL_PASSWORD, or run hush on a terminal to be asked for it\n$/],
    ]
    await Promise.all(cases.map(([args, stderr]) => expect(hush(args, { HUSH_MAIL_PASSWORD: '' })).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(stderr) })))
  }, 60_000)
})
