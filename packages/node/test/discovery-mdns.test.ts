/*
 * mDNS needs real interfaces (multicast), so this test runs two nodes in two network namespaces
 * joined by a veth pair (the CLI tests' fixture; root only), each in a child process that loads
 * the built package (house-style §3.8: tests that spawn processes run dist).
 *
 *   [hush-<pid>-a] node A ── veth ── node B [hush-<pid>-b]      no bootstrap on either side:
 *   each finds the other by mDNS, dials it, and an envelope posted on A reaches B's subscription.
 */
import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Host, createHostPair } from '../../cli/test/fixtures/netns.ts'

const DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url))

/**
 * A node on every interface with only mDNS (a query a second), sharing the symmetric key in
 * argv[2]; `post` posts once it has a peer, `watch` prints what its subscription receives.
 */
const SCRIPT = `
const { createHushNode } = await import(process.argv[1])
const [, , keyHex, role] = process.argv
const node = await createHushNode({ listen: ['/ip4/0.0.0.0/tcp/0'], discover: { mdns: { interval: 1000 } } })
const shh = node.services.shh
const symKeyID = shh.addSymKey(Uint8Array.from(Buffer.from(keyHex, 'hex')))
const topic = Uint8Array.of(0x6d, 0x64, 0x6e, 0x73)
process.once('SIGTERM', () => node.stop().then(() => process.exit(0)))
shh.addEventListener('peer:ready', async ({ detail }) => {
  console.log('peer ' + detail.toString())
  if (role === 'post') await shh.post({ symKeyID, topic, payload: new TextEncoder().encode('hello over mDNS'), ttl: 60 })
})
console.log('id ' + node.peerId.toString())
if (role === 'watch') for await (const m of shh.subscribe({ symKeyID, topics: [topic] })) console.log('got ' + new TextDecoder().decode(m.payload))
`

interface Running {
  child: ChildProcess
  /** Resolves with the first match of `pattern` in the output, waiting at most `ms`. */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpExecArray>
}

function run(host: Host, key: string, role: 'post' | 'watch'): Running {
  const child = host.spawn(process.execPath, ['--input-type=module', '-e', SCRIPT, DIST, key, role])
  let out = ''
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()))
  return {
    child,
    waitFor: async (pattern, ms = 20_000) => {
      const deadline = Date.now() + ms
      for (;;) {
        const match = pattern.exec(out)
        if (match !== null) return match
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no ${pattern} within ${ms} ms in:\n${out}`)
        await new Promise((r) => setTimeout(r, 50))
      }
    },
  }
}

describe('discovery between two machines (network namespaces): mDNS', () => {
  let a: Host
  let b: Host
  let remove: () => Promise<void> = async () => undefined
  const running: Running[] = []

  beforeAll(async () => {
    ;({ a, b, remove } = await createHostPair())
    // A LAN has a route for multicast: each side's default route points at the other.
    await a.run('ip', ['route', 'add', 'default', 'via', b.address])
    await b.run('ip', ['route', 'add', 'default', 'via', a.address])
  })

  afterAll(async () => {
    await Promise.all(
      running.map(({ child }) => {
        if (child.exitCode !== null) return undefined
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        return exited
      })
    )
    await remove()
  })

  it('two nodes with no bootstrap peer find each other and exchange an envelope', async () => {
    const key = randomBytes(32).toString('hex')
    const watcher = run(b, key, 'watch')
    running.push(watcher)
    const idB = (await watcher.waitFor(/^id (\S+)$/m))[1]
    const poster = run(a, key, 'post')
    running.push(poster)
    const idA = (await poster.waitFor(/^id (\S+)$/m))[1]
    await poster.waitFor(new RegExp(`^peer ${idB}$`, 'm'))
    await watcher.waitFor(new RegExp(`^peer ${idA}$`, 'm'))
    expect((await watcher.waitFor(/^got (.*)$/m))[1]).toBe('hello over mDNS')
  }, 60_000)
})
