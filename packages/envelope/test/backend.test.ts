import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  availableCryptoBackends,
  defaultCryptoBackend,
  generateKeyPair,
  getNodeBackend,
  nobleBackend,
} from '../src/index.ts'

const node = getNodeBackend()

describe('backend selection', () => {
  it('finds node:crypto on Node.js and prefers it', () => {
    expect(node?.name).toBe('node')
    expect(defaultCryptoBackend()).toBe(node)
    expect(availableCryptoBackends().map((b) => b.name)).toEqual(['noble', 'node'])
  })
  it('is created once', () => {
    expect(getNodeBackend()).toBe(node)
  })
})

describe('the node backend gives the same bytes as noble', () => {
  const n = node ?? nobleBackend
  const bytes = (max: number) => fc.uint8Array({ maxLength: max })
  const key = (len: number) => fc.uint8Array({ minLength: len, maxLength: len })
  it('SHA-256 and HMAC-SHA-256', () => {
    fc.assert(
      fc.property(bytes(3000), key(32), (data, k) => {
        expect(n.sha256(data)).toEqual(nobleBackend.sha256(data))
        expect(n.hmacSha256(k, data)).toEqual(nobleBackend.hmacSha256(k, data))
      })
    )
  })
  it('AES-128-CTR, including counter carries across the low bytes', () => {
    fc.assert(
      fc.property(bytes(3000), key(16), key(16), fc.boolean(), (data, k, iv, carry) => {
        if (carry) iv.fill(0xff, 8)
        expect(n.aes128Ctr(k, iv, data)).toEqual(nobleBackend.aes128Ctr(k, iv, data))
      })
    )
  })
  it('AES-256-GCM seal and open', () => {
    fc.assert(
      fc.property(bytes(3000), key(32), key(12), (data, k, nonce) => {
        const sealed = n.aes256GcmEncrypt(k, nonce, data)
        expect(sealed).toEqual(nobleBackend.aes256GcmEncrypt(k, nonce, data))
        expect(nobleBackend.aes256GcmDecrypt(k, nonce, sealed)).toEqual(data)
        expect(n.aes256GcmDecrypt(k, nonce, sealed)).toEqual(data)
        sealed[0] ^= 1
        expect(n.aes256GcmDecrypt(k, nonce, sealed)).toBeUndefined()
        expect(nobleBackend.aes256GcmDecrypt(k, nonce, sealed)).toBeUndefined()
      })
    )
  })
  it('ECDH X coordinate (always 32 bytes, leading zeros kept)', () => {
    for (let i = 0; i < 20; i++) {
      const a = generateKeyPair()
      const b = generateKeyPair()
      const x = n.ecdhX(a.privateKey, b.publicKey)
      expect(x?.length).toBe(32)
      expect(x).toEqual(nobleBackend.ecdhX(b.privateKey, a.publicKey))
    }
  })
  it('ECDH with an invalid point gives undefined on both', () => {
    const { privateKey, publicKey } = generateKeyPair()
    const bad = publicKey.slice()
    bad[64] ^= 1
    expect(n.ecdhX(privateKey, bad)).toBeUndefined()
    expect(nobleBackend.ecdhX(privateKey, bad)).toBeUndefined()
  })
  it('returns plain Uint8Arrays that own their memory', () => {
    const out = n.sha256(new Uint8Array(3))
    expect(out.constructor).toBe(Uint8Array)
    expect(out.buffer.byteLength).toBe(32)
  })
})
