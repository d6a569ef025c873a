/**
 * Handshake replay protection, a strike register (the anti-replay scheme of QUIC's crypto
 * handshake): session ids seen, each kept until its handshake would be refused as stale anyway,
 * plus a horizon, a creation time before which every handshake is refused.
 *
 * The cache is bounded, so it must sometimes forget an id that is still fresh. It forgets the
 * one created earliest and raises the horizon past that creation time, so the forgotten
 * handshake (and anything older) is still refused: eviction costs the acceptance of old
 * handshakes, never replay protection. The horizon also starts at the owner's start time, as a
 * fresh register cannot know what an earlier run accepted.
 */
import { bytesToHex } from '@noble/hashes/utils.js'

/** One remembered handshake. */
export interface ReplayEntry<T> {
  /** The handshake's creation time, unix milliseconds. */
  readonly createdAtMs: number
  /** Unix milliseconds after which the entry may go. */
  readonly expiresAtMs: number
  /** What the owner attaches (the reply to repeat, the session). */
  value: T
}

/** What {@link ReplayCache.check} found for a handshake. */
export type ReplayCheck<T> =
  | { readonly status: 'new' }
  | { readonly status: 'seen'; readonly entry: ReplayEntry<T> }
  | { readonly status: 'before-horizon' }

/** Session ids seen recently, and the horizon below which everything counts as seen. */
export class ReplayCache<T> {
  private readonly entries = new Map<string, ReplayEntry<T>>()
  private readonly maxEntries: number
  private horizon: number

  /**
   * @param maxEntries the bound on remembered ids
   * @param horizonMs handshakes created before this unix-ms time are refused (the start time)
   */
  constructor(maxEntries: number, horizonMs: number) {
    this.maxEntries = maxEntries
    this.horizon = horizonMs
  }

  /** Entries held. */
  get size(): number {
    return this.entries.size
  }

  /** Unix ms before which every handshake is refused. */
  get horizonMs(): number {
    return this.horizon
  }

  /** Whether a handshake with `sessionId` created at `createdAtMs` was seen, may have been, or is new. */
  check(sessionId: Uint8Array, createdAtMs: number, nowMs: number): ReplayCheck<T> {
    this.prune(nowMs)
    const entry = this.entries.get(bytesToHex(sessionId))
    if (entry !== undefined) return { status: 'seen', entry }
    if (createdAtMs < this.horizon) return { status: 'before-horizon' }
    return { status: 'new' }
  }

  /**
   * Remembers `sessionId` until `expiresAtMs`. Past the cap it forgets the entry created
   * earliest and raises the horizon above that entry's creation time.
   */
  add(sessionId: Uint8Array, createdAtMs: number, expiresAtMs: number, value: T): ReplayEntry<T> {
    const entry = { createdAtMs, expiresAtMs, value }
    this.entries.set(bytesToHex(sessionId), entry)
    while (this.entries.size > this.maxEntries) this.evictEarliest()
    return entry
  }

  /** Drops expired entries (their handshakes are stale: refused by age). */
  prune(nowMs: number): void {
    for (const [key, entry] of this.entries) if (entry.expiresAtMs < nowMs) this.entries.delete(key)
  }

  private evictEarliest(): void {
    let earliestKey: string | undefined
    let earliest = Number.POSITIVE_INFINITY
    for (const [key, entry] of this.entries) {
      if (entry.createdAtMs < earliest) {
        earliest = entry.createdAtMs
        earliestKey = key
      }
    }
    if (earliestKey === undefined) return
    this.entries.delete(earliestKey)
    this.horizon = Math.max(this.horizon, earliest + 1)
  }
}
