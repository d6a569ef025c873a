import { createHash } from 'node:crypto'
import { hexToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { formatSafetyNumber, safetyNumber } from '../../src/v2/safety-number.ts'
import { generateX25519 } from '../../src/v2/x25519.ts'

/** §13 on node:crypto, written from the text alone. */
function reference(pub: Uint8Array): string {
  let d: Buffer = Buffer.concat([Buffer.from('hush/session/v2/safety-number'), pub])
  for (let i = 0; i < 5200; i++) d = createHash('sha512').update(d).update(pub).digest()
  let out = ''
  for (let j = 0; j < 6; j++) out += (d.readUIntBE(5 * j, 5) % 100_000).toString().padStart(5, '0')
  return out
}

describe('safety numbers (docs/SESSION.md §13)', () => {
  const a = hexToBytes('01'.repeat(32))
  const b = hexToBytes('02'.repeat(32))

  it('pins the known answer of two fixed keys (§17.7), matching an independent implementation', () => {
    const number = safetyNumber(a, b)
    expect(number).toBe(KAT)
    expect(number).toBe([reference(a), reference(b)].sort().join(''))
  })

  it('is the same on both sides, and changes with either key', () => {
    const own = generateX25519().publicKey
    const peer = generateX25519().publicKey
    const number = safetyNumber(own, peer)
    expect(number).toMatch(/^[0-9]{60}$/)
    expect(safetyNumber(peer, own)).toBe(number)
    const flipped = peer.slice()
    flipped[31] ^= 0x01
    expect(safetyNumber(own, flipped)).not.toBe(number)
    expect(safetyNumber(own, flipped).includes(reference(own))).toBe(true)
  })

  it('displays 12 groups of 5 digits in 3 rows of 4', () => {
    const text = formatSafetyNumber(KAT)
    const rows = text.split('\n')
    expect(rows).toHaveLength(3)
    for (const row of rows) expect(row).toMatch(/^\d{5} \d{5} \d{5} \d{5}$/)
    expect(text.replace(/\s/g, '')).toBe(KAT)
  })

  it('names bad arguments', () => {
    expect(() => safetyNumber(new Uint8Array(31), b)).toThrow(new RangeError('ownStaticKey must be 32 bytes, got 31'))
    expect(() => safetyNumber(a, 'x' as never)).toThrow(new TypeError('peerStaticKey must be a Uint8Array'))
    expect(() => formatSafetyNumber(KAT.slice(1))).toThrow(RangeError)
    expect(() => formatSafetyNumber(`${KAT.slice(1)}x`)).toThrow(RangeError)
    expect(() => formatSafetyNumber(42 as never)).toThrow(new TypeError('number must be a string'))
  })
})

/** Generated once by this code; the reference above agrees. */
const KAT = '344729707847140223907937390377402708096475472825854205364684'
