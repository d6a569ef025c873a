/**
 * Forwarding decisions (design.md §3), as pure functions over a peer's announced state: which
 * envelopes a peer wants, and how queued envelopes are packed into frames that respect the
 * peer's maximum size.
 */
import { type Bloom, bloomMatches, isFullBloom } from '@hush/envelope'
import type { Requirement } from './peer.ts'
import { messagesFrameSize } from './wire.ts'

/** What the router knows about an envelope when deciding where it goes. */
export interface ForwardCandidate {
  readonly pow: number
  /** geth's per-byte bloom of the envelope's topic (`topicToBloom`). */
  readonly bloom: Bloom
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
  if (bloom !== undefined && !isFullBloom(bloom) && !bloomMatches(bloom, candidate.bloom)) return false
  return true
}

/**
 * Whether a received value passes a requirement we announced, tolerating the previous value for
 * `toleranceMs` after a change (geth's tolerance: peers may not have seen the change yet).
 */
export function meetsOwnRequirement<T>(
  requirement: Requirement<T>,
  passes: (value: T) => boolean,
  nowMs: number,
  toleranceMs: number
): boolean {
  if (passes(requirement.current)) return true
  return nowMs - requirement.changedMs < toleranceMs && passes(requirement.previous)
}

/**
 * Splits raw envelopes into groups whose messages frame stays within `maxFrameBytes`
 * (design.md §2: a batch never exceeds the receiving peer's limit). An envelope too large for
 * any frame is left out (the caller never queues one: {@link peerWants} checks the size).
 */
export function packBatches(envelopes: readonly Uint8Array[], maxFrameBytes: number): Uint8Array[][] {
  const batches: Uint8Array[][] = []
  let current: Uint8Array[] = []
  let bytes = 0
  for (const e of envelopes) {
    if (messagesFrameSize(e.length) > maxFrameBytes) continue
    if (current.length > 0 && messagesFrameSize(bytes + e.length) > maxFrameBytes) {
      batches.push(current)
      current = []
      bytes = 0
    }
    current.push(e)
    bytes += e.length
  }
  if (current.length > 0) batches.push(current)
  return batches
}
