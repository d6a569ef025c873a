/**
 * The cheap, pure checks of envelope ingest (design.md §4), in order of cost. Each failure is a
 * {@link DropReason}; {@link DROP_PENALTIES} says which cost the sending peer score points.
 */
import type { Envelope } from '@hush/envelope'
import type { ScoreEvent } from './peer-score.ts'

/** Why the node dropped a frame or an envelope. */
export type DropReason =
  | 'malformed-frame'
  | 'invalid-envelope'
  | 'ttl-zero'
  | 'expired'
  | 'expired-far'
  | 'future'
  | 'future-skew'
  | 'too-large'
  | 'low-pow'
  | 'bloom-mismatch'
  | 'rate-limited'
  | 'pool-full'
  | 'untrusted-p2p'

/** Every drop reason, for metrics and `info()`. */
export const DROP_REASONS: readonly DropReason[] = [
  'malformed-frame',
  'invalid-envelope',
  'ttl-zero',
  'expired',
  'expired-far',
  'future',
  'future-skew',
  'too-large',
  'low-pow',
  'bloom-mismatch',
  'rate-limited',
  'pool-full',
  'untrusted-p2p',
]

/** The score event each drop costs the sender, if any. Soft drops cost nothing. */
export const DROP_PENALTIES: Readonly<Partial<Record<DropReason, ScoreEvent>>> = {
  'malformed-frame': 'malformed-frame',
  'invalid-envelope': 'invalid-envelope',
  'ttl-zero': 'invalid-envelope',
  'expired-far': 'expired-far',
  future: 'future',
  'too-large': 'too-large',
  'low-pow': 'low-pow',
  'bloom-mismatch': 'bloom-mismatch',
  'rate-limited': 'rate-limited',
}

/** Time allowances for {@link checkTime}, in seconds. */
export interface TimeAllowances {
  /** Envelopes sent up to this far ahead of our clock are accepted. */
  futureSeconds: number
  /** Envelopes expired up to this long ago are dropped without cost. */
  pastSeconds: number
}

/** Outcome of {@link checkTime}: accepted with the TTL to use for the PoW, or a drop reason. */
export type TimeVerdict = { ok: true; powTtl: number } | { ok: false; reason: DropReason }

/**
 * geth's time checks (spec §2.6), judged against the peer's measured clock where that explains
 * a skew: TTL 0 is refused; an envelope sent in the near future is accepted with its PoW
 * computed over a TTL enlarged by how far ahead it is (geth); one further ahead is a costly
 * `'future'`, unless the peer's own clock (our clock + `peerOffsetSeconds`) puts it within the
 * allowance, which makes it a soft `'future-skew'`. Expired envelopes within the past allowance
 * are a soft `'expired'`; older ones cost the peer (`'expired-far'`), again unless the peer's
 * clock explains it.
 */
export function checkTime(
  envelope: Pick<Envelope, 'expiry' | 'ttl'>,
  nowSeconds: number,
  peerOffsetSeconds: number,
  allowances: TimeAllowances
): TimeVerdict {
  if (envelope.ttl === 0) return { ok: false, reason: 'ttl-zero' }
  const sent = envelope.expiry - envelope.ttl
  if (sent > nowSeconds) {
    if (sent - allowances.futureSeconds > nowSeconds) {
      const peerNow = nowSeconds + peerOffsetSeconds
      return { ok: false, reason: sent - allowances.futureSeconds > peerNow ? 'future' : 'future-skew' }
    }
    return { ok: true, powTtl: envelope.ttl + (sent - nowSeconds) + 1 }
  }
  if (envelope.expiry < nowSeconds) {
    if (envelope.expiry + allowances.pastSeconds < nowSeconds) {
      const peerNow = nowSeconds + peerOffsetSeconds
      return { ok: false, reason: envelope.expiry + allowances.pastSeconds < peerNow ? 'expired-far' : 'expired' }
    }
    return { ok: false, reason: 'expired' }
  }
  return { ok: true, powTtl: envelope.ttl }
}
