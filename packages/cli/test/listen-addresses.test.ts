import { describe, expect, it } from 'vitest'
import { listeningLines } from '../src/listen-addresses.ts'

describe('listeningLines', () => {
  it('prints each address, then says which work from another machine', () => {
    expect(listeningLines(['/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWX', '/ip4/10.0.0.5/tcp/4001/p2p/12D3KooWX'])).toEqual([
      'listening: /ip4/127.0.0.1/tcp/4001/p2p/12D3KooWX',
      'listening: /ip4/10.0.0.5/tcp/4001/p2p/12D3KooWX',
      '(another machine dials one of the addresses that is not 127.0.0.1; those work only on this machine)',
    ])
  })

  it('warns that a loopback-only node is out of reach of other machines', () => {
    expect(listeningLines(['/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWX'])).toEqual([
      'listening: /ip4/127.0.0.1/tcp/4001/p2p/12D3KooWX',
      '(loopback only: other machines cannot reach this node; --listen /ip4/0.0.0.0/tcp/<port> lets them)',
    ])
  })

  it('adds nothing when every address is reachable from elsewhere', () => {
    expect(listeningLines(['/ip4/10.0.0.5/tcp/4001/p2p/12D3KooWX'])).toEqual(['listening: /ip4/10.0.0.5/tcp/4001/p2p/12D3KooWX'])
  })
})
