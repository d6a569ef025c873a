/**
 * Where a node the command runs listens, and what it prints about it: by default every interface
 * (a p2p node must be reachable from other machines; the RPC stays on loopback), each address
 * printed as another node dials it, with a word on which of them work from elsewhere.
 */

/** `hush start`'s default: every IPv4 interface, on the documented port. */
export const START_LISTEN = '/ip4/0.0.0.0/tcp/4001'

/** `hush chat`'s default: every IPv4 interface, on a free port (a chat runs beside `hush start`). */
export const CHAT_LISTEN = '/ip4/0.0.0.0/tcp/0'

const isLoopback = (addr: string): boolean => addr.startsWith('/ip4/127.') || addr.startsWith('/ip6/::1/')

/**
 * The `listening: <multiaddr>` lines, then one line saying which addresses other machines can
 * use (none, when the node listens on loopback only).
 */
export function listeningLines(addrs: readonly { toString(): string }[]): string[] {
  const all = addrs.map(String)
  const lines = all.map((addr) => `listening: ${addr}`)
  if (all.length > 0 && all.every(isLoopback)) {
    lines.push('(loopback only: other machines cannot reach this node; --listen /ip4/0.0.0.0/tcp/<port> lets them)')
  } else if (all.some(isLoopback)) {
    lines.push('(another machine dials one of the addresses that is not 127.0.0.1; those work only on this machine)')
  }
  return lines
}
