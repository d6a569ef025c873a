import { afterAll, describe, expect, it } from 'vitest'
import { parseDiscover } from '../src/commands/start.ts'
import { type StartedNode, startHush } from './fixtures/hush-node.ts'

/*
 * `hush start --discover`: which discovery a node runs. A bad word is an error-table row
 * (errors.test.ts); the discovery itself is tested in packages/node (discovery*.test.ts).
 */
describe('hush start --discover', () => {
  const children: StartedNode[] = []
  afterAll(async () => {
    for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGTERM')
    await Promise.all(children.map((c) => c.exited))
  })

  /** Waits (at most 20 s) for `node` to print `line`. */
  const printed = async (node: StartedNode, line: string): Promise<void> => {
    for (let i = 0; i < 400 && !node.out().includes(line); i++) await new Promise((r) => setTimeout(r, 50))
    expect(node.out()).toContain(line)
  }

  it('runs the DHT by default: two nodes given the same one bootstrap peer connect to each other', async () => {
    const a = await startHush()
    children.push(a)
    const b = await startHush(['--bootstrap', a.listen])
    children.push(b)
    await printed(a, `peer connected: ${b.peerId} (1 now)`)
    const c = await startHush(['--bootstrap', a.listen])
    children.push(c)
    await printed(b, `peer connected: ${c.peerId} (2 now)`)
    await printed(c, `peer connected: ${b.peerId}`)
  })

  it('defaults to the DHT, plus mDNS when a listen address is beyond loopback', () => {
    expect(parseDiscover(undefined, ['/ip4/0.0.0.0/tcp/4001'])).toEqual({ dht: true, mdns: true })
    expect(parseDiscover(undefined, ['/ip4/127.0.0.1/tcp/0', '/ip4/10.0.0.2/tcp/4001'])).toEqual({ dht: true, mdns: true })
    expect(parseDiscover(undefined, ['/ip4/127.0.0.1/tcp/0'])).toEqual({ dht: true, mdns: false })
    expect(parseDiscover(undefined, ['/ip6/::1/tcp/0', '/dns4/localhost/tcp/1'])).toEqual({ dht: true, mdns: false })
  })

  it('takes dht, mdns (comma-separated) or none, whatever the listen addresses', () => {
    const anywhere = ['/ip4/0.0.0.0/tcp/4001']
    expect(parseDiscover('dht', anywhere)).toEqual({ dht: true, mdns: false })
    expect(parseDiscover('mdns', ['/ip4/127.0.0.1/tcp/0'])).toEqual({ dht: false, mdns: true })
    expect(parseDiscover('dht, mdns', anywhere)).toEqual({ dht: true, mdns: true })
    expect(parseDiscover('none', anywhere)).toEqual({ dht: false, mdns: false })
  })

  it('refuses other words, and none with another', () => {
    expect(() => parseDiscover('dht,lan', [])).toThrow(expect.objectContaining({ name: 'CliError', exitCode: 2, message: '--discover takes dht, mdns (comma-separated) or none; got "lan"' }))
    expect(() => parseDiscover('', [])).toThrow(expect.objectContaining({ name: 'CliError', message: '--discover takes dht, mdns (comma-separated) or none; got ""' }))
    expect(() => parseDiscover('none,dht', [])).toThrow(expect.objectContaining({ name: 'CliError', message: '--discover none cannot go with other words; got "none,dht"' }))
  })
})
