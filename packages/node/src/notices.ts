/**
 * Known-hashes notices (code 20, docs/WIRE.md §6) on their way out: which peer is told which
 * hashes, in shared frames where peers are told the same. The outbox collects them and sends them
 * on the next turn of the event loop, after the envelopes that go out at once.
 */
import { MAX_KNOWN_HASHES_PER_FRAME } from './constants.ts'
import type { Peer } from './peer.ts'
import { encodeKnownHashesFrame } from './wire.ts'

/** A notice waiting to be sent: we have the envelope `hash` (pooled as `key`), from `from`. */
export interface Notice {
  readonly hash: Uint8Array
  readonly key: string
  /** The peer the envelope came from: it has it, so it is not told. */
  readonly from: Peer
}

/**
 * Sends `notices` to each ready peer of `peers`: the hashes of envelopes it neither sent us nor
 * gets from us at once (`sentTo`, by key). Peers told everything share one frame list. Notices are
 * an optimisation: when a peer's write queue is full they are dropped (and counted).
 */
export function sendNotices(notices: readonly Notice[], peers: Iterable<Peer>, sentTo: ReadonlyMap<string, readonly Peer[]>): void {
  let shared: Uint8Array[] | undefined
  for (const peer of peers) {
    if (!peer.isReady) continue
    let own: Uint8Array[] | undefined
    for (let i = 0; i < notices.length; i++) {
      const n = notices[i]
      const skip = n.from === peer || sentTo.get(n.key)?.includes(peer) === true
      if (skip) own ??= notices.slice(0, i).map((m) => m.hash)
      else if (own !== undefined) own.push(n.hash)
    }
    const frames = own === undefined ? (shared ??= noticeFrames(notices.map((n) => n.hash))) : noticeFrames(own)
    for (const frame of frames) peer.trySend(frame)
  }
}

/** Known-hashes frames for `hashes`, at most {@link MAX_KNOWN_HASHES_PER_FRAME} each. */
function noticeFrames(hashes: readonly Uint8Array[]): Uint8Array[] {
  const frames: Uint8Array[] = []
  for (let i = 0; i < hashes.length; i += MAX_KNOWN_HASHES_PER_FRAME) {
    frames.push(encodeKnownHashesFrame(hashes.slice(i, i + MAX_KNOWN_HASHES_PER_FRAME)))
  }
  return frames
}
