/**
 * Settings of the pool ({@link PoolInit}), their validation and the resolved form the pool uses.
 */
import { DEFAULT_MAX_ENVELOPE_SIZE_BYTES, MAX_ENVELOPE_SIZE_BYTES } from '@hush/envelope'
import { assertInt, assertNumber, assertTime } from './assert.ts'
import {
  DEFAULT_FUTURE_ALLOWANCE_SECONDS,
  DEFAULT_PEER_SHARE,
  DEFAULT_POOL_MAX_BYTES,
  DEFAULT_POOL_MAX_COUNT,
} from './constants.ts'
import type { Eviction } from './api.ts'
import type { SeenCacheInit } from './seen-cache.ts'

/** Settings of `createPool`. Every field is optional. */
export interface PoolInit {
  /**
   * Bound on the bytes held, each envelope counted as Whisper's `size()` (20 + data length).
   * @default 67108864 (64 MiB)
   */
  maxBytes?: number
  /**
   * Bound on the number of envelopes held.
   * @default 100000
   */
  maxCount?: number
  /**
   * Share of each bound one peer may fill, in (0, 1]: a peer holds at most
   * `max(1, floor(maxBytes × peerShare))` bytes and `max(1, floor(maxCount × peerShare))`
   * envelopes. Own envelopes (no peer) are not limited by it.
   * @default 0.25
   */
  peerShare?: number
  /**
   * Largest single envelope accepted, as `size()` in bytes; larger ones are 'too-large'.
   * @default 1048576 (geth's default maximum message size)
   */
  maxEnvelopeBytes?: number
  /**
   * Seconds an envelope's send time (`expiry − ttl`) may lie ahead of `now` before it is
   * refused as 'future' (geth's sync allowance).
   * @default 10
   */
  futureAllowanceSeconds?: number
  /**
   * Envelopes whose PoW is below this are refused as 'low-pow'. The node applies its own
   * minimum (with the tolerance after a change) first; this is a last line.
   * @default undefined (no PoW check)
   */
  minPow?: number | undefined
  /** Settings of the pool's own seen cache. */
  seen?: SeenCacheInit
  /**
   * Called with each entry that `add` removes to make room (not for `prune` or `delete`, which
   * return their records), in removal order, once the add has finished and the pool is
   * consistent again. Without a listener the pool makes no eviction records at all: a flood's
   * evicting add then allocates nothing for them, and `AddResult.evicted` is only a count.
   * @default undefined
   */
  onEvict?: ((eviction: Eviction) => void) | undefined
}

/** {@link PoolInit} with every default applied and the peer quota worked out. */
export interface PoolSettings {
  /** Bound on the bytes held (Σ `size()`). */
  readonly maxBytes: number
  /** Bound on the number of envelopes held. */
  readonly maxCount: number
  /** Bytes one peer may hold: `max(1, floor(maxBytes × peerShare))`. */
  readonly maxPeerBytes: number
  /** Envelopes one peer may hold: `max(1, floor(maxCount × peerShare))`. */
  readonly maxPeerCount: number
  /** Largest single envelope accepted, as `size()`. */
  readonly maxEnvelopeBytes: number
  /** Tolerance for a send time (`expiry − ttl`) ahead of `now`, in seconds. */
  readonly futureAllowanceSeconds: number
  /** Minimum PoW, or `undefined` for no check. */
  readonly minPow: number | undefined
}

/**
 * Validates `init` and applies the defaults.
 * @throws {TypeError | RangeError} naming the offending field
 */
export function resolvePoolSettings(init: PoolInit): PoolSettings {
  if (typeof init !== 'object' || init === null) throw new TypeError('init must be an object')
  const maxBytes = init.maxBytes ?? DEFAULT_POOL_MAX_BYTES
  const maxCount = init.maxCount ?? DEFAULT_POOL_MAX_COUNT
  const peerShare = init.peerShare ?? DEFAULT_PEER_SHARE
  const maxEnvelopeBytes = init.maxEnvelopeBytes ?? DEFAULT_MAX_ENVELOPE_SIZE_BYTES
  const futureAllowanceSeconds = init.futureAllowanceSeconds ?? DEFAULT_FUTURE_ALLOWANCE_SECONDS
  assertInt(maxBytes, 'init.maxBytes', 1)
  assertInt(maxCount, 'init.maxCount', 1)
  assertNumber(peerShare, 'init.peerShare', Number.MIN_VALUE, 1)
  assertInt(maxEnvelopeBytes, 'init.maxEnvelopeBytes', 1, MAX_ENVELOPE_SIZE_BYTES)
  assertTime(futureAllowanceSeconds, 'init.futureAllowanceSeconds')
  if (init.minPow !== undefined) assertNumber(init.minPow, 'init.minPow', 0)
  if (init.onEvict !== undefined && typeof init.onEvict !== 'function') throw new TypeError('init.onEvict must be a function')
  return {
    maxBytes,
    maxCount,
    maxPeerBytes: Math.max(1, Math.floor(maxBytes * peerShare)),
    maxPeerCount: Math.max(1, Math.floor(maxCount * peerShare)),
    maxEnvelopeBytes,
    futureAllowanceSeconds,
    minPow: init.minPow,
  }
}
