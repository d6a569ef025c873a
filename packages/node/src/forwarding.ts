/**
 * Forwarding decisions (design.md §3), as pure functions over a peer's announced state: whether a
 * peer wants an envelope, and which pooled envelopes a newly ready peer gets. How queued envelopes
 * are packed into frames is the outbox's business.
 */
import { type Bloom, bloomMatches, isFullBloom } from '@hush/envelope'
import type { Requirement } from './requirement.ts'

/** What the router knows about an envelope when deciding where it goes. */
export interface ForwardCandidate {
  readonly pow: number
  /** geth's per-byte bloom of the envelope's topic (`topicToBloom`), built when first needed. */
  readonly bloom: () => Bloom
  /** `size()`: 20 + data length. */
  readonly sizeBytes: number
}

/** What a peer announced, as the router sees it. */
export interface PeerWants {
  readonly minPow: Requirement<number> | undefined
  readonly bloom: Requirement<Bloom | undefined> | undefined
  readonly maxSizeBytes: number
}

/**
 * Whether a peer wants an envelope: it meets the peer's PoW requirement and bloom and fits its
 * maximum size. Right after the peer tightened a requirement we already apply the new value
 * (sending less is always safe); when it relaxed one, the new value applies too.
 */
export function peerWants(peer: PeerWants, candidate: ForwardCandidate): boolean {
  if (candidate.sizeBytes > peer.maxSizeBytes) return false
  if (peer.minPow !== undefined && candidate.pow < peer.minPow.current) return false
  const bloom = peer.bloom?.current
  if (bloom !== undefined && !isFullBloom(bloom) && !bloomMatches(bloom, candidate.bloom())) return false
  return true
}

/** What {@link syncKeysFor} reads of the pool. */
export interface SyncSource {
  select(options: { bloom: Bloom | undefined; minPow: number | undefined; now: number }): Iterable<{
    readonly key: string
    readonly bytes: number
    readonly peer: string | undefined
  }>
}

/**
 * The hash keys of the pooled envelopes a newly ready peer gets (design.md §3): live ones that
 * meet its bloom, PoW requirement and max size, highest rating first; a light node sends only its
 * own (spec §4.6).
 */
export function syncKeysFor(peer: PeerWants, pool: SyncSource, isLight: boolean, nowSeconds: number): string[] {
  const keys: string[] = []
  for (const entry of pool.select({ bloom: peer.bloom?.current, minPow: peer.minPow?.current, now: nowSeconds })) {
    if (entry.bytes > peer.maxSizeBytes) continue
    if (isLight && entry.peer !== undefined) continue
    keys.push(entry.key)
  }
  return keys
}
