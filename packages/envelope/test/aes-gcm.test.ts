import { bytesToHex } from '@noble/hashes/utils.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { AES_GCM_OVERHEAD_BYTES, decryptSymmetric, encryptSymmetric, generateSymKey } from '../src/index.ts'
import { sealWithNonce } from '../src/aes-gcm.ts'
import { backends, hex, thrownName, fuzzDecoder } from './fixtures/crypto.ts'
import vectors from './vectors/aes-gcm.json' with { type: 'json' }

const cases = vectors.vectors.filter((v) => v.kind === 'aes_256_gcm') as any[]

describe.each(backends)('AES-256-GCM on the $name backend', (backend) => {
  const options = { backend }
  it.each(cases)('$name: seal gives ct ‖ tag ‖ nonce', (v) => {
    const data = sealWithNonce(hex(v.plaintext), hex(v.key), hex(v.nonce), backend)
    expect(bytesToHex(data)).toBe(v.expected_whisper_data_field.slice(2))
    expect(bytesToHex(data.subarray(0, data.length - 28))).toBe(v.expected_ciphertext.slice(2))
    expect(bytesToHex(data.subarray(data.length - 28, data.length - 12))).toBe(v.expected_tag.slice(2))
  })
  it.each(cases)('$name: open', (v) => {
    expect(bytesToHex(decryptSymmetric(hex(v.expected_whisper_data_field), hex(v.key), options))).toBe(v.plaintext.slice(2))
  })

  it('round trips any plaintext and adds 28 bytes', () => {
    const key = generateSymKey()
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), (plaintext) => {
        const data = encryptSymmetric(plaintext, key, options)
        expect(data.length).toBe(plaintext.length + AES_GCM_OVERHEAD_BYTES)
        expect(decryptSymmetric(data, key, options)).toEqual(plaintext)
      }),
      { numRuns: 100 }
    )
  })
  it('the wrong key or a flipped bit → DecryptionError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat(), (plaintext, at) => {
        const key = generateSymKey()
        const data = encryptSymmetric(plaintext, key, options)
        expect(thrownName(() => decryptSymmetric(data, generateSymKey(), options))).toBe('DecryptionError')
        const tampered = data.slice()
        tampered[at % data.length] ^= 1
        expect(thrownName(() => decryptSymmetric(tampered, key, options))).toBe('DecryptionError')
      }),
      { numRuns: 100 }
    )
  })

  describe('malformed AES-GCM data', () => {
    const key = hex('feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308')
    const good = encryptSymmetric(Uint8Array.of(1, 2, 3), key, options)
    const cases: [string, Uint8Array][] = [
      ['empty', new Uint8Array(0)],
      ['27 bytes: shorter than tag and nonce', good.subarray(good.length - 27)],
      ['tag and nonce only, tag wrong', new Uint8Array(28)],
      ['truncated by one byte', good.subarray(0, good.length - 1)],
      ['first byte dropped', good.subarray(1)],
      ['nonce flipped', good.map((b, i) => (i === good.length - 1 ? b ^ 1 : b))],
      ['tag flipped', good.map((b, i) => (i === 3 ? b ^ 1 : b))],
      ['ciphertext flipped', good.map((b, i) => (i === 0 ? b ^ 1 : b))],
    ]
    it.each(cases)('%s → DecryptionError', (_, data) => {
      expect(thrownName(() => decryptSymmetric(data, key, options))).toBe('DecryptionError')
    })
    it('an empty plaintext (exactly 28 bytes) decrypts', () => {
      expect(decryptSymmetric(encryptSymmetric(new Uint8Array(0), key, options), key, options).length).toBe(0)
    })
  })

  it('fuzz: random and mutated data throw nothing but DecryptionError', () => {
    const key = generateSymKey()
    fuzzDecoder((data) => decryptSymmetric(data, key, options), encryptSymmetric(new Uint8Array(100).fill(1), key, options), 'DecryptionError', 200)
  })
})

describe('AES-GCM argument checks', () => {
  it('refuses an all-zero key for encryption (geth) and wrong key lengths', () => {
    expect(thrownName(() => encryptSymmetric(new Uint8Array(1), new Uint8Array(32)))).toBe('RangeError')
    expect(thrownName(() => encryptSymmetric(new Uint8Array(1), new Uint8Array(16).fill(1)))).toBe('RangeError')
    expect(thrownName(() => decryptSymmetric(new Uint8Array(40), new Uint8Array(31)))).toBe('RangeError')
    expect(thrownName(() => decryptSymmetric('x' as never, new Uint8Array(32)))).toBe('TypeError')
  })
  it('uses a fresh nonce each time', () => {
    const key = generateSymKey()
    const a = encryptSymmetric(new Uint8Array(4), key)
    const b = encryptSymmetric(new Uint8Array(4), key)
    expect(bytesToHex(a.subarray(-12))).not.toBe(bytesToHex(b.subarray(-12)))
  })
})
