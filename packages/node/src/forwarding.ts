/**
 * Forwarding decisions (design.md §3), as pure functions over a peer's announced state: which
 * envelopes a peer wants, and whether a received value meets a requirement we announced. How
 * queued envelopes are packed into frames is the outbox's business.
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
