/*
 * Issue 14 item 8: two people on two machines, with the defaults. Two network namespaces stand in
 * for the machines. `hush start` with no --listen listens on every interface at the documented
 * port (4001) and prints the addresses another machine dials, its RPC stays on the machine's own
 * loopback, and a restart keeps the peer id and the port (the default data dir holds the key).
 */
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HUSH_BIN } from './fixtures/hush-node.ts'
import { type Host, createHostPair } from './fixtures/netns.ts'

interface Running {
  child: ChildProcess
  out: () => string
  /** Resolves with the first match of `pattern` in the output, waiting at most `ms`. */
  waitFor: (pattern: RegExp, ms?: number) => Promise<RegExpExecArray>
  exited: Promise<number | null>
}

function watchOutput(child: ChildProcess): Running {
  let out = ''
  const waiters = new Set<() => void>()
  const onData = (chunk: Buffer): void => {
    out += chunk.toString()
    for (const wake of waiters) wake()
  }
  child.stdout?.on('data', onData)
  child.stderr?.on('data', onData)
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return {
    child,
    out: () => out,
    exited,
    waitFor: (pattern, ms = 20_000) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const match = pattern.exec(out)
          if (match === null) return
          waiters.delete(check)
          clearTimeout(timer)
          resolve(match)
        }
        const timer = setTimeout(() => {
          waiters.delete(check)
          reject(new Error(`no ${pattern} within ${ms} ms in:\n${out}`))
        }, ms)
        waiters.add(check)
        check()
      }),
  }
}

const stopped = async (running: Running): Promise<number | null> => {
  running.child.kill('SIGINT')
  return running.exited
}

describe('two machines (network namespaces), default settings', () => {
  let a: Host
  let b: Host
  let remove: () => Promise<void> = async () => undefined
  let dir = ''
  const running: Running[] = []
  const hush = (host: Host, home: string, ...args: string[]) => host.run(process.execPath, [HUSH_BIN, ...args], { HUSH_DIR: home })
  const start = (host: Host, home: string, ...args: string[]): Running => {
    const node = watchOutput(host.spawn(process.execPath, [HUSH_BIN, 'start', '--min-pow', '0.01', ...args], { HUSH_DIR: home }))
    running.push(node)
    return node
  }

  beforeAll(async () => {
    ;({ a, b, remove } = await createHostPair())
    dir = await mkdtemp(join(tmpdir(), 'hush-two-machines-'))
    await writeFile(join(dir, 'pw'), 'correct horse battery staple\n')
  })

  afterAll(async () => {
    await Promise.all(running.filter((r) => r.child.exitCode === null).map(stopped))
    await remove()
    await rm(dir, { recursive: true, force: true })
  })

  it('Alice starts with no flags, Bob bootstraps from her printed address, a post crosses, the RPC stays local, a restart keeps id and port', async () => {
    const [homeA, homeB] = [join(dir, 'alice'), join(dir, 'bob')]
    const alice = start(a, homeA)
    const id = (await alice.waitFor(/^peer id: (\S+)$/m))[1] as string
    // Her address on the link, the default port, and the peer id: what Bob passes to --bootstrap.
    const dial = `/ip4/${a.address}/tcp/4001/p2p/${id}`
    await alice.waitFor(new RegExp(`^listening: ${dial.replace(/\//g, '\\/')}$`, 'm'))
    await alice.waitFor(/^rpc: http:\/\/127\.0\.0\.1:8545$/m)
    expect(alice.out()).toContain(`data dir: ${homeA}`)

    const bob = start(b, homeB, '--bootstrap', dial)
    await bob.waitFor(/^rpc: /m)
    await bob.waitFor(new RegExp(`^peer connected: ${id} \\(1 now\\)$`, 'm'))
    await alice.waitFor(/^peer connected: \S+ \(1 now\)$/m)

    // One shared key from one password, on each machine's own node.
    const keyA = (await hush(a, homeA, 'keys', 'new', '--sym', '--password-file', join(dir, 'pw'))).stdout.trim()
    const keyB = (await hush(b, homeB, 'keys', 'new', '--sym', '--password-file', join(dir, 'pw'))).stdout.trim()
    const watch = watchOutput(b.spawn(process.execPath, [HUSH_BIN, 'watch', '--sym-key-id', keyB, '--topic', 'greetings', '--count', '1'], { HUSH_DIR: homeB }))
    running.push(watch)
    await watch.waitFor(/waiting/)
    await hush(a, homeA, 'post', '--sym-key-id', keyA, '--topic', 'greetings', '--pow-target', '0.01', 'hello from the other machine')
    await watch.waitFor(/hello from the other machine/, 20_000)
    expect(await watch.exited).toBe(0)

    // Bob's machine cannot use Alice's RPC: it listens on her loopback only.
    await expect(hush(b, homeB, 'status', '--rpc', `http://${a.address}:8545`)).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/^hush: cannot reach the node at http:\/\/10\.201\.\d+\.1:8545/) })

    // A restart keeps the identity and the port, and Bob's node dials her again.
    expect(await stopped(alice)).toBe(0)
    await bob.waitFor(new RegExp(`^peer disconnected: ${id} \\(0 now\\)$`, 'm'))
    const again = start(a, homeA)
    expect((await again.waitFor(/^peer id: (\S+)$/m))[1]).toBe(id)
    await again.waitFor(new RegExp(`^listening: ${dial.replace(/\//g, '\\/')}$`, 'm'))
    await bob.waitFor(new RegExp(`^peer connected: ${id} \\(1 now\\)[\\s\\S]*peer connected: ${id} \\(1 now\\)`, 'm'), 40_000)
  }, 120_000)
})
