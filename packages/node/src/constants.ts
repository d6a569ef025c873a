/**
 * Node defaults and protocol numbers (design.md §2, §9; spec §1, §7). Units are in the names.
 */

/** libp2p protocol id of the Whisper v6 peer protocol (design.md §2). */
export const PROTOCOL_ID = '/shh/6.0.0'
/** Whisper protocol version carried in the status packet (spec §7.2). */
export const PROTOCOL_VERSION = 6

/** shh/6 packet codes (spec §7.1). */
export const CODE_STATUS = 0
export const CODE_MESSAGES = 1
export const CODE_POW_REQUIREMENT = 2
export const CODE_BLOOM_FILTER = 3
export const CODE_P2P_REQUEST = 126
export const CODE_P2P_MESSAGE = 127
/**
 * "p2p request complete" (Waku v1, 8/WAKU-MAIL; docs/WIRE.md §6): a mail server tells the peer
 * that asked that a request is answered. Its body is one RLP list, opaque to the node.
 */
export const CODE_P2P_COMPLETE = 125
/** Largest encoded body of a code-125 frame; a larger one makes the frame invalid. */
export const MAX_P2P_COMPLETE_BODY_BYTES = 4096
/**
 * How long the hash of an envelope delivered locally as a direct p2p message (code 127) is
 * remembered, so that a second copy (from another mail server, or by flood) is not delivered
 * again. Expired history is delivered once, so this cannot key on the envelope's expiry.
 */
export const P2P_DELIVERED_MEMORY_MS = 3_600_000
/** Most code-127 hashes remembered for {@link P2P_DELIVERED_MEMORY_MS}; the oldest go first. */
export const MAX_P2P_DELIVERED_HASHES = 100_000
/**
 * Our extension (docs/WIRE.md): a list of 32-byte hashes of envelopes the sender already has, so
 * peers skip sending them (gossipsub's IDONTWANT idea). Peers that do not know the code ignore it.
 */
export const CODE_KNOWN_HASHES = 20
/**
 * Envelopes at least this large are announced with {@link CODE_KNOWN_HASHES}. A notice costs 33
 * bytes a hash; below this size it would cost a quarter of the copy it saves. At 300 B (the
 * session's size class) notices cut the network bench's bytes per delivery by a quarter (issue 16).
 */
export const KNOWN_NOTICE_MIN_BYTES = 128
/** Most hashes accepted in one known-hashes frame. */
export const MAX_KNOWN_HASHES_PER_FRAME = 1024
/** Most hashes a peer's known-hashes claims hold at once; the oldest go first. */
export const MAX_CLAIMS_PER_PEER: number = 8 * MAX_KNOWN_HASHES_PER_FRAME
/** How long a peer's known-hashes claim counts: a notice precedes the envelope by a round trip or so. */
export const CLAIM_LIFETIME_MS = 30_000
/**
 * Most envelopes in one messages frame (docs/WIRE.md). Our sender never packs more; a frame with
 * more is malformed. It bounds the work one frame can cost before budgets and bans apply.
 */
export const MAX_ENVELOPES_PER_FRAME = 4096
/** A peer's declared clock is believed up to this far from ours, either way (design.md §4). */
export const MAX_PEER_CLOCK_OFFSET_SECONDS = 30
/** Control frames (status, PoW, bloom) may exceed the write queue limit by this much. */
export const CONTROL_SLACK_BYTES: number = 64 * 1024
/** How long a peer may leave our stream undrained before it is dropped as not reading. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 30_000

/** Default minimum PoW (geth config default). */
export const DEFAULT_MIN_POW = 0.2
/** Frame limit = max envelope size + this slack for RLP headers (design.md §2). */
export const FRAME_OVERHEAD_BYTES = 1024
/** Envelopes from up to this far in the future are accepted (geth's sync allowance, spec §1). */
export const FUTURE_ALLOWANCE_SECONDS = 10
/** Expired envelopes up to this far in the past are dropped silently; older ones cost the peer (spec §2.6). */
export const PAST_ALLOWANCE_SECONDS = 20
/** Old PoW/bloom requirements stay tolerated this long after a change (spec §4.5). */
export const REQUIREMENT_TOLERANCE_MS = 10_000
/**
 * How long new envelopes wait to be batched before they go out to the peers that did not get them
 * at once (design.md §3: small batches; see {@link DEFAULT_EAGER_PEERS}). The wait lets peers'
 * known-hashes notices arrive, which suppresses duplicate sends.
 */
export const DEFAULT_BATCH_INTERVAL_MS = 3
/** How many idle peers get a relayed envelope at once, before the batch (see the outbox). */
export const DEFAULT_EAGER_PEERS = 2
/**
 * A batch goes out at once when its envelopes reach this many bytes (`size()`), without waiting
 * for the batch timer: under a steady inflow the timer may not run for a long time (frames are
 * handled as they arrive), and the batch then grew to the whole backlog, delivered late as frames
 * too large to share. 64 KiB was the fastest of 64 KiB, 256 KiB and 1 MiB in the ingest bench.
 */
export const BATCH_FLUSH_BYTES: number = 64 * 1024
/** Interval of the pool and known-set expiry sweep (geth's expiration cycle). */
export const DEFAULT_PRUNE_INTERVAL_MS = 1_000
/** How long a status exchange may take before the stream is dropped (nim-eth and Parity use 5 s). */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 5_000
