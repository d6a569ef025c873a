/**
 * The PoW value straight from an envelope's received bytes, for the node's ingest path: the hash
 * input (RLP without the nonce, then the 8-byte nonce) is assembled in one reused buffer instead
 * of re-encoding the envelope and copying it again (spec §3.1).
 */
import { type Envelope, keccak256, rlpHeaderLength, scanRlpItem, writeRlpHeader } from '@hush/envelope'
import { assertBytes, assertInt } from './assert.ts'
import { leadingZeroBits, powFromLeadingZeroBits } from './pow.ts'

let scratch = new Uint8Array(2048)
/** Bounds of the envelope's list, read by `scanRlpItem` (calls never nest). */
const listBounds = new Float64Array(2)

/** Below this a nonce is exact as a Number, and is handled without BigInt arithmetic (which allocates). */
const SAFE_NONCE = BigInt(Number.MAX_SAFE_INTEGER)

/** Length of the RLP integer that encodes `nonce`. */
function nonceRlpLength(nonce: bigint): number {
  if (nonce < 0x80n) return 1
  if (nonce <= SAFE_NONCE) {
    let n = 0
    for (let v = Number(nonce); v > 0; v = Math.floor(v / 256)) n++
    return 1 + n
  }
  let n = 0
  for (let v = nonce; v > 0n; v >>= 8n) n++
  return 1 + n
}

/** Writes `nonce` as 8 bytes big-endian at `at` of `out`. */
function writeNonce(out: Uint8Array, at: number, nonce: bigint): void {
  if (nonce <= SAFE_NONCE) {
    const v = Number(nonce)
    const hi = Math.floor(v / 0x1_0000_0000)
    const lo = v >>> 0
    out[at] = hi >>> 24
    out[at + 1] = (hi >>> 16) & 0xff
    out[at + 2] = (hi >>> 8) & 0xff
    out[at + 3] = hi & 0xff
    out[at + 4] = lo >>> 24
    out[at + 5] = (lo >>> 16) & 0xff
    out[at + 6] = (lo >>> 8) & 0xff
    out[at + 7] = lo & 0xff
    return
  }
  let v = nonce
  for (let i = at + 7; i >= at; i--, v >>= 8n) out[i] = Number(v & 0xffn)
}

/**
 * The geth v1.9 PoW value of an envelope from its canonical encoding `raw` and its decoded form
 * (as `decodeEnvelope(raw)` returned it). Equal to `powOf(envelope, options)`, with one copy of the
 * bytes instead of three.
 * @param raw - the envelope's canonical RLP (strictly decoded, so it equals `encodeEnvelope(envelope)`)
 * @param envelope - the same envelope decoded
 * @param extraTtlSeconds - seconds added to the TTL for an envelope dated in the near future (spec §2.6)
 * @throws {TypeError | RangeError} when an argument has the wrong type or range
 */
export function powOfEncoded(raw: Uint8Array, envelope: Envelope, extraTtlSeconds: number = 0): number {
  assertBytes(raw, 'raw')
  assertInt(extraTtlSeconds, 'extraTtlSeconds', 0)
  const listEnd = scanRlpItem(raw, 0, raw.length, listBounds)
  const listStart = listBounds[0]
  const bodyLength = listEnd - listStart - nonceRlpLength(envelope.nonce)
  if (bodyLength < 0) throw new RangeError('raw does not encode envelope')
  const header = rlpHeaderLength(bodyLength)
  const total = header + bodyLength + 8
  if (scratch.length < total) scratch = new Uint8Array(Math.max(total, scratch.length * 2))
  // RLP list header for the four-item body, then the body, then the nonce as 8 bytes big-endian.
  writeRlpHeader(scratch, 0, bodyLength, 0xc0)
  scratch.set(raw.subarray(listStart, listStart + bodyLength), header)
  writeNonce(scratch, header + bodyLength, envelope.nonce)
  const bits = leadingZeroBits(keccak256(scratch.subarray(0, total)))
  return powFromLeadingZeroBits(bits, header + bodyLength, envelope.ttl + extraTtlSeconds)
}
