/**
 * Defaults of @hush/pool, with the unit in each name. Spec references point at
 * `shared/spec/whisper-v6.md`; design references at `shared/design.md`.
 */

/** Length of an envelope hash, Keccak-256 (spec §2.3). */
export const HASH_LENGTH_BYTES = 32

/**
 * Default bound on the bytes held, counted as Whisper's `size()` of each envelope (20 + data
 * length, spec §2.4). geth had no bound (spec §9); 64 MiB holds a 50 s flood of about 1,300
 * one-KiB envelopes per second.
 */
export const DEFAULT_POOL_MAX_BYTES: number = 64 * 1024 * 1024

/**
 * Default bound on the number of envelopes held. It caps the overhead per entry that the byte
 * bound does not count (tables, hash index and heaps: about 180 bytes each, plus the RLP headers).
 */
export const DEFAULT_POOL_MAX_COUNT = 100_000

/** Default share of both bounds one peer may fill (design §5: the per-peer quota). */
export const DEFAULT_PEER_SHARE = 0.25

/** Default tolerance for envelopes sent in the future: geth's sync allowance (spec §1, §2.6). */
export const DEFAULT_FUTURE_ALLOWANCE_SECONDS = 10

/**
 * Default time the seen cache keeps a hash after the envelope's expiry: geth's old-expiry
 * tolerance, twice the sync allowance (spec §1, §2.6), so late duplicates are still recognised.
 */
export const DEFAULT_SEEN_ALLOWANCE_SECONDS = 20

/** Default bound on the number of hashes the seen cache remembers (twice the pool's count bound). */
export const DEFAULT_SEEN_MAX_COUNT = 200_000
