/**
 * Whether `Pool.add` refuses a newcomer before looking for room (the checks that depend only on
 * the newcomer, the settings and whether its hash is known), and whether it fits without
 * evicting. Pure decisions; what to evict is decided in `victims.ts`.
 */
import type { AddStatus } from './api.ts'
import type { PoolSettings } from './options.ts'

/**
 * The status refusing a newcomer of `bytes` (Whisper's size) with `expiry`, `ttl` and `pow`, from
 * `peer` (`undefined` for an own envelope), at `now`; or `undefined` when it may go on.
 * `known` is whether its hash is pooled or seen.
 */
export function refusal(
  s: PoolSettings, known: boolean, expiry: number, ttl: number, bytes: number, pow: number, peer: string | undefined, now: number
): AddStatus | undefined {
  if (known) return 'duplicate'
  if (expiry < now) return 'expired'
  if (expiry - ttl > now + s.futureAllowanceSeconds) return 'future'
  if (bytes > s.maxEnvelopeBytes || bytes > s.maxBytes || (peer !== undefined && bytes > s.maxPeerBytes)) return 'too-large'
  if (s.minPow !== undefined && pow < s.minPow) return 'low-pow'
  return undefined
}

/**
 * True when `bytes` more fit a pool holding `count` entries of `total` bytes, and the quota of
 * the newcomer's peer (`load`, `undefined` for an own envelope or a peer holding nothing),
 * without evicting.
 */
export function fits(
  s: PoolSettings, count: number, total: number, bytes: number, load: { readonly count: number; readonly bytes: number } | undefined
): boolean {
  return (
    count < s.maxCount &&
    total + bytes <= s.maxBytes &&
    withinQuota(s, bytes, load)
  )
}

/** True when `bytes` more fit the quota of the newcomer's peer (`load`, as for {@link fits}). */
export function withinQuota(s: PoolSettings, bytes: number, load: { readonly count: number; readonly bytes: number } | undefined): boolean {
  return load === undefined || (load.count < s.maxPeerCount && load.bytes + bytes <= s.maxPeerBytes)
}
