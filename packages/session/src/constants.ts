/** Constants of @hush/session, with units in their names (house-style §3.4). */

/** Version byte at offset 0 of every session frame. */
export const FRAME_VERSION = 1
/** Frame header: version(1) ‖ type(1) ‖ body length(2, big-endian). */
export const FRAME_HEADER_BYTES = 4
/**
 * The plaintext size classes: every frame is zero-padded to the smallest that holds it, so an
 * observer sees only one of three lengths (design.md §7).
 */
export const FRAME_SIZE_CLASSES_BYTES: readonly number[] = Object.freeze([256, 1024, 4096])
/** The largest frame, and so the largest plaintext before encryption. */
const MAX_FRAME_BYTES = 4096
/** Session id length. */
export const SESSION_ID_BYTES = 16
/** Symmetric key length (AES-256-GCM, HMAC-SHA-256 chain keys). */
export const KEY_BYTES = 32
/** Uncompressed secp256k1 public key length (0x04 ‖ X ‖ Y). */
export const PUBLIC_KEY_BYTES = 65
/** Whisper topic length. */
export const TOPIC_BYTES = 4
/** Data frame fixed fields: number(4) ‖ ack base(4) ‖ ack bitmap(4). */
export const DATA_FIXED_BYTES = 12
/** The largest application payload of one data message: 4096 − 4 − 12. */
export const MAX_MESSAGE_BYTES: number = MAX_FRAME_BYTES - FRAME_HEADER_BYTES - DATA_FIXED_BYTES
/** Message numbers are uint32 and start at 1 (0 in an ack means "nothing yet"). */
export const MAX_MESSAGE_NUMBER = 0xffff_ffff
/** Bits in an ack bitmap: numbers base+2 … base+33. */
export const ACK_BITMAP_BITS = 32
/** A record's resend interval doubles after each resend, at most this many times (×32). */
export const RESEND_BACKOFF_MAX_DOUBLINGS = 5
/** HKDF info label of the session key schedule. */
export const SESSION_KDF_INFO = 'hush/session/v1'
/** HKDF info label of the reply's header key (from keyBA). */
export const REPLY_HEADER_KDF_INFO = 'hush/session/v1/reply-header'
/** HKDF info label of the reply's body key (from keyBA). */
export const REPLY_BODY_KDF_INFO = 'hush/session/v1/reply-body'
/** Default envelope TTL of session traffic (geth's default TTL). */
export const DEFAULT_TTL_SECONDS = 50
/** Default number of discovery-topic partitions. */
export const DEFAULT_DISCOVERY_PARTITIONS = 16
/** Default largest gap between the next expected number and an accepted one. */
export const DEFAULT_MAX_GAP = 256
/** Default bound of the skipped-message-key cache per direction. */
export const DEFAULT_MAX_SKIPPED_KEYS = 512
/** Default delay before a standalone ack when no data carries it. */
export const DEFAULT_ACK_DELAY_MS = 200
/** Default interval between resends of an unacknowledged record. */
export const DEFAULT_RESEND_INTERVAL_MS = 2_000
/** Default age after which a handshake is stale (and before which replays are remembered). */
export const DEFAULT_HANDSHAKE_MAX_AGE_MS = 60_000
/** Default allowance for a handshake stamped in the future (clock skew). */
export const DEFAULT_FUTURE_ALLOWANCE_MS = 10_000
/** Default bound of a peer's handshake replay cache (session ids remembered). */
export const DEFAULT_MAX_REMEMBERED_HANDSHAKES = 10_000
/** Default time `connect` waits for the reply. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000
/** Default period of the partial-topic rotation (the initiator proposes its own in the handshake). */
export const DEFAULT_TOPIC_ROTATION_MS = 600_000
/** Shortest accepted rotation period (besides 0, no rotation): a shorter one only churns subscriptions. */
export const MIN_TOPIC_ROTATION_MS = 50

/** A catch-up starts this much earlier than TTL before the last record received (clock skew). */
export const CATCH_UP_SKEW_MS = 30_000

/** Topics per history request of a catch-up (one per epoch of the span). */
export const CATCH_UP_TOPICS = 256
