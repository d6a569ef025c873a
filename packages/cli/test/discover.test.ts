import { describe, expect, it } from 'vitest'
import { parseDiscover } from '../src/commands/start.ts'

/*
 * `hush start --discover`: which discovery a node runs. A bad word is an error-table row
 * (errors.test.ts); the discovery itself is tested in packages/node (discovery*.test.ts).
 */
describe('hush start --discover', () => {
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
