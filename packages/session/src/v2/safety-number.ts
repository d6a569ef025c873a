/**
 * Safety numbers (docs/SESSION.md §13): 60 digits that both parties compute from the two static
 * public keys of a session and compare out of band. Signal's scheme: each key's fingerprint is
 * 5200 iterations of SHA-512, so a partial preimage costs about 5 ms per try. Computed from
 * long-term keys, so it is never sent (§14.5).
 */
import { sha512 } from '@noble/hashes/sha2.js'
import { utf8ToBytes } from '@noble/hashes/utils.js'
import { assertBytes } from '../assert.ts'

const LABEL = utf8ToBytes('hush/session/v2/safety-number')
const ITERATIONS = 5200
const KEY_BYTES = 32
/** 5-digit groups per fingerprint, each from 5 bytes of the digest. */
const GROUPS = 6
const DIGITS = 60

/** `fingerprint(pub)`: 30 digits (§13). */
function fingerprint(publicKey: Uint8Array): string {
  let d = new Uint8Array(LABEL.length + KEY_BYTES)
  d.set(LABEL)
  d.set(publicKey, LABEL.length)
  for (let i = 0; i < ITERATIONS; i++) d = sha512.create().update(d).update(publicKey).digest()
  let digits = ''
  for (let j = 0; j < GROUPS; j++) {
    let value = 0
    for (let b = 5 * j; b < 5 * j + 5; b++) value = value * 256 + d[b]
    digits += String(value % 100_000).padStart(5, '0')
  }
  return digits
}

/**
 * The safety number of a session: both static public keys' fingerprints, sorted as strings and
 * concatenated (60 digits). Both sides get the same number whichever key they pass first.
 * @example
 * formatSafetyNumber(safetyNumber(ownStatic.publicKey, peerStaticKey))
 * @throws {TypeError | RangeError} when a key is not 32 bytes
 */
export function safetyNumber(ownStaticKey: Uint8Array, peerStaticKey: Uint8Array): string {
  assertBytes(ownStaticKey, 'ownStaticKey', KEY_BYTES)
  assertBytes(peerStaticKey, 'peerStaticKey', KEY_BYTES)
  return [fingerprint(ownStaticKey), fingerprint(peerStaticKey)].sort().join('')
}

/**
 * The display form (§13): 12 groups of 5 digits, 4 to a row, rows separated by a newline.
 * @throws {TypeError | RangeError} when `number` is not a string of 60 decimal digits
 */
export function formatSafetyNumber(number: string): string {
  if (typeof number !== 'string') throw new TypeError('number must be a string')
  if (!/^[0-9]{60}$/.test(number)) throw new RangeError(`number must be ${DIGITS} decimal digits`)
  const groups = number.match(/.{5}/g) as string[]
  return [0, 4, 8].map((row) => groups.slice(row, row + 4).join(' ')).join('\n')
}
