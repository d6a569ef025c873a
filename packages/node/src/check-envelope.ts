/**
 * The checks of the ingest path, in order of cost (design.md §4), as one pure function over the
 * received bytes: decode with limits → TTL and time → size → hash → seen → PoW → bloom. What
 * passes is new and ready for the pool; what fails carries its drop reason.
 */
import { type Bloom, type Envelope, MAX_ENVELOPE_SIZE_BYTES, bloomMatches, decodeEnvelope, envelopeSize, keccak256, topicToBloom } from '@hush/envelope'
import { hashKey } from '@hush/pool'
import { powOfEncoded } from '@hush/pow'
import { type Requirement, meetsOwnRequirement } from './requirement.ts'
import { type DropReason, checkTime } from './validator.ts'

/** What the checks compare against. */
export interface IngestRules {
  nowMs: number
  /** The sending peer's clock minus ours, in seconds (0 for our own envelopes). */
  peerOffsetSeconds: number
  futureAllowanceSeconds: number
  pastAllowanceSeconds: number
  maxMessageSize: number
  minPow: Requirement<number>
  /** Our announced bloom (`undefined`: a full node). */
  bloom: Requirement<Bloom | undefined>
  /**
   * Whether the envelope is our own post. Our bloom says what we want to receive, not what we may
   * send: a light node posts to any topic (a handshake to someone else's discovery topic).
   */
  isOwn: boolean
  toleranceMs: number
  /** Whether the hash is pooled or in the seen cache. */
  seen(key: string, nowSeconds: number): boolean
}

/** The outcome of {@link checkEnvelope}. */
export type CheckedEnvelope =
  | { status: 'new'; envelope: Envelope; hash: Uint8Array; key: string; pow: number; bloom: () => Bloom }
  | { status: 'duplicate'; envelope: Envelope; hash: Uint8Array; key: string }
  | { status: 'dropped'; reason: DropReason }

/**
 * Runs every check on `raw` (canonical envelope RLP). Duplicates are recognised before the PoW
 * hash, because in a flood they outnumber first deliveries several times over.
 */
export function checkEnvelope(raw: Uint8Array, rules: IngestRules): CheckedEnvelope {
  let envelope: Envelope
  try {
    envelope = decodeEnvelope(raw, { maxSizeBytes: MAX_ENVELOPE_SIZE_BYTES })
  } catch {
    return { status: 'dropped', reason: 'invalid-envelope' }
  }
  const nowSeconds = Math.floor(rules.nowMs / 1000)
  const time = checkTime(envelope, nowSeconds, rules.peerOffsetSeconds, {
    futureSeconds: rules.futureAllowanceSeconds,
    pastSeconds: rules.pastAllowanceSeconds,
  })
  if (!time.ok) return { status: 'dropped', reason: time.reason }
  if (envelopeSize(envelope) > rules.maxMessageSize) return { status: 'dropped', reason: 'too-large' }
  const hash = keccak256(raw)
  const key = hashKey(hash)
  if (rules.seen(key, nowSeconds)) return { status: 'duplicate', envelope, hash, key }
  const pow = powOfEncoded(raw, envelope, time.powTtl - envelope.ttl)
  if (!meetsOwnRequirement(rules.minPow, (min) => pow >= min, rules.nowMs, rules.toleranceMs)) return { status: 'dropped', reason: 'low-pow' }
  // geth's per-byte bloom of the topic, built only when some bloom has to be matched.
  let topicBloom: Bloom | undefined
  const bloom = (): Bloom => (topicBloom ??= topicToBloom(envelope.topic))
  if (!rules.isOwn && !meetsOwnRequirement(rules.bloom, (b) => b === undefined || bloomMatches(b, bloom()), rules.nowMs, rules.toleranceMs)) {
    return { status: 'dropped', reason: 'bloom-mismatch' }
  }
  return { status: 'new', envelope, hash, key, pow, bloom }
}
