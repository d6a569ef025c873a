import { createHash, createHmac, hkdfSync } from 'node:crypto'
import { x25519 as nobleX25519 } from '@noble/curves/ed25519.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { availableAeads, open, openHeader, seal, sealHeader } from '../../src/v2/aead.ts'
import {
  LABELS,
  chainTopicOf,
  decryptAndHash,
  encryptAndHash,
  headerKeyOf,
  initialState,
  kdfCk,
  kdfRk,
  kdfRkFirst,
  mixHash,
  mixKey,
  protocolHash,
  rendezvousKey,
  split,
} from '../../src/v2/key-schedule.ts'
import { availableX25519Backends, generateX25519, x25519 } from '../../src/v2/x25519.ts'

const hex = (b: Uint8Array | undefined): string => (b === undefined ? 'undefined' : bytesToHex(b))
/** A deterministic source: byte i of call c is (c * 31 + i) mod 256. */
const counting = () => {
  let call = 0
  return (length: number) => {
    const c = call++
    return Uint8Array.from({ length }, (_, i) => (c * 31 + i) & 0xff)
  }
}

describe.each(availableX25519Backends().map((b) => [b.name, b] as const))('X25519 (%s)', (_name, backend) => {
  it('matches RFC 7748 §6.1 (Alice and Bob)', () => {
    const alice = hexToBytes('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a')
    const bob = hexToBytes('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb')
    expect(hex(backend.publicKey(alice))).toBe('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a')
    expect(hex(backend.publicKey(bob))).toBe('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f')
    const shared = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742'
    expect(hex(x25519(alice, backend.publicKey(bob), backend))).toBe(shared)
    expect(hex(x25519(bob, backend.publicKey(alice), backend))).toBe(shared)
  })

  it('matches RFC 7748 §5.2, masking the top bit of the u-coordinate', () => {
    expect(hex(x25519(
      hexToBytes('a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4'),
      hexToBytes('e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c'),
      backend
    ))).toBe('c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552')
    expect(hex(x25519(
      hexToBytes('4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d'),
      hexToBytes('e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493'),
      backend
    ))).toBe('95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957')
  })

  it('refuses low-order public keys (an all-zero secret) with undefined', () => {
    const { privateKey } = generateX25519(undefined, backend)
    const zero = new Uint8Array(32)
    const one = new Uint8Array(32)
    one[0] = 1
    expect(x25519(privateKey, zero, backend)).toBeUndefined()
    expect(x25519(privateKey, one, backend)).toBeUndefined()
  })

  it('never answers from a stale key: an array rewritten in place (or wiped) gives its new DH', () => {
    const a = generateX25519(undefined, backend)
    const b = generateX25519(undefined, backend)
    const c = generateX25519(undefined, backend)
    const key = a.privateKey
    expect(hex(x25519(key, b.publicKey, backend))).toBe(hex(nobleX25519.getSharedSecret(a.privateKey, b.publicKey)))
    key.set(c.privateKey)
    expect(hex(x25519(key, b.publicKey, backend))).toBe(hex(nobleX25519.getSharedSecret(c.privateKey, b.publicKey)))
    key.fill(0)
    expect(hex(x25519(key, b.publicKey, backend))).toBe(hex(nobleX25519.getSharedSecret(new Uint8Array(32), b.publicKey)))
  })

  it('names a key of the wrong length', () => {
    expect(() => x25519(new Uint8Array(31), new Uint8Array(32), backend)).toThrow(new RangeError('privateKey must be 32 bytes, got 31'))
    expect(() => x25519(new Uint8Array(32), 'x' as never, backend)).toThrow(new TypeError('publicKey must be a Uint8Array'))
  })
})

describe('X25519 backends agree', () => {
  it('on public keys and shared secrets of random keys', () => {
    const backends = availableX25519Backends()
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (a, b) => {
        const pubs = backends.map((k) => hex(k.publicKey(b)))
        expect(new Set(pubs).size).toBe(1)
        const shared = backends.map((k) => hex(k.dh(a, k.publicKey(b))))
        expect(new Set(shared).size).toBe(1)
      }),
      { numRuns: 30 }
    )
  })
})

describe('AEAD', () => {
  const key = hexToBytes('00'.repeat(31) + '01')
  const nonce = new Uint8Array(12)

  it('every backend seals the same bytes, opens them, and refuses any change', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 40 }), fc.nat(), (pt, aad, flip) => {
        const sealed = availableAeads().map((a) => a.seal(key, nonce, aad, pt))
        expect(new Set(sealed.map(hex)).size).toBe(1)
        for (const a of availableAeads()) {
          expect(hex(a.open(key, nonce, aad, sealed[0]))).toBe(hex(pt))
          const bad = sealed[0].slice()
          bad[flip % bad.length] ^= 1
          expect(a.open(key, nonce, aad, bad)).toBeUndefined()
          if (aad.length > 0) expect(a.open(key, nonce, new Uint8Array(0), sealed[0])).toBeUndefined()
        }
      }),
      { numRuns: 50 }
    )
  })

  it('lays headers out as ct ‖ tag ‖ nonce with the nonce from the source', () => {
    const random = counting()
    const sealed = sealHeader(key, Uint8Array.of(1, 2, 3), random)
    expect(sealed).toHaveLength(3 + 16 + 12)
    expect(hex(sealed.subarray(19))).toBe(hex(counting()(12)))
    expect(hex(sealed.subarray(0, 19))).toBe(hex(seal(key, sealed.subarray(19), new Uint8Array(0), Uint8Array.of(1, 2, 3))))
    expect(openHeader(key, sealed)).toEqual(Uint8Array.of(1, 2, 3))
    expect(openHeader(hexToBytes('00'.repeat(32)), sealed)).toBeUndefined()
    expect(openHeader(key, sealed.subarray(0, 27))).toBeUndefined()
  })

  it('names bad arguments', () => {
    expect(() => seal(new Uint8Array(16), nonce, new Uint8Array(0), new Uint8Array(0))).toThrow(new RangeError('key must be 32 bytes, got 16'))
    expect(() => open(key, new Uint8Array(8), new Uint8Array(0), new Uint8Array(16))).toThrow(new RangeError('nonce must be 12 bytes, got 8'))
  })
})

/** RFC 5869 HKDF-SHA-256 through OpenSSL: an independent implementation to check ours against. */
const openssl = (salt: Uint8Array, ikm: Uint8Array, info: string, length: number): string =>
  bytesToHex(new Uint8Array(hkdfSync('sha256', ikm, salt, info, length)))
const sha = (...parts: Uint8Array[]): Uint8Array => {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return new Uint8Array(h.digest())
}

describe('key schedule (docs/SESSION.md §3)', () => {
  const bytes = (seed: number, length = 32): Uint8Array => Uint8Array.from({ length }, (_, i) => (seed + 7 * i) & 0xff)

  it('derives every value as the table says, checked against OpenSSL', () => {
    expect(hex(protocolHash())).toBe(hex(sha(new TextEncoder().encode('hush/session/v2/handshake'))))
    const body = bytes(3, 74)
    expect(hex(rendezvousKey(body))).toBe(openssl(new Uint8Array(32), body, LABELS.rendezvous, 32))
    const rk = bytes(10)
    const dh = bytes(20)
    const step = kdfRk(rk, dh)
    expect(hex(step.rootKey) + hex(step.chainKey) + hex(step.nextSeed)).toBe(openssl(rk, dh, LABELS.ratchet, 96))
    const se = bytes(30)
    const first = kdfRkFirst(rk, dh, se)
    const ikm = new Uint8Array(64)
    ikm.set(dh)
    ikm.set(se, 32)
    expect(hex(first.rootKey) + hex(first.chainKey) + hex(first.nextSeed)).toBe(openssl(rk, ikm, LABELS.ratchetFirst, 96))
    const ck = bytes(40)
    const stepped = kdfCk(ck)
    expect(hex(stepped.messageKey)).toBe(createHmac('sha256', ck).update(Uint8Array.of(1)).digest('hex'))
    expect(hex(stepped.chainKey)).toBe(createHmac('sha256', ck).update(Uint8Array.of(2)).digest('hex'))
    // EXPAND alone: T(1) = HMAC(prk, info ‖ 0x01), truncated.
    const seed = bytes(50)
    const t1 = (info: string) => createHmac('sha256', seed).update(Buffer.concat([Buffer.from(info), Buffer.of(1)])).digest('hex')
    expect(hex(headerKeyOf(seed))).toBe(t1(LABELS.headerKey))
    expect(hex(chainTopicOf(seed))).toBe(t1(LABELS.topic).slice(0, 8))
  })

  it('mixes hash and keys like Noise, and both sides of EncryptAndHash agree', () => {
    const a = initialState()
    const b = initialState()
    expect(() => encryptAndHash(a, new Uint8Array(1))).toThrow(RangeError)
    const h0 = hex(a.h)
    mixHash(a, bytes(1, 10))
    expect(hex(a.h)).toBe(hex(sha(hexToBytes(h0 as string), bytes(1, 10))))
    mixHash(b, bytes(1, 10))
    const ck = a.ck.slice()
    mixKey(a, bytes(2))
    expect(hex(a.ck) + hex(a.k)).toBe(openssl(ck, bytes(2), LABELS.mixKey, 64))
    mixKey(b, bytes(2))
    const c = encryptAndHash(a, bytes(3, 40))
    expect(c).toHaveLength(56)
    // A tampered ciphertext leaves the receiver's state as it was.
    const before = hex(b.h)
    const bad = c.slice()
    bad[0] ^= 1
    expect(decryptAndHash(b, bad)).toBeUndefined()
    expect(hex(b.h)).toBe(before)
    expect(hex(decryptAndHash(b, c))).toBe(hex(bytes(3, 40)))
    expect(hex(a.h)).toBe(hex(b.h))
    // The second message uses nonce 1: the same plaintext seals differently.
    expect(hex(encryptAndHash(a, bytes(3, 40)))).not.toBe(hex(c))
  })

  it('splits into the five chain secrets and the associated data, wiping ck and k', () => {
    const s = initialState()
    mixKey(s, bytes(5))
    const ck = s.ck
    const k = s.k as Uint8Array
    const ckCopy = ck.slice()
    const out = split(s)
    const okm = openssl(ckCopy, new Uint8Array(0), LABELS.split, 160)
    expect(hex(out.rootKey) + hex(out.chainA1) + hex(out.seedA1) + hex(out.seedA2) + hex(out.seedB1)).toBe(okm)
    expect(hex(out.ad)).toBe(hex(s.h))
    expect(ck.every((x) => x === 0)).toBe(true)
    expect(k.every((x) => x === 0)).toBe(true)
  })
})
