/**
 * Degree management: keeps the number of ready `/shh/` peers between a minimum and a maximum.
 * Below the minimum it dials peers the node knows (the peer store: learned through the DHT, mDNS,
 * identify or earlier connections), best-scored first; above the maximum it closes the
 * connections of the worst-scored ready peers. libp2p's connection manager counts connections of
 * any protocol and prunes by tags, and dials nobody to fill up: neither knows `/shh/` or scores.
 *
 * Scores are the service's own (`shh.peerScore`: penalties and first-delivery credit, decaying);
 * a peer it keeps none for scores 0. Banned peers (`shh.isBanned`) are never dialled.
 */
import { KEEP_ALIVE, type Libp2p, type PeerId } from '@libp2p/interface'
import { PROTOCOL_ID } from './constants.ts'
import type { WhisperService } from './whisper.ts'

/**
 * Fewest ready `/shh/` peers a node keeps by default. A flood reaches every node while the graph
 * stays connected; a random graph of minimum degree 6 stays connected with high probability
 * after a third of its nodes fail, and 6 is gossipsub's target mesh degree (D).
 */
export const DEFAULT_MIN_DEGREE = 6
/**
 * Most ready `/shh/` peers a node keeps by default. A flood node sends every envelope (or a
 * notice of it) to each peer, so its bytes grow with its degree: 24 is twice gossipsub's D_high
 * (12), room for the peers that dial a well-known node, while a phone connection still carries it.
 */
export const DEFAULT_MAX_DEGREE = 24
/** How often the degree is checked besides on every peer ready or gone. */
export const DEGREE_CHECK_INTERVAL_MS = 10_000
/** Most dials the keeper has open at once. */
export const MAX_DEGREE_DIALS = 4
/** Most peers whose departures or dial failures are remembered (the oldest is forgotten first). */
const MAX_REMEMBERED = 4096

/** Settings of degree management (`createHushNode`'s `degree`). */
export interface DegreeInit {
  /**
   * Below this many ready `/shh/` peers, known peers are dialled.
   * @default 6 ({@link DEFAULT_MIN_DEGREE})
   */
  min?: number
  /**
   * Above this many, the worst-scored ready peers are disconnected (bootstrap peers never are).
   * @default 24 ({@link DEFAULT_MAX_DEGREE})
   */
  max?: number
  /**
   * How often the degree is checked besides on every peer ready or gone.
   * @default 10000 ({@link DEGREE_CHECK_INTERVAL_MS})
   */
  intervalMs?: number
  /**
   * A peer that left or whose dial failed is not dialled again for this long (others first).
   * @default 10000
   */
  redialMs?: number
}

/** Resolved degree settings. */
export interface DegreeSettings {
  min: number
  max: number
  intervalMs: number
  redialMs: number
}

/**
 * Fills in the defaults and checks the ranges.
 * @throws {RangeError} for settings out of range
 */
export function degreeSettings(init: DegreeInit = {}): DegreeSettings {
  const s = {
    min: init.min ?? DEFAULT_MIN_DEGREE,
    max: init.max ?? Math.max(DEFAULT_MAX_DEGREE, init.min ?? 0),
    intervalMs: init.intervalMs ?? DEGREE_CHECK_INTERVAL_MS,
    redialMs: init.redialMs ?? 10_000,
  }
  if (!Number.isInteger(s.min) || s.min < 0) throw new RangeError('degree.min must be a non-negative integer')
  if (!Number.isInteger(s.max) || s.max < Math.max(1, s.min)) throw new RangeError('degree.max must be an integer of at least 1 and degree.min')
  if (!(s.intervalMs > 0)) throw new RangeError('degree.intervalMs must be positive')
  if (!(s.redialMs >= 0)) throw new RangeError('degree.redialMs must not be negative')
  return s
}

/** Keeps `node`'s ready `/shh/` peers between `min` and `max` while it runs (see the module comment). */
export class DegreeKeeper {
  private readonly node: Libp2p
  private readonly shh: WhisperService
  private readonly settings: DegreeSettings
  private readonly bootstrap: ReadonlySet<string>
  private readonly dialling = new Set<string>()
  /** When a peer last left or failed a dial, in that order (oldest first). */
  private readonly leftAt = new Map<string, number>()
  private timer: ReturnType<typeof setInterval> | undefined
  private pending = false
  private running = false

  /** @param bootstrap peer ids of the bootstrap peers: counted, never disconnected for the maximum */
  constructor(node: Libp2p, shh: WhisperService, settings: DegreeSettings, bootstrap: ReadonlySet<string>) {
    this.node = node
    this.shh = shh
    this.settings = settings
    this.bootstrap = bootstrap
    node.addEventListener('start', () => this.start())
    node.addEventListener('stop', () => this.stop())
    shh.addEventListener('peer:ready', () => this.schedule())
    shh.addEventListener('peer:disconnect', ({ detail }) => {
      this.remember(this.leftAt, detail.toString(), Date.now())
      this.schedule()
    })
  }

  private start(): void {
    if (this.running) return
    this.running = true
    this.timer = setInterval(() => this.schedule(), this.settings.intervalMs)
    // The check does not keep the process alive.
    this.timer.unref?.()
    this.schedule()
  }

  private stop(): void {
    this.running = false
    clearInterval(this.timer)
    this.timer = undefined
    this.leftAt.clear()
  }

  /** Runs one check soon, once for a burst of events. */
  private schedule(): void {
    if (!this.running || this.pending) return
    this.pending = true
    setTimeout(() => {
      this.pending = false
      void this.check()
    }, 0)
  }

  /** The score the keeper ranks a peer by: the service's, 0 when it keeps none. */
  private score(id: string): number {
    return this.shh.peerScore(id) ?? 0
  }

  /** Sets `id` last in `map`, forgetting the oldest entry past the bound. */
  private remember<V>(map: Map<string, V>, id: string, value: V): void {
    map.delete(id)
    if (map.size >= MAX_REMEMBERED) map.delete(map.keys().next().value as string)
    map.set(id, value)
  }

  private async check(): Promise<void> {
    if (!this.running) return
    const ready = this.shh.getPeers()
    const nowMs = Date.now()
    if (ready.length > this.settings.max) this.trim(ready)
    else if (ready.length + this.dialling.size < this.settings.min) await this.fill(this.settings.min - ready.length - this.dialling.size, nowMs)
  }

  /**
   * Disconnects the worst-scored non-bootstrap ready peers beyond the maximum. libp2p re-dials at
   * once a peer tagged `keep-alive…` (Kademlia tags its 20 closest peers so), which made every
   * trim of such a peer a dial-and-trim loop: the tags go first.
   */
  private trim(ready: PeerId[]): void {
    const excess = ready.length - this.settings.max
    const candidates = ready
      .filter((id) => !this.bootstrap.has(id.toString()))
      .sort((a, b) => this.score(a.toString()) - this.score(b.toString()))
    for (const peer of candidates.slice(0, excess)) void this.drop(peer)
  }

  private async drop(peer: PeerId): Promise<void> {
    try {
      const tags = (await this.node.peerStore.get(peer)).tags
      const keepAlive = [...tags.keys()].filter((name) => name.startsWith(KEEP_ALIVE))
      if (keepAlive.length > 0) await this.node.peerStore.merge(peer, { tags: Object.fromEntries(keepAlive.map((name) => [name, undefined])) })
    } catch {
      // Not in the peer store: nothing tags it.
    }
    await this.node.hangUp(peer).catch(() => {})
  }

  /** Dials up to `wanted` known peers (at most {@link MAX_DEGREE_DIALS} at once), best-scored first. */
  private async fill(wanted: number, nowMs: number): Promise<void> {
    const room = Math.min(wanted, MAX_DEGREE_DIALS - this.dialling.size)
    if (room <= 0) return
    const known = await this.node.peerStore.all({
      filters: [
        (peer) =>
          peer.addresses.length > 0 &&
          (peer.protocols.length === 0 || peer.protocols.includes(PROTOCOL_ID)) &&
          !peer.id.equals(this.node.peerId),
      ],
    })
    if (!this.running) return
    const candidates = known
      .map((peer) => ({ id: peer.id, key: peer.id.toString() }))
      .filter(({ id, key }) => {
        const left = this.leftAt.get(key)
        return (
          !this.dialling.has(key) &&
          !this.shh.isBanned(key) &&
          this.node.getConnections(id).length === 0 &&
          (left === undefined || nowMs - left >= this.settings.redialMs)
        )
      })
      .sort((a, b) => this.score(b.key) - this.score(a.key))
    for (const { id, key } of candidates.slice(0, Math.min(room, MAX_DEGREE_DIALS - this.dialling.size))) {
      this.dialling.add(key)
      void this.node
        .dial(id)
        .catch(() => this.remember(this.leftAt, key, Date.now()))
        .finally(() => {
          this.dialling.delete(key)
          this.schedule()
        })
    }
  }
}
