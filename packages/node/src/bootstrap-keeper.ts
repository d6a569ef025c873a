/**
 * Keeps the bootstrap peers connected: each is dialled when the node starts, an address that
 * cannot be reached is tried again with a backoff (1 s doubling to at most a minute, for as long
 * as the node runs), and a bootstrap peer that disconnects (it restarted, the link dropped) is
 * dialled again. libp2p's own reconnection gives up after a few tries, and never retries a peer
 * it could not reach at the start. A peer that drops us soon after each connection (a full
 * bootstrap node trims its peers) is re-dialled with the same doubling backoff; a connection that
 * lasted `maxDelayMs` resets it.
 */
import type { Libp2p, PeerId } from '@libp2p/interface'
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr'

/** Backoff of the re-dials. */
export interface BootstrapKeeperSettings {
  /** First retry delay, and the delay after a disconnect. @default 1000 */
  minDelayMs?: number
  /** Longest delay between tries. @default 60000 */
  maxDelayMs?: number
  /**
   * Whether the node wants more peers now (its degree is below the minimum). A lost bootstrap
   * peer is re-dialled only then; otherwise the re-dial is put off, with the same backoff. Without
   * it, lost bootstrap peers are always re-dialled.
   */
  wantsPeers?: () => boolean
}

interface Target {
  readonly addr: Multiaddr
  readonly peerId: string | undefined
  delayMs: number
  timer: ReturnType<typeof setTimeout> | undefined
  /** When the last dial of it succeeded. */
  connectedAt: number | undefined
}

/** Dials `addrs` while `node` runs, and again whenever one of them is lost. */
export class BootstrapKeeper {
  private readonly node: Libp2p
  private readonly targets: Target[]
  private readonly minDelayMs: number
  private readonly maxDelayMs: number
  private readonly wantsPeers: () => boolean
  private running = false

  constructor(node: Libp2p, addrs: readonly string[], settings: BootstrapKeeperSettings = {}) {
    this.node = node
    this.minDelayMs = settings.minDelayMs ?? 1000
    this.maxDelayMs = settings.maxDelayMs ?? 60_000
    this.wantsPeers = settings.wantsPeers ?? (() => true)
    this.targets = addrs.map((text) => {
      const addr = multiaddr(text)
      return { addr, peerId: addr.getComponents().find((c) => c.name === 'p2p')?.value, delayMs: this.minDelayMs, timer: undefined, connectedAt: undefined }
    })
    node.addEventListener('start', () => this.start())
    node.addEventListener('stop', () => this.stop())
    node.addEventListener('peer:disconnect', ({ detail }) => this.onDisconnect(detail))
  }

  private start(): void {
    if (this.running) return
    this.running = true
    for (const target of this.targets) void this.dial(target)
  }

  private stop(): void {
    this.running = false
    for (const target of this.targets) {
      clearTimeout(target.timer)
      target.timer = undefined
    }
  }

  private onDisconnect(peer: PeerId): void {
    const id = peer.toString()
    for (const target of this.targets) {
      if (target.peerId !== id || target.timer !== undefined) continue
      // A connection that held resets the backoff; one dropped soon after it opened doubles it.
      const held = target.connectedAt !== undefined && Date.now() - target.connectedAt >= this.maxDelayMs
      if (held) target.delayMs = this.minDelayMs
      this.retry(target)
      target.delayMs = Math.min(target.delayMs * 2, this.maxDelayMs)
    }
  }

  private async dial(target: Target): Promise<void> {
    target.timer = undefined
    if (!this.running) return
    // A node with the peers it wants leaves a lost bootstrap peer alone (a full one trims its
    // clients, which would re-dial it for ever); the first dial at start always goes.
    if (target.connectedAt !== undefined && !this.wantsPeers()) {
      this.retry(target)
      target.delayMs = Math.min(target.delayMs * 2, this.maxDelayMs)
      return
    }
    try {
      await this.node.dial(target.addr)
      target.connectedAt = Date.now()
    } catch {
      if (!this.running) return
      this.retry(target)
      target.delayMs = Math.min(target.delayMs * 2, this.maxDelayMs)
    }
  }

  private retry(target: Target): void {
    if (!this.running || target.timer !== undefined) return
    target.timer = setTimeout(() => void this.dial(target), target.delayMs)
    // A pending re-dial does not keep the process alive.
    target.timer.unref?.()
  }
}
