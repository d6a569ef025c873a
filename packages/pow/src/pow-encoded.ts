/**
 * The PoW value straight from an envelope's received bytes, for the node's ingest path: the hash
 * input (RLP without the nonce, then the 8-byte nonce) is assembled in one reused buffer instead
 * of re-encoding the envelope and copying it again (spec §3.1).
 */
import { type Envelope, keccak256, readRlpItem, rlpHeaderLength, writeRlpHeader } from '@hush/envelope'
import { assertBytes, assertInt } from './assert.ts'
import { leadingZeroBits, powFromLeadingZeroBits } from './pow.ts'

let scratch = new Uint8Array(2048)

/** Length of the RLP integer that encodes `nonce`. */
function nonceRlpLength(nonce: bigint): number {
  if (nonce < 0x80n) return 1
  let n = 0
  for (let v = nonce; v > 0n; v >>= 8n) n++
  return 1 + n
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
  const list = readRlpItem(raw, 0)
  const bodyLength = list.end - list.start - nonceRlpLength(envelope.nonce)
  if (bodyLength < 0) throw new RangeError('raw does not encode envelope')
  const header = rlpHeaderLength(bodyLength)
  const total = header + bodyLength + 8
  if (scratch.length < total) scratch = new Uint8Array(Math.max(total, scratch.length * 2))
  // RLP list header for the four-item body, then the body, then the nonce as 8 bytes big-endian.
  writeRlpHeader(scratch, 0, bodyLength, 0xc0)
  scratch.set(raw.subarray(list.start, list.start + bodyLength), header)
  let nonce = envelope.nonce
  for (let i = header + bodyLength + 7; i >= header + bodyLength; i--, nonce >>= 8n) scratch[i] = Number(nonce & 0xffn)
  const bits = leadingZeroBits(keccak256(scratch.subarray(0, total)))
  return powFromLeadingZeroBits(bits, header + bodyLength, envelope.ttl + extraTtlSeconds)
}
