/**
 * Protocol constants of Whisper v6 (geth v1.9.20 `whisper/whisperv6/doc.go`), with the unit in
 * each name. Spec references point at `shared/spec/whisper-v6.md`.
 */

/** Topic length in bytes (spec §1). */
export const TOPIC_LENGTH_BYTES = 4
/** Bloom filter length in bytes: 512 bits (spec §1). */
export const BLOOM_LENGTH_BYTES = 64
/** Fixed part of `size()`: expiry 4 + TTL 4 + topic 4 + nonce 8 (spec §2.4). */
export const ENVELOPE_HEADER_BYTES = 20
/** Default maximum envelope size, geth's config default (spec §1). */
export const DEFAULT_MAX_ENVELOPE_SIZE_BYTES: number = 1024 * 1024
/** Hard upper bound for any maximum envelope size setting (spec §1). */
export const MAX_ENVELOPE_SIZE_BYTES: number = 10 * 1024 * 1024
/** Default TTL used when a caller passes none (spec §1). */
export const DEFAULT_TTL_SECONDS = 50
/** Largest uint32: bound for expiry and TTL (spec §2.1). */
export const MAX_UINT32 = 0xffff_ffff
/** Largest uint64: bound for the nonce (spec §2.1). */
export const MAX_UINT64 = 0xffff_ffff_ffff_ffffn
/** Payload flags: low two bits hold the byte length of the size field (spec §5.1). */
export const FLAGS_SIZE_MASK = 0x03
/** Payload flags: bit 2 marks a signed payload (spec §5.1). */
export const FLAGS_SIGNATURE_BIT = 0x04
/** Signature length: r ‖ s ‖ v (spec §5.3). */
export const SIGNATURE_LENGTH_BYTES = 65
/** Padding block: the plaintext including signature is a multiple of this (spec §5.2). */
export const PADDING_BLOCK_BYTES = 256
/** AES-256-GCM key length (spec §5.6). */
export const SYMMETRIC_KEY_LENGTH_BYTES = 32
/** AES-GCM nonce length, appended after the tag (spec §5.6). */
export const AES_GCM_NONCE_LENGTH_BYTES = 12
/** AES-GCM tag length (spec §5.6). */
export const AES_GCM_TAG_LENGTH_BYTES = 16
/** Uncompressed secp256k1 public key length, 0x04 ‖ X ‖ Y (spec §5.5). */
export const PUBLIC_KEY_LENGTH_BYTES = 65
/** secp256k1 private key length. */
export const PRIVATE_KEY_LENGTH_BYTES = 32
/**
 * Largest payload a plaintext can describe: the size field is at most 3 bytes, since flags & 3
 * holds its length; geth's 4-byte case would collide with the signature bit (spec §5.1).
 */
export const MAX_PAYLOAD_LENGTH_BYTES = 0xff_ffff
/** ECIES IV length: the full AES-128-CTR initial counter block (spec §5.5). */
export const ECIES_IV_LENGTH_BYTES = 16
/** ECIES HMAC-SHA-256 tag length (spec §5.5). */
export const ECIES_MAC_LENGTH_BYTES = 32
/** ECIES AES-128-CTR key length: the first half of the concat-KDF output (spec §5.5). */
export const ECIES_AES_KEY_LENGTH_BYTES = 16
/** ECIES overhead: ephemeral public key 65 + IV 16 + tag 32 (spec §5.5). */
export const ECIES_OVERHEAD_BYTES = 113
/** AES-256-GCM overhead in the data field: tag 16 + nonce 12 (spec §5.6). */
export const AES_GCM_OVERHEAD_BYTES = 28
/** PBKDF2-HMAC-SHA-256 iterations for a password key: geth's value, 65356 and not 65536 (spec §5.7). */
export const PASSWORD_KEY_ITERATIONS = 65356
