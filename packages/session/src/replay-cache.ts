/**
 * Handshake replay protection: session ids seen, each kept until its handshake would be refused
 * as stale anyway (so the cache stays bounded by the handshake rate), with a hard size cap.
 */
import { bytesToHex } from '@noble/hashes/utils.js'

/** One remembered handshake. */
export interface ReplayEntry<T> {
  /** Unix milliseconds after which the entry may go. */
  readonly expiresAtMs: number
  /** What the owner attaches (the reply to repeat, the session). */
  value: T
}

/** Session ids seen recently. */
export class ReplayCache<T> {
  private readonly entries = new Map<string, ReplayEntry<T>>()
  private readonly maxEntries: number

  constructor(maxEntries: number) {
    this.maxEntries = maxEntries
  }

  /** Entries held. */
  get size(): number {
    return this.entries.size
  }

  /** The entry of `sessionId`, if seen and not expired at `nowMs`. */
  get(sessionId: Uint8Array, nowMs: number): ReplayEntry<T> | undefined {
    this.prune(nowMs)
    return this.entries.get(bytesToHex(sessionId))
  }

  /** Remembers `sessionId` until `expiresAtMs`, evicting the oldest past the cap. */
  add(sessionId: Uint8Array, expiresAtMs: number, value: T): ReplayEntry<T> {
    const entry = { expiresAtMs, value }
    this.entries.set(bytesToHex(sessionId), entry)
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string)
    return entry
  }

  /** Drops expired entries. */
  prune(nowMs: number): void {
    for (const [key, entry] of this.entries) if (entry.expiresAtMs < nowMs) this.entries.delete(key)
  }
}
