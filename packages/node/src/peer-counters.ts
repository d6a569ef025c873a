/** Traffic counters of peers (for `info().traffic`, and the totals kept when peers go). */

/** Traffic counters of one peer; bytes include length prefixes. */
export interface PeerCounters {
  framesIn: number
  framesOut: number
  bytesIn: number
  bytesOut: number
  /** New envelopes received from the peer. */
  envelopesIn: number
  /** Envelopes sent to the peer. */
  envelopesOut: number
  /** Envelopes received that we already had. */
  duplicatesIn: number
  /** Frames dropped because the peer's write queue was full (only droppable ones: notices). */
  writeDrops: number
}

/** Counters at zero. */
export function emptyCounters(): PeerCounters {
  return { framesIn: 0, framesOut: 0, bytesIn: 0, bytesOut: 0, envelopesIn: 0, envelopesOut: 0, duplicatesIn: 0, writeDrops: 0 }
}

/** Adds `from` into `into`. */
export function addCounters(into: PeerCounters, from: PeerCounters): void {
  for (const k of Object.keys(into) as Array<keyof PeerCounters>) into[k] += from[k]
}
