/**
 * The Whisper service's settings: the `WhisperInit` an app passes, with defaults
 * (design.md §9), resolved and checked once.
 */
import { type Bloom, BLOOM_LENGTH_BYTES, DEFAULT_MAX_ENVELOPE_SIZE_BYTES, MAX_ENVELOPE_SIZE_BYTES } from '@hush/envelope'
import type { PoolInit } from '@hush/pool'
import {
  DEFAULT_BATCH_INTERVAL_MS,
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_EAGER_PEERS,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_MIN_POW,
  DEFAULT_PRUNE_INTERVAL_MS,
  FUTURE_ALLOWANCE_SECONDS,
  PAST_ALLOWANCE_SECONDS,
  REQUIREMENT_TOLERANCE_MS,
} from './constants.ts'
import { type PeerScoreInit, type ScoreParams, scoreParams } from './peer-score.ts'

/** Per-peer rate limits; each bucket's burst is twice its rate. */
export interface RateLimits {
  /** Frames per second a peer may send; beyond it frames are dropped and cost points. @default 2000 */
  packetsPerSecond?: number
  /** Bytes per second a peer may send; beyond it we stop reading from it for a while. @default 16777216 */
  bytesPerSecond?: number
  /** Envelopes per second a peer may make us check; beyond it we stop reading for a while. @default 10000 */
  envelopesPerSecond?: number
  /**
   * Soft drops per second that cost a peer nothing (recently expired, clock skew, a full pool, a
   * duplicate of what we told it we had); beyond it each costs points.
   * @default 500
   */
  softDropsPerSecond?: number
}

/** Construction settings of the Whisper service; every field is optional. */
export interface WhisperInit {
  /**
   * Minimum PoW of envelopes this node accepts and announces.
   * @default 0.2
   */
  minPow?: number
  /**
   * Largest envelope `size()` accepted, in bytes (at most 10 MiB).
   * @default 1048576
   */
  maxMessageSize?: number
  /**
   * Light mode: announce a bloom of watched topics, relay no one else's envelopes, and refuse
   * other light nodes.
   * @default false
   */
  isLight?: boolean
  /**
   * An explicit 64-byte bloom to announce (as `setBloomFilter`); watched topics are added to it.
   * @default undefined (a full node)
   */
  bloom?: Bloom
  /**
   * Bounds of the envelope pool (see @hush/pool). Its time and size rules come from the node's
   * own settings (`futureAllowanceSeconds`; sizes up to the 10 MiB hard cap, the node checks
   * `maxMessageSize` itself), so the pool never refuses what the node accepted.
   */
  pool?: Omit<PoolInit, 'futureAllowanceSeconds' | 'maxEnvelopeBytes'>
  /**
   * Interval between forwarding batches.
   * @default 3
   */
  batchIntervalMs?: number
  /**
   * How many idle peers get an envelope we relay at once, on the next turn of the event loop; the
   * others get it in the next batch (`batchIntervalMs` later) unless they tell us meanwhile that
   * they have it. Our own envelopes go to every peer at once. 0 batches everything.
   * @default 2
   */
  eagerPeers?: number
  /**
   * Interval of the expiry sweep of the pool and the peers' known-sets.
   * @default 1000
   */
  pruneIntervalMs?: number
  /**
   * How far in the future an envelope's send time may be.
   * @default 10
   */
  futureAllowanceSeconds?: number
  /**
   * How long after expiry an envelope is dropped without cost to its sender.
   * @default 20
   */
  pastAllowanceSeconds?: number
  /**
   * How long old PoW and bloom requirements stay tolerated after a change.
   * @default 10000
   */
  requirementToleranceMs?: number
  /** Peer scoring. */
  score?: PeerScoreInit
  /** Per-peer rate limits. */
  rateLimits?: RateLimits
  /**
   * Messages buffered per filter before the oldest is dropped.
   * @default 1024
   */
  filterCapacity?: number
  /**
   * Bytes buffered for a peer before data for it waits for the stream to drain (nothing queued is
   * dropped; known-hashes notices are). Messages frames are never larger.
   * @default 16777216
   */
  maxWriteQueueBytes?: number
  /**
   * How long a peer may leave our stream undrained before it is dropped as not reading.
   * @default 30000
   */
  drainTimeoutMs?: number
  /**
   * Worker threads for sealing; 0 seals on the main thread in slices.
   * @default one per core
   */
  sealWorkers?: number
  /**
   * Disconnect a light peer when this node is light too (geth's default).
   * @default true
   */
  restrictLightPeers?: boolean
  /**
   * Time a peer has to send its status.
   * @default 5000
   */
  handshakeTimeoutMs?: number
  /**
   * Delay before a changed light-mode bloom is announced, so bursts of subscription changes
   * become one announcement.
   * @default 100
   */
  bloomAnnounceDelayMs?: number
  /**
   * The clock, in unix milliseconds (tests inject one).
   * @default Date.now
   */
  now?: () => number
}

/** Resolved settings. */
export interface WhisperSettings {
  minPow: number
  maxMessageSize: number
  isLight: boolean
  bloom: Bloom | undefined
  pool: PoolInit
  batchIntervalMs: number
  eagerPeers: number
  drainTimeoutMs: number
  pruneIntervalMs: number
  futureAllowanceSeconds: number
  pastAllowanceSeconds: number
  requirementToleranceMs: number
  score: ScoreParams
  packetsPerSecond: number
  bytesPerSecond: number
  envelopesPerSecond: number
  softDropsPerSecond: number
  filterCapacity: number
  maxWriteQueueBytes: number
  sealWorkers: number | undefined
  restrictLightPeers: boolean
  handshakeTimeoutMs: number
  bloomAnnounceDelayMs: number
  now: () => number
}

/** Checks that a PoW is a finite number ≥ 0. */
export function checkPow(value: unknown, label: string): asserts value is number {
  if (typeof value !== 'number') throw new TypeError(`${label} must be a number`)
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${label} must be a finite number ≥ 0`)
}

/** Checks a max message size. */
export function checkMaxSize(value: unknown, label: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new TypeError(`${label} must be an integer`)
  if (value < 64 || value > MAX_ENVELOPE_SIZE_BYTES) throw new RangeError(`${label} must be in [64, ${MAX_ENVELOPE_SIZE_BYTES}]`)
}

/** Checks a 64-byte bloom. */
export function checkBloom(value: unknown, label: string): asserts value is Bloom {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${label} must be a Uint8Array`)
  if (value.length !== BLOOM_LENGTH_BYTES) throw new RangeError(`${label} must be ${BLOOM_LENGTH_BYTES} bytes`)
}

function positive(value: number, label: string): number {
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) throw new RangeError(`${label} must be a positive number`)
  return value
}

function nonNegative(value: number, label: string): number {
  if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) throw new RangeError(`${label} must be a number ≥ 0`)
  return value
}

function nonNegativeInteger(value: number, label: string): number {
  if (typeof value !== 'number') throw new TypeError(`${label} must be a number`)
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${label} must be an integer ≥ 0`)
  return value
}

/** Fills in defaults and checks every field. */
export function resolveSettings(init: WhisperInit = {}): WhisperSettings {
  if (typeof init !== 'object' || init === null) throw new TypeError('init must be an object')
  const minPow = init.minPow ?? DEFAULT_MIN_POW
  checkPow(minPow, 'init.minPow')
  const maxMessageSize = init.maxMessageSize ?? DEFAULT_MAX_ENVELOPE_SIZE_BYTES
  checkMaxSize(maxMessageSize, 'init.maxMessageSize')
  if (init.bloom !== undefined) checkBloom(init.bloom, 'init.bloom')
  if (init.sealWorkers !== undefined && !(Number.isInteger(init.sealWorkers) && init.sealWorkers >= 0)) {
    throw new RangeError('init.sealWorkers must be an integer ≥ 0')
  }
  if (init.now !== undefined && typeof init.now !== 'function') throw new TypeError('init.now must be a function')
  const futureAllowanceSeconds = nonNegative(init.futureAllowanceSeconds ?? FUTURE_ALLOWANCE_SECONDS, 'init.futureAllowanceSeconds')
  const { futureAllowanceSeconds: _f, maxEnvelopeBytes: _m, ...poolInit } = (init.pool ?? {}) as PoolInit
  return {
    minPow,
    maxMessageSize,
    isLight: init.isLight ?? false,
    bloom: init.bloom?.slice(),
    // One resolved set of rules feeds the checks and the pool (the pool holds up to the hard cap,
    // so a later setMaxMessageSize needs nothing from it).
    pool: {
      ...poolInit,
      futureAllowanceSeconds,
      maxEnvelopeBytes: Math.min(MAX_ENVELOPE_SIZE_BYTES, poolInit.maxBytes ?? MAX_ENVELOPE_SIZE_BYTES),
    },
    drainTimeoutMs: positive(init.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS, 'init.drainTimeoutMs'),
    batchIntervalMs: positive(init.batchIntervalMs ?? DEFAULT_BATCH_INTERVAL_MS, 'init.batchIntervalMs'),
    eagerPeers: nonNegativeInteger(init.eagerPeers ?? DEFAULT_EAGER_PEERS, 'init.eagerPeers'),
    pruneIntervalMs: positive(init.pruneIntervalMs ?? DEFAULT_PRUNE_INTERVAL_MS, 'init.pruneIntervalMs'),
    futureAllowanceSeconds,
    pastAllowanceSeconds: nonNegative(init.pastAllowanceSeconds ?? PAST_ALLOWANCE_SECONDS, 'init.pastAllowanceSeconds'),
    requirementToleranceMs: nonNegative(init.requirementToleranceMs ?? REQUIREMENT_TOLERANCE_MS, 'init.requirementToleranceMs'),
    score: scoreParams(init.score),
    packetsPerSecond: positive(init.rateLimits?.packetsPerSecond ?? 2000, 'init.rateLimits.packetsPerSecond'),
    bytesPerSecond: positive(init.rateLimits?.bytesPerSecond ?? 16 * 1024 * 1024, 'init.rateLimits.bytesPerSecond'),
    envelopesPerSecond: positive(init.rateLimits?.envelopesPerSecond ?? 10_000, 'init.rateLimits.envelopesPerSecond'),
    softDropsPerSecond: positive(init.rateLimits?.softDropsPerSecond ?? 500, 'init.rateLimits.softDropsPerSecond'),
    filterCapacity: positive(init.filterCapacity ?? 1024, 'init.filterCapacity'),
    maxWriteQueueBytes: positive(init.maxWriteQueueBytes ?? 16 * 1024 * 1024, 'init.maxWriteQueueBytes'),
    sealWorkers: init.sealWorkers,
    restrictLightPeers: init.restrictLightPeers ?? true,
    handshakeTimeoutMs: positive(init.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS, 'init.handshakeTimeoutMs'),
    bloomAnnounceDelayMs: nonNegative(init.bloomAnnounceDelayMs ?? 100, 'init.bloomAnnounceDelayMs'),
    now: init.now ?? Date.now,
  }
}
