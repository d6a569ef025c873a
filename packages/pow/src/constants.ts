/** Constants of @hush/pow, with their sources. */

/** Keccak-256 rate in bytes: the PoW hash input is absorbed in blocks of this size (FIPS 202). */
export const KECCAK_RATE_BYTES = 136

/** Largest nonce (uint64; spec §2.1). */
export const MAX_NONCE: bigint = (1n << 64n) - 1n

/** Nonces per kernel call between clock checks in the synchronous and time-sliced loops (geth checks every 1024). */
export const NONCE_BATCH = 1024

/** Nonces per kernel call inside a worker between checks of the stop flag and the deadline. */
export const WORKER_NONCE_BATCH = 8192

/** Length of one main-thread slice of the time-sliced fallback before it yields (house-style §3.7). */
export const SLICE_MS = 10

/** Default interval between two progress reports of {@link sealEnvelopeAsync}. */
export const DEFAULT_PROGRESS_INTERVAL_MS = 100

/** How long a stopping worker may take to report its best nonce before it is terminated anyway. */
export const WORKER_STOP_GRACE_MS = 1000

/** Leading zero bits of an all-zero 256-bit hash: the most a nonce can achieve. */
export const MAX_LEADING_ZERO_BITS = 256
