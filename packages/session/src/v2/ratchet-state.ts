/**
 * The Double Ratchet state of one session (docs/SESSION.md §6.1) as plain data, and the chain
 * seeds it is made of. Every secret is a `Uint8Array` the state owns: functions that replace one
 * wipe the old array, so a test can hold an array the state held and see it zeroed.
 */
import { wipe } from '../assert.ts'
import { chainTopicOf, headerKeyOf } from './key-schedule.ts'
import type { X25519KeyPair } from './x25519.ts'

/** Keys derived for one record at most (§6.5 steps 4–5): `n − Nr`, `pn − Nr` and `n` each. */
export const MAX_SKIP = 1024
/** Superseded receiving chains held at most (§6.5 step 6). */
export const MAX_PREV_CHAINS = 8
/** Default `maxSkippedKeys`: skipped keys held per session (§6.5 step 6). */
export const DEFAULT_MAX_SKIPPED_KEYS = 512
/** Default `maxSkippedKeysTotal`: skipped keys held across one peer's sessions. */
const DEFAULT_MAX_SKIPPED_KEYS_TOTAL = 8192

/** A chain seed `SD` with the two values derived from it: its header key and its topic (§3). */
export interface ChainSeed {
  readonly seed: Uint8Array
  /** `HK = EXPAND(SD, header-key, 32)`. */
  readonly headerKey: Uint8Array
  /** `TOPIC = EXPAND(SD, topic, 4)`. */
  readonly topic: Uint8Array
}

/** A skipped message key, kept until its record arrives, it expires, or a cap evicts it. */
export interface SkippedKey {
  readonly messageKey: Uint8Array
  /** When it was stored (milliseconds, the caller's clock). */
  readonly storedAtMs: number
}

/** A superseded receiving chain (`prev[j]`): still opens its late records and spots duplicates. */
export interface PrevChain {
  /** The peer's ratchet public key of this chain. */
  readonly dh: Uint8Array
  readonly seed: ChainSeed
  /** The chain's length, from the `pn` of the header that ended it. */
  readonly end: number
  readonly supersededAtMs: number
  /** Skipped keys by index `n`, oldest first (insertion order). */
  readonly skipped: Map<number, SkippedKey>
}

/**
 * A count of skipped keys shared by every session of one peer, with its cap
 * (`maxSkippedKeysTotal`). Create one with {@link createSkippedKeyBudget} and pass it to every
 * session's ratchet.
 */
export interface SkippedKeyBudget {
  readonly max: number
  /** Skipped keys held now by all the sessions that share this budget. */
  used: number
}

/**
 * A budget of `max` skipped keys across sessions.
 * @throws {RangeError} when `max` is not a non-negative integer
 */
export function createSkippedKeyBudget(max: number = DEFAULT_MAX_SKIPPED_KEYS_TOTAL): SkippedKeyBudget {
  if (!Number.isInteger(max) || max < 0) throw new RangeError(`max must be a non-negative integer, got ${max}`)
  return { max, used: 0 }
}

/**
 * The ratchet state of one session (§6.1), plus the header key and topic of each seed. Changed only
 * by `sealRecord`, a committed `openRecord`, `expireRatchet` and `wipeRatchet`.
 */
export interface RatchetState {
  /** Own current ratchet key pair `DHs` (the joiner's is `e_A` until its first step). */
  dhs: X25519KeyPair
  /** The peer's current ratchet public key `DHr`; none for the joiner before its first step. */
  dhr: Uint8Array | undefined
  /** Root key `RK`. */
  rk: Uint8Array
  /** Sending chain key `CKs`, index `Ns` and the previous sending chain's length `PN`. */
  cks: Uint8Array
  ns: number
  pn: number
  /** Current and next sending chain seeds `SDs`, `NSDs`. */
  sds: ChainSeed
  nsds: ChainSeed
  /** Receiving chain key `CKr`, seed `SDr` and index `Nr`; none for the joiner before its first step. */
  ckr: Uint8Array | undefined
  sdr: ChainSeed | undefined
  nr: number
  /** Next receiving chain seed `NSDr`. */
  nsdr: ChainSeed
  /** Skipped keys of the current receiving chain, by `n`, oldest first. */
  skipped: Map<number, SkippedKey>
  /** Superseded receiving chains, oldest first, at most {@link MAX_PREV_CHAINS}. */
  prev: PrevChain[]
  /** Every record's associated data: the handshake hash after message 1. */
  readonly ad: Uint8Array
  /** Whether KDF_RK_FIRST has been used (§6.3). */
  firstStepDone: boolean
  /** The joiner's static private key `S_A` (a copy), for its mirror of KDF_RK_FIRST; wiped at that step. */
  staticPrivateKey: Uint8Array | undefined
  /** Skipped keys held by this session, and its cap `maxSkippedKeys`. */
  skippedCount: number
  readonly maxSkippedKeys: number
  /** The count shared with the peer's other sessions. */
  readonly budget: SkippedKeyBudget
  /** Bumped by every change of the receiving side: an opened record from before it cannot commit. */
  epoch: number
}

/** The chain seed of `seed`, taking ownership of it. */
export function chainSeed(seed: Uint8Array): ChainSeed {
  return { seed, headerKey: headerKeyOf(seed), topic: chainTopicOf(seed) }
}

/** Wipes a chain seed and what was derived from it. */
export function wipeSeed(seed: ChainSeed | undefined): void {
  if (seed !== undefined) wipe(seed.seed, seed.headerKey, seed.topic)
}
