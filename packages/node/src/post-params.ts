/**
 * Turning geth-style post parameters (key ids, topic, payload, TTL, padding, PoW target), or a
 * raw post whose data the caller encrypted, into the envelope to seal, checking every field.
 */
import { type Envelope, isValidPublicKey, wrapMessage } from '@hush/envelope'
import type { KeyStore } from './key-store.ts'
import { checkPow } from './settings.ts'
import type { PostParams, RawPost } from './types.ts'

/** The envelope to seal and the PoW to seal it to. */
export interface WrappedPost {
  envelope: Envelope
  targetPow: number
}

/**
 * Wraps, signs and encrypts a post (geth `NewMessage`): exactly one of `symKeyID` (with a topic)
 * and `pubKey`; the signing key by id; the target PoW defaults to `minPow`.
 * @throws {TypeError | RangeError} for a malformed field
 * @throws {KeyNotFoundError} for an unknown key id
 */
export function wrapPost(params: PostParams, keys: KeyStore, minPow: number, nowSeconds: number): WrappedPost {
  if (typeof params !== 'object' || params === null) throw new TypeError('params must be an object')
  if ((params.symKeyID === undefined) === (params.pubKey === undefined)) {
    throw new TypeError('params need exactly one of symKeyID and pubKey')
  }
  if (params.symKeyID !== undefined && (params.topic === undefined || params.topic.every((b) => b === 0))) {
    // geth refuses a symmetric post without a topic, and reads an all-zero topic as none.
    throw new TypeError('params.topic is required with symKeyID and must not be all zeros')
  }
  if (params.pubKey !== undefined && !isValidPublicKey(params.pubKey)) throw new RangeError('params.pubKey is not a valid public key')
  const targetPow = params.powTarget ?? minPow
  checkPow(targetPow, 'params.powTarget')
  const signingKey = params.sig === undefined ? undefined : keys.pair(params.sig).privateKey
  const base = {
    topic: params.topic ?? new Uint8Array(4),
    payload: params.payload,
    ...(signingKey !== undefined && { signingKey }),
    ...(params.ttl !== undefined && { ttl: params.ttl }),
    ...(params.padding !== undefined && { padding: params.padding }),
    now: nowSeconds,
  }
  const envelope =
    params.symKeyID !== undefined
      ? wrapMessage({ ...base, symKey: keys.symKey(params.symKeyID) })
      : wrapMessage({ ...base, publicKey: params.pubKey as Uint8Array })
  return { envelope, targetPow }
}

/**
 * The envelope of a raw post (`postEnvelope`, design.md §6): its topic copied, its data as given,
 * expiring `post.ttlSeconds` after `nowSeconds`, nonce 0 (sealing sets it).
 * @throws {TypeError | RangeError} for a malformed field
 */
export function rawPostEnvelope(post: RawPost, nowSeconds: number): Envelope {
  if (typeof post !== 'object' || post === null) throw new TypeError('post must be an object')
  if (!(post.topic instanceof Uint8Array) || post.topic.length !== 4) throw new TypeError('post.topic must be 4 bytes')
  if (!(post.data instanceof Uint8Array)) throw new TypeError('post.data must be a Uint8Array')
  if (!Number.isInteger(post.ttlSeconds) || post.ttlSeconds < 1) throw new RangeError('post.ttlSeconds must be an integer ≥ 1')
  return { expiry: nowSeconds + post.ttlSeconds, ttl: post.ttlSeconds, topic: post.topic.slice(), data: post.data, nonce: 0n }
}
