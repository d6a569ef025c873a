/**
 * The byte layout of a session's core value (docs/SESSION.md §12.2), transcribed from the text
 * field by field: the core-value tests compare the encoder with it and patch fields at its offsets.
 */
import { concatBytes, hexToBytes } from '@noble/hashes/utils.js'
import type { SessionCoreValue } from '../../src/v2/core-value.ts'
import type { SkippedKey } from '../../src/v2/ratchet-state.ts'

/** One byte. */
export const u8 = (n: number): Uint8Array => Uint8Array.of(n)
/** A big-endian u16. */
export const u16 = (n: number): Uint8Array => Uint8Array.of(n >> 8, n & 0xff)
/** A big-endian u32. */
export const u32 = (n: number): Uint8Array => {
  const b = new Uint8Array(4)
  new DataView(b.buffer).setUint32(0, n)
  return b
}
const u64 = (n: number): Uint8Array => {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigUint64(0, BigInt(n))
  return b
}
const opt = (x: Uint8Array | undefined): Uint8Array => (x === undefined ? u8(0) : concatBytes(u8(1), x))
const skippedBytes = (m: Map<number, SkippedKey>): Uint8Array =>
  concatBytes(u16(m.size), ...[...m].map(([n, k]) => concatBytes(u32(n), k.messageKey, u64(k.storedAtMs))))

/** A session core value as §12.2 lists its fields, written out one by one. */
export function referenceEncoding(v: SessionCoreValue): Uint8Array {
  const r = v.ratchet
  return concatBytes(
    u8(1),
    u8(v.role === 'joiner' ? 1 : 2),
    u8(['pending', 'requested', 'open', 'closing'].indexOf(v.state) + 1),
    v.peerStaticKey,
    v.ownStaticKey,
    u8(v.identityKind === 'per-contact' ? 1 : 2),
    opt(v.ownStaticPrivateKey),
    r.ad,
    r.rk,
    opt(concatBytes(r.dhs.privateKey, r.dhs.publicKey)),
    opt(r.dhr),
    opt(r.cks),
    opt(r.ckr),
    u32(r.ns),
    u32(r.nr),
    u32(r.pn),
    opt(r.sds.seed),
    r.nsds.seed,
    opt(r.sdr?.seed),
    opt(r.nsdr.seed),
    skippedBytes(r.skipped),
    u8(r.firstStepDone ? 1 : 0),
    opt(r.staticPrivateKey), // not in §12.2's list: the joiner's copy of S_A, until its first step
    u8(r.prev.length),
    ...r.prev.map((c) => concatBytes(c.dh, c.seed.seed, u32(c.end), u64(c.supersededAtMs), skippedBytes(c.skipped))),
    u32(v.nextSeq),
    u32(v.peerAckBase),
    u32(v.recvBase),
    u32(v.closeSeq),
    u64(v.createdAtMs),
    opt(v.openedAtMs === undefined ? undefined : u64(v.openedAtMs)),
    u64(v.lastHeardMs),
    u64(v.lastSentMs),
    u64(v.caughtUpMs),
    opt(v.pendingJoin && concatBytes(v.pendingJoin.msg1, v.pendingJoin.topic, u64(v.pendingJoin.handshakeDeadlineMs), u64(v.pendingJoin.nextInitResendMs))),
    opt(v.consumed && concatBytes(hexToBytes(v.consumed.inviteId), v.consumed.topic, u32(v.consumed.expirySeconds), v.consumed.initHash)),
    v.invitationHash,
    u16(v.waiting.length),
    ...v.waiting.map((f) => concatBytes(u32(f.seq), u8(f.type === 'data' ? 2 : 4), u16(f.payload.length), f.payload)),
    u8(v.verified ? 1 : 0),
  )
}

/** Offsets of the fields the malformed-bytes table changes, from the layout above. */
export function offsets(v: SessionCoreValue, bytes: Uint8Array): Record<string, number> {
  const r = v.ratchet
  const ratchet = 68 + (v.ownStaticPrivateKey ? 33 : 1)
  const skipped = ratchet + 64 + 65 + (r.dhr ? 33 : 1) + 33 + (r.ckr ? 33 : 1) + 12 + 33 + 32 + (r.sdr ? 33 : 1) + 33
  const firstStepDone = skipped + 2 + 44 * r.skipped.size
  const prevCount = firstStepDone + 1 + (r.staticPrivateKey ? 33 : 1)
  const prevBytes = r.prev.reduce((sum, c) => sum + 78 + 44 * c.skipped.size, 0)
  const nextSeq = prevCount + 1 + prevBytes
  const waitingBytes = v.waiting.reduce((sum, f) => sum + 7 + f.payload.length, 0)
  return { ratchet, skipped, firstStepDone, prevCount, nextSeq, waitingCount: bytes.length - 1 - waitingBytes - 2 }
}
