/**
 * Peer discovery beyond the bootstrap list: Kademlia (`@libp2p/kad-dht`) on Hush's own protocol,
 * so a Hush network is its own DHT and never joins IPFS's, and mDNS on a LAN under Hush's own
 * service name. libp2p 3 only stores a discovered peer (it dials none by itself, and emits
 * `peer:discovery` once per peer ever seen), and `/shh/` runs only with connected peers: so every
 * peer a discovery reports, each time it reports it, is dialled here unless it is connected,
 * being dialled, or failed a dial less than {@link DISCOVERY_REDIAL_MS} ago.
 */
import { type KadDHT, type KadDHTInit, kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { type MulticastDNSInit, mdns } from '@libp2p/mdns'
import { type Libp2p, type PeerDiscovery, type PeerDiscoveryProvider, type PeerInfo, peerDiscoverySymbol } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** The Kademlia protocol of a Hush network (IPFS's is `/ipfs/kad/1.0.0`). */
export const DHT_PROTOCOL = '/hush/kad/1.0.0'
/** The mDNS service name Hush nodes announce and ask for (libp2p's default is `_p2p._udp.local`). */
export const MDNS_SERVICE_TAG = '_hush._udp.local'
/** How often the DHT looks itself up, learning the peers nearest to it (libp2p: 5 minutes). */
export const DHT_QUERY_SELF_INTERVAL_MS = 60_000
/** A discovered peer whose dial failed is not dialled again, however often it is reported, for this long. */
export const DISCOVERY_REDIAL_MS = 10_000
/**
 * Most dials of discovered peers at once: a DHT answer is peer data from anyone, so a hostile
 * peer reporting thousands of addresses gets a few dials at a time, not thousands; the rest are
 * dropped until they are reported again.
 */
export const MAX_DISCOVERY_DIALS = 8
/** Most peers remembered as failed (the oldest is forgotten first). */
const MAX_FAILED_PEERS = 4096

/**
 * Settings of the Kademlia DHT (`@libp2p/kad-dht`'s `KadDHTInit`), merged over Hush's:
 * `protocol` {@link DHT_PROTOCOL}, `clientMode: false` (a Hush node that listens answers DHT
 * queries, so the peers it knows can be found through it; set `true` on a node others cannot
 * dial), `peerInfoMapper: passthroughMapper` (private and loopback addresses are kept: Hush runs
 * on LANs; `removePrivateAddressesMapper` for a network on the public internet only), and
 * `querySelfInterval` {@link DHT_QUERY_SELF_INTERVAL_MS}.
 */
export type DhtInit = KadDHTInit

/**
 * Settings of mDNS (`@libp2p/mdns`'s `MulticastDNSInit`), merged over Hush's `serviceTag`
 * {@link MDNS_SERVICE_TAG}; libp2p's defaults otherwise (a query every 10 s on 224.0.0.251:5353).
 */
export type MdnsInit = MulticastDNSInit

/** Which discovery a node runs besides its `bootstrap` list; `true` takes the defaults. */
export interface DiscoveryInit {
  /**
   * Kademlia: the node learns the peers its peers know, so two nodes that share one bootstrap
   * peer find each other, and stay connected when it goes. Exposed as `services.dht`.
   * @default false
   */
  dht?: boolean | DhtInit
  /**
   * mDNS: nodes on one LAN find each other with no bootstrap peer. It announces the node's
   * private and loopback addresses to the LAN; it needs a listen address other nodes can reach.
   * @default false
   */
  mdns?: boolean | MdnsInit
}

/** What {@link discoveryParts} adds to the libp2p options, and the dialler to attach to the node. */
interface DiscoveryParts {
  services: { dht?: (components: any) => KadDHT }
  peerDiscovery: Array<(components: any) => PeerDiscovery>
  /**
   * Starts dialling the peers discovery reports while `node` runs; with `wantsPeers`, only while
   * it answers true (given the dials in flight).
   */
  attach(node: Libp2p, wantsPeers?: (dialling: number) => boolean): void
}

/** The libp2p services and discovery modules that `init` asks for (none when it asks for none). */
export function discoveryParts(init: DiscoveryInit = {}): DiscoveryParts {
  const dialler = new DiscoveredPeerDialler()
  const parts: DiscoveryParts = { services: {}, peerDiscovery: [], attach: (node, wantsPeers) => dialler.attach(node, wantsPeers) }
  if (init.dht !== undefined && init.dht !== false) {
    const settings: KadDHTInit = {
      protocol: DHT_PROTOCOL,
      clientMode: false,
      peerInfoMapper: passthroughMapper,
      querySelfInterval: DHT_QUERY_SELF_INTERVAL_MS,
      ...(init.dht === true ? {} : init.dht),
    }
    const mapper = settings.peerInfoMapper ?? passthroughMapper
    parts.services.dht = (components) => {
      const dht = kadDHT(settings)(components)
      // Every peer the DHT hears of (in any query's answer), through the same filter as its table.
      listen(dht, (peer) => dialler.onPeer(mapper(peer)))
      return dht
    }
  }
  if (init.mdns !== undefined && init.mdns !== false) {
    const settings: MulticastDNSInit = { serviceTag: MDNS_SERVICE_TAG, ...(init.mdns === true ? {} : init.mdns) }
    parts.peerDiscovery.push((components) => {
      const found = mdns(settings)(components)
      listen(found, (peer) => dialler.onPeer(peer))
      return found
    })
  }
  return parts
}

/** Calls `onPeer` for each `peer` event of a discovery service. */
function listen(service: unknown, onPeer: (peer: PeerInfo) => void): void {
  const discovery = (service as Partial<PeerDiscoveryProvider>)[peerDiscoverySymbol]
  discovery?.addEventListener('peer', ({ detail }) => onPeer(detail))
}

/** Dials discovered peers while the node runs (see the module comment), a few at a time. */
export class DiscoveredPeerDialler {
  private node: Libp2p | undefined
  private running = false
  private readonly dialling = new Set<string>()
  /** When a dial of a peer last failed; cleared of old entries as it grows. */
  private readonly failedAt = new Map<string, number>()
  private wantsPeers: ((dialling: number) => boolean) | undefined

  /**
   * Dials what {@link onPeer} reports while `node` runs; with `wantsPeers`, only while it answers
   * true for the dials in flight (the node's degree is below its minimum: above it, every DHT
   * answer would connect the node to peers its degree keeper then drops, again and again).
   */
  attach(node: Libp2p, wantsPeers?: (dialling: number) => boolean): void {
    this.node = node
    this.wantsPeers = wantsPeers
    node.addEventListener('start', () => {
      this.running = true
    })
    node.addEventListener('stop', () => {
      this.running = false
      this.failedAt.clear()
    })
  }

  onPeer(peer: PeerInfo): void {
    const node = this.node
    if (!this.running || node === undefined || this.dialling.size >= MAX_DISCOVERY_DIALS) return
    if (this.wantsPeers !== undefined && !this.wantsPeers(this.dialling.size)) return
    const id = peer.id.toString()
    if (peer.id.equals(node.peerId) || this.dialling.has(id) || node.getConnections(peer.id).length > 0) return
    const failed = this.failedAt.get(id)
    if (failed !== undefined && Date.now() - failed < DISCOVERY_REDIAL_MS) return
    if (peer.multiaddrs.length === 0) return
    this.dialling.add(id)
    void node
      .dial(peer.multiaddrs.map((addr) => withPeerId(addr, id)))
      .then(
        () => this.failedAt.delete(id),
        () => this.failed(id)
      )
      .finally(() => this.dialling.delete(id))
  }

  private failed(id: string): void {
    // Re-inserted last, so the map's order is the order of the failures.
    this.failedAt.delete(id)
    if (this.failedAt.size >= MAX_FAILED_PEERS) this.failedAt.delete(this.failedAt.keys().next().value as string)
    this.failedAt.set(id, Date.now())
  }
}

/** `addr` ending in `/p2p/<id>`, so the dial checks it reaches that peer. */
function withPeerId(addr: Multiaddr, id: string): Multiaddr {
  return addr.getComponents().some((c) => c.name === 'p2p') ? addr : addr.encapsulate(`/p2p/${id}`)
}
