/**
 * Turning the app's filter criteria (key ids, as geth's `Criteria`) into resolved criteria with
 * copies of the key material, checking every field.
 */
import { isValidPublicKey } from '@hush/envelope'
import type { ResolvedCriteria } from './filters.ts'
import type { KeyStore } from './key-store.ts'
import { checkPow } from './settings.ts'
import type { MessageCriteria } from './types.ts'

/**
 * Resolves `criteria` against the key store: exactly one of `symKeyID` and `privateKeyID`, 4-byte
 * topics, a PoW ≥ 0, a valid signer key. Keys are copied (the filter zeroizes its copy).
 * @throws {TypeError | RangeError} for a malformed field
 * @throws {KeyNotFoundError} for an unknown key id
 */
export function resolveCriteria(criteria: MessageCriteria, keys: KeyStore, capacity: number): ResolvedCriteria {
  if (typeof criteria !== 'object' || criteria === null) throw new TypeError('criteria must be an object')
  if ((criteria.symKeyID === undefined) === (criteria.privateKeyID === undefined)) {
    throw new TypeError('criteria need exactly one of symKeyID and privateKeyID')
  }
  const topics = criteria.topics ?? []
  if (!Array.isArray(topics)) throw new TypeError('criteria.topics must be an array')
  for (const t of topics) if (!(t instanceof Uint8Array) || t.length !== 4) throw new TypeError('criteria.topics must hold 4-byte topics')
  const minPow = criteria.minPow ?? 0
  checkPow(minPow, 'criteria.minPow')
  if (criteria.sig !== undefined && !isValidPublicKey(criteria.sig)) throw new RangeError('criteria.sig is not a valid public key')
  const base = {
    topics: topics.map((t) => t.slice()),
    minPow,
    allowP2P: criteria.allowP2P ?? false,
    capacity,
    ...(criteria.sig !== undefined && { sig: criteria.sig.slice() }),
  }
  if (criteria.symKeyID !== undefined) return { ...base, symKey: keys.symKey(criteria.symKeyID).slice() }
  const pair = keys.pair(criteria.privateKeyID as string)
  return { ...base, privateKey: pair.privateKey.slice(), publicKey: pair.publicKey }
}
