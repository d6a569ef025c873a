/**
 * `createHushNode(init)`: a ready libp2p node with TCP, Noise, yamux and mplex, identify, ping,
 * optional bootstrap peers and discovery (Kademlia, mDNS), a persistent peer key when a data
 * directory is given, and the Whisper service as `services.shh`.
 */
import './polyfill.ts'
import { noise } from '@chainsafe/libp2p-noise'
import { bootstrap } from '@libp2p/bootstrap'
import { type Identify, identify } from '@libp2p/identify'
import type { ComponentLogger, ConnectionGater, Libp2p, PeerDiscovery, PeerId, PrivateKey, Transport } from '@libp2p/interface'
import { mplex } from '@libp2p/mplex'
import { type Ping, ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import type { KadDHT } from '@libp2p/kad-dht'
import { multiaddr } from '@multiformats/multiaddr'
import { type Libp2pOptions, createLibp2p } from 'libp2p'
import { BootstrapKeeper } from './bootstrap-keeper.ts'
import { type DegreeInit, DegreeKeeper, degreeSettings } from './degree-keeper.ts'
import { type DiscoveryInit, discoveryParts } from './discovery.ts'
import { guardedYamux } from './guarded-yamux.ts'
import { loadOrCreatePeerKey } from './peer-key.ts'
import type { WhisperInit } from './settings.ts'
import { type WhisperComponents, type WhisperService, whisper } from './whisper.ts'

/** The services of a node made by {@link createHushNode}. */
export type HushServices = {
  shh: WhisperService
  identify: Identify
  ping: Ping
  /** The Kademlia DHT, when `discover.dht` is on. */
  dht?: KadDHT
}

/** A libp2p node carrying the Whisper service. */
export type HushNode = Libp2p<HushServices>

/** Settings of {@link createHushNode}; every field is optional. */
export interface HushNodeInit {
  /**
   * Multiaddrs to listen on.
   * @default ['/ip4/127.0.0.1/tcp/0']
   */
  listen?: string[]
  /**
   * Multiaddrs (with `/p2p/<id>`) of peers to connect to at start and keep connected: an
   * unreachable one is retried (1 s, doubling to a minute) and a lost one re-dialled while the
   * node runs.
   */
  bootstrap?: string[]
  /**
   * Peer discovery besides `bootstrap`: `{ dht: true }` (Kademlia on `/hush/kad/1.0.0`: a node
   * learns the peers its peers know), `{ mdns: true }` (peers on the LAN), or settings for each.
   * Every peer found is dialled, so `/shh/` runs with it.
   * @default {} (neither: tests and embedders opt in; `hush start` turns them on)
   */
  discover?: DiscoveryInit
  /**
   * How many ready `/shh/` peers the node keeps: below `min` it dials peers it knows (from the
   * peer store: learned through discovery or earlier connections; banned ones never), best-scored
   * first, a few at a time; above `max` it disconnects the worst-scored (never a bootstrap peer).
   * Checked on every peer ready or gone and every `intervalMs`. `false` turns it off.
   * @default { min: 6, max: 24, intervalMs: 10000, redialMs: 10000 }
   */
  degree?: DegreeInit | false
  /** Directory for the persistent peer key (`peer-key`); a fresh key per run when absent. */
  dataDir?: string
  /** A peer key to use (overrides `dataDir`). */
  privateKey?: PrivateKey
  /** Settings of the Whisper service. */
  whisper?: WhisperInit
  /**
   * Transports to use instead of TCP, e.g. `[memory()]` from `@libp2p/memory` for tests and
   * simulations (listen addresses must match).
   */
  transports?: Array<(components: any) => Transport>
  /**
   * Further libp2p options merged over ours (connection manager limits, metrics, …);
   * `services` cannot be replaced here. A `connectionGater` given here is combined with ours,
   * which refuses peers the Whisper service banned.
   */
  libp2p?: Omit<Libp2pOptions, 'services' | 'start'>
  /** A libp2p logger (e.g. to route logs into an app's logger). */
  logger?: ComponentLogger
  /**
   * Start the node before returning it.
   * @default true
   */
  start?: boolean
}

/**
 * Builds (and by default starts) a libp2p node with the Whisper service.
 * @throws {RangeError} when a `degree` setting is out of range
 * @example
 * ```ts
 * const node = await createHushNode({ listen: ['/ip4/127.0.0.1/tcp/0'] })
 * const symKeyID = node.services.shh.newSymKey()
 * ```
 */
export async function createHushNode(init: HushNodeInit = {}): Promise<HushNode> {
  if (typeof init !== 'object' || init === null) throw new TypeError('init must be an object')
  const privateKey = init.privateKey ?? (init.dataDir === undefined ? undefined : await loadOrCreatePeerKey(init.dataDir))
  const bootstrapList = init.bootstrap ?? []
  for (const addr of bootstrapList) multiaddr(addr) // throws on a malformed address, before anything starts
  const degree = init.degree === false ? undefined : degreeSettings(init.degree) // throws a RangeError, likewise
  const peerDiscovery: Array<(components: any) => PeerDiscovery> =
    bootstrapList.length > 0 ? [bootstrap({ list: bootstrapList, timeout: 0 })] : []
  const discovery = discoveryParts(init.discover)
  // Bans reach connections through a gater (rather than by closing every connection of the
  // peer): the service is built inside createLibp2p, so the gater looks it up late.
  let shh: WhisperService | undefined
  const userGater = init.libp2p?.connectionGater
  const banned = (peerId: PeerId): boolean => shh?.isBanned(peerId) ?? false
  const connectionGater: ConnectionGater = {
    ...userGater,
    denyDialPeer: denyBanned(banned, userGater?.denyDialPeer?.bind(userGater)),
    denyInboundEncryptedConnection: denyBanned(banned, userGater?.denyInboundEncryptedConnection?.bind(userGater)),
    denyOutboundEncryptedConnection: denyBanned(banned, userGater?.denyOutboundEncryptedConnection?.bind(userGater)),
  }
  const node = await createLibp2p({
    ...(privateKey !== undefined && { privateKey }),
    ...(init.logger !== undefined && { logger: init.logger }),
    addresses: { listen: init.listen ?? ['/ip4/127.0.0.1/tcp/0'] },
    transports: init.transports ?? [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [guardedYamux(), mplex()],
    peerDiscovery: [...peerDiscovery, ...discovery.peerDiscovery],
    ...init.libp2p,
    connectionGater,
    services: {
      identify: identify(),
      ping: ping(),
      shh: (components: WhisperComponents) => whisper(init.whisper)(components),
      ...discovery.services,
    },
    start: false,
  })
  shh = node.services.shh
  // Dials the bootstrap peers at start, retries the unreachable ones and re-dials the lost ones;
  // discovered peers are dialled as they are reported. With degree management, both only while
  // the node is below its minimum degree (a full peer trims, and every re-dial would be trimmed).
  const wantsPeers = degree === undefined ? undefined : (dialling: number) => (shh?.getPeers().length ?? 0) + dialling < degree.min
  if (bootstrapList.length > 0) new BootstrapKeeper(node, bootstrapList, wantsPeers === undefined ? {} : { wantsPeers: () => wantsPeers(0) })
  discovery.attach(node, wantsPeers)
  if (degree !== undefined) {
    const bootstrapIds = new Set(bootstrapList.flatMap((addr) => multiaddr(addr).getComponents().flatMap((c) => (c.name === 'p2p' && c.value !== undefined ? [c.value] : []))))
    new DegreeKeeper(node, shh, degree, bootstrapIds)
  }
  if (init.start !== false) await node.start()
  return node as unknown as HushNode
}

/** A gater method that denies banned peers, and otherwise asks the app's own gater method, if any. */
function denyBanned<A extends unknown[]>(
  banned: (peerId: PeerId) => boolean,
  theirs: ((peerId: PeerId, ...rest: A) => boolean | Promise<boolean>) | undefined
): (peerId: PeerId, ...rest: A) => Promise<boolean> {
  return async (peerId, ...rest) => banned(peerId) || ((await theirs?.(peerId, ...rest)) ?? false)
}
