/**
 * The ingest path (design.md §1, §4) for received and own envelopes alike: the checks, the pool
 * and the counters, ending in a verdict. What the verdict means for the sending peer (score,
 * known-sets, forwarding) is the router's business; local delivery is the service's.
 */
import { type Bloom, type Envelope, envelopeSize } from '@hush/envelope'
import type { AddStatus, Pool } from '@hush/pool'
import { ratingOf } from '@hush/pow'
import { type IngestRules, checkEnvelope } from './check-envelope.ts'
import type { WhisperCounters } from './counters.ts'
import type { DropReason } from './validator.ts'

/** The outcome of one envelope through {@link ingestEnvelope}. */
export type Verdict =
  | {
      status: 'added'
      /** Decoded from `raw`: a view into the frame; copy before keeping. */
      envelope: Envelope
      raw: Uint8Array
      hash: Uint8Array
      key: string
      pow: number
      expiry: number
      /** `size()`: 20 + data length. */
      sizeBytes: number
      /** geth's per-byte bloom of the topic, built on first call. */
      bloom: () => Bloom
    }
  | { status: 'duplicate'; hash: Uint8Array; key: string; expiry: number }
  | { status: 'dropped'; reason: DropReason }

/** The verdict of an envelope that entered the pool: what forwarding and delivery need. */
export type Added = Extract<Verdict, { status: 'added' }>

/** Pool refusals as drop reasons ('duplicate' and 'added' never reach this). */
const POOL_REFUSALS: Readonly<Record<Exclude<AddStatus, 'added' | 'duplicate'>, DropReason>> = {
  expired: 'expired',
  future: 'future',
  'too-large': 'too-large',
  'low-pow': 'low-pow',
  'peer-quota': 'pool-full',
  full: 'pool-full',
}

/**
 * Checks `raw` against `rules` and adds it to `pool`; counts the outcome. The pool copies the
 * bytes, so nothing keeps the (possibly large) frame alive.
 * @param peerKey - the sending peer's id, or `undefined` for our own envelope
 */
export function ingestEnvelope(raw: Uint8Array, rules: IngestRules, pool: Pool, counters: WhisperCounters, peerKey: string | undefined): Verdict {
  const checked = checkEnvelope(raw, rules)
  if (checked.status === 'dropped') {
    counters.drop(checked.reason)
    return checked
  }
  const { envelope, hash, key } = checked
  if (checked.status === 'duplicate') {
    counters.duplicate()
    return { status: 'duplicate', hash, key, expiry: envelope.expiry }
  }
  const nowSeconds = Math.floor(rules.nowMs / 1000)
  const pow = checked.pow
  const added = pool.add({ envelope, raw, hash, pow, rating: ratingOf({ pow }), arrival: nowSeconds, peer: peerKey }, nowSeconds)
  if (added.status === 'duplicate') {
    counters.duplicate()
    return { status: 'duplicate', hash, key, expiry: envelope.expiry }
  }
  if (added.status !== 'added') {
    const reason = POOL_REFUSALS[added.status]
    counters.drop(reason)
    return { status: 'dropped', reason }
  }
  counters.add()
  return {
    status: 'added',
    envelope,
    raw,
    hash,
    key,
    pow,
    expiry: envelope.expiry,
    sizeBytes: envelopeSize(envelope),
    bloom: checked.bloom,
  }
}
