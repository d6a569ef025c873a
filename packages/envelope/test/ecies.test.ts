import { bytesToHex } from '@noble/hashes/utils.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ECIES_OVERHEAD_BYTES, decryptAsymmetric, encryptAsymmetric, getPublicKey } from '../src/index.ts'
import { concatKdf } from '../src/ecies.ts'
import { KEY_A, KEY_B, backends, hex, thrownName, fuzzDecoder } from './fixtures/crypto.ts'
import vectors from './vectors/ecies.json' with { type: 'json' }

const byKind = (kind: string) => vectors.vectors.filter((v) => v.kind === kind) as any[]
const PUB_A = getPublicKey(KEY_A)

describe.each(backends)('ECIES vectors on the $name backend', (backend) => {
  const options = { backend }
  it.each(byKind('ecies_concat_kdf'))('$name', (v) => {
    expect(bytesToHex(concatKdf(hex(v.z), hex(v.s1), v.output_length, backend))).toBe(v.expected.slice(2))
  })
  it.each(byKind('hmac_sha256'))('$name', (v) => {
    expect(bytesToHex(backend.hmacSha256(hex(v.key), hex(v.message)))).toBe(v.expected.slice(2))
  })
  it.each(byKind('ecdh_secp256k1'))('$name (both directions)', (v) => {
    const a = hex(v.private_key_a)
    const b = hex(v.private_key_b)
    expect(bytesToHex(backend.ecdhX(a, getPublicKey(b)) as Uint8Array)).toBe(v.expected_shared_secret.slice(2))
    expect(bytesToHex(backend.ecdhX(b, getPublicKey(a)) as Uint8Array)).toBe(v.expected_shared_secret.slice(2))
  })
  it.each(byKind('secp256k1_public_key'))('$name: ECDH with it equals ECDH from the other side', (v) => {
    const pub = hex(v.expected_uncompressed)
    expect(bytesToHex(getPublicKey(hex(v.private_key)))).toBe(v.expected_uncompressed.slice(2))
    expect(backend.ecdhX(KEY_A, pub)).toEqual(backend.ecdhX(hex(v.private_key), PUB_A))
  })
  it.each(byKind('ecies_decrypt'))('$name', (v) => {
    const plaintext = decryptAsymmetric(hex(v.ciphertext), hex(v.private_key), options)
    if (v.expected_plaintext !== undefined) {
      expect(bytesToHex(plaintext)).toBe(v.expected_plaintext.slice(2))
    } else {
      expect(plaintext.length).toBe(v.expected_plaintext_length)
      for (const [range, value] of Object.entries(v.expected_plaintext_fields as Record<string, string>)) {
        const [start, end] = range.split(' ')[0].split(':').map(Number)
        expect(bytesToHex(plaintext.subarray(start, end))).toBe(value.slice(2))
      }
    }
  })

  it('round trips any plaintext and adds 113 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), (plaintext) => {
        const data = encryptAsymmetric(plaintext, PUB_A, options)
        expect(data.length).toBe(plaintext.length + ECIES_OVERHEAD_BYTES)
        expect(data[0]).toBe(4)
        expect(decryptAsymmetric(data, KEY_A, options)).toEqual(plaintext)
      }),
      { numRuns: 15 }
    )
  })
  it('the wrong key or a flipped bit → DecryptionError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), (plaintext, at) => {
        const data = encryptAsymmetric(plaintext, PUB_A, options)
        expect(thrownName(() => decryptAsymmetric(data, KEY_B, options))).toBe('DecryptionError')
        const tampered = data.slice()
        tampered[65 + (at % (data.length - 65))] ^= 1
        expect(thrownName(() => decryptAsymmetric(tampered, KEY_A, options))).toBe('DecryptionError')
      }),
      { numRuns: 10 }
    )
  })

  describe('malformed ECIES data', () => {
    const good = encryptAsymmetric(Uint8Array.of(1, 2, 3), PUB_A, options)
    const patched = (patch: (d: Uint8Array) => void): Uint8Array => {
      const d = good.slice()
      patch(d)
      return d
    }
    const offCurve = patched((d) => d.set(hex('01'.repeat(64)), 1))
    const cases: [string, Uint8Array][] = [
      ['empty', new Uint8Array(0)],
      ['65 + 32 bytes (geth accepts, then can panic)', good.subarray(0, 97)],
      ['112 bytes: one short of IV and tag', good.subarray(0, 112)],
      ['compressed ephemeral key prefix 0x02', patched((d) => (d[0] = 2))],
      ['ephemeral key prefix 0x00', patched((d) => (d[0] = 0))],
      ['ephemeral key off the curve', offCurve],
      ['ephemeral key all zero', patched((d) => d.fill(0, 1, 65))],
      ['tag flipped', patched((d) => (d[d.length - 1] ^= 0x80))],
      ['IV flipped', patched((d) => (d[65] ^= 1))],
      ['ciphertext truncated (tag moves)', good.subarray(0, good.length - 1)],
    ]
    it.each(cases)('%s → DecryptionError', (_, data) => {
      expect(thrownName(() => decryptAsymmetric(data, KEY_A, options))).toBe('DecryptionError')
    })
    it('an empty plaintext (exactly 113 bytes) decrypts', () => {
      const data = encryptAsymmetric(new Uint8Array(0), PUB_A, options)
      expect(data.length).toBe(113)
      expect(decryptAsymmetric(data, KEY_A, options).length).toBe(0)
    })
  })

  it('fuzz: random and mutated data throw nothing but DecryptionError', () => {
    fuzzDecoder((data) => decryptAsymmetric(data, KEY_A, options), encryptAsymmetric(new Uint8Array(50).fill(7), PUB_A, options), 'DecryptionError', 40)
  })
})

describe('ECIES argument checks', () => {
  it('rejects a recipient key that is not an uncompressed point', () => {
    expect(thrownName(() => encryptAsymmetric(new Uint8Array(1), new Uint8Array(65)))).toBe('RangeError')
    expect(thrownName(() => encryptAsymmetric(new Uint8Array(1), PUB_A.subarray(0, 33)))).toBe('RangeError')
    expect(thrownName(() => encryptAsymmetric('x' as never, PUB_A))).toBe('TypeError')
  })
  it('rejects a private key out of range', () => {
    const data = encryptAsymmetric(new Uint8Array(1), PUB_A)
    expect(thrownName(() => decryptAsymmetric(data, new Uint8Array(32)))).toBe('RangeError')
    expect(thrownName(() => decryptAsymmetric(data, new Uint8Array(31)))).toBe('RangeError')
  })
})
