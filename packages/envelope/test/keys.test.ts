import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import {
  PASSWORD_KEY_ITERATIONS,
  generateKeyPair,
  generatePrivateKey,
  generateSymKey,
  getNodeBackend,
  getPublicKey,
  isValidPrivateKey,
  isValidPublicKey,
  nobleBackend,
  symKeyFromPassword,
  symKeyFromPasswordAsync,
} from '../src/index.ts'
import { backends, hex, thrownName } from './fixtures/crypto.ts'
import vectors from './vectors/ecies.json' with { type: 'json' }

const pubkeyCases = vectors.vectors.filter((v) => v.kind === 'secp256k1_public_key') as any[]

describe('key pairs', () => {
  it.each(pubkeyCases)('$name: public key from private key', (v) => {
    const pub = getPublicKey(hex(v.private_key))
    expect(bytesToHex(pub)).toBe(v.expected_uncompressed.slice(2))
    expect(bytesToHex(pub.subarray(1, 33))).toBe(v.expected_x.slice(2))
    expect(bytesToHex(pub.subarray(33))).toBe(v.expected_y.slice(2))
    expect(isValidPublicKey(pub)).toBe(true)
  })
  it('generates valid, distinct key pairs', () => {
    const a = generateKeyPair()
    const b = generateKeyPair()
    expect(a.privateKey.length).toBe(32)
    expect(isValidPrivateKey(a.privateKey)).toBe(true)
    expect(a.publicKey).toEqual(getPublicKey(a.privateKey))
    expect(isValidPublicKey(a.publicKey)).toBe(true)
    expect(a.privateKey).not.toEqual(b.privateKey)
    expect(isValidPrivateKey(generatePrivateKey())).toBe(true)
  })
  it('validates public keys: 65 bytes, 0x04, on the curve', () => {
    const { publicKey } = generateKeyPair()
    const offCurve = publicKey.slice()
    offCurve[64] ^= 1
    const compressed = Uint8Array.of(2 + (publicKey[64] & 1), ...publicKey.subarray(1, 33))
    expect(isValidPublicKey(offCurve)).toBe(false)
    expect(isValidPublicKey(compressed)).toBe(false)
    expect(isValidPublicKey(publicKey.subarray(0, 64))).toBe(false)
    expect(isValidPublicKey(new Uint8Array(65))).toBe(false)
    expect(isValidPublicKey(Uint8Array.of(4, ...new Uint8Array(64)))).toBe(false)
    expect(isValidPublicKey('04' as never)).toBe(false)
  })
  it('validates private keys: 32 bytes in [1, n − 1]', () => {
    const n = hex('fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141')
    expect(isValidPrivateKey(new Uint8Array(32))).toBe(false)
    expect(isValidPrivateKey(n)).toBe(false)
    expect(isValidPrivateKey(new Uint8Array(31).fill(1))).toBe(false)
    expect(isValidPrivateKey(new Uint8Array(32).fill(1))).toBe(true)
    expect(thrownName(() => getPublicKey(n))).toBe('RangeError')
    expect(thrownName(() => getPublicKey('00' as never))).toBe('TypeError')
  })
  it('generates 32-byte symmetric keys', () => {
    expect(generateSymKey().length).toBe(32)
    expect(generateSymKey()).not.toEqual(generateSymKey())
  })
})

describe('symKeyFromPassword (spec §5.7)', () => {
  // Known answers generated with Python 3.11 `hashlib.pbkdf2_hmac('sha256', pw, b'', 65356, 32)`,
  // an implementation independent of both backends (no public vector exists, spec §13).
  const known: [string, string][] = [
    ['', 'ffe46925eca10a1c333a2f37eaea7cafbb7fa5f1f8e097010f93d73ae7fb7e67'],
    ['password', '9afe990d1915aa6c20da3c5c26b4656ed871418867e89709f15f571c91d21824'],
    ['pässwörd', '7270b49c7259c339599623517324baa8dd9e5617fc3788e098be6c90203ed76e'],
  ]
  it('uses 65356 iterations, not 65536', () => {
    expect(PASSWORD_KEY_ITERATIONS).toBe(65356)
  })
  it.each(known)('default backend: %j', (password, expected) => {
    expect(bytesToHex(symKeyFromPassword(password))).toBe(expected)
  })
  it('noble backend agrees (one run: it is slow)', () => {
    expect(bytesToHex(symKeyFromPassword('password', { backend: nobleBackend }))).toBe(known[1][1])
  })
  it('both backends agree on the primitive with a small iteration count', () => {
    const node = getNodeBackend()
    if (node === undefined) return
    const pw = utf8ToBytes('pw')
    expect(node.pbkdf2Sha256(pw, new Uint8Array(0), 3, 40)).toEqual(nobleBackend.pbkdf2Sha256(pw, new Uint8Array(0), 3, 40))
  })
  it('rejects a non-string password', () => {
    expect(thrownName(() => symKeyFromPassword(new Uint8Array(1) as never))).toBe('TypeError')
  })
})

describe('symKeyFromPasswordAsync (spec §5.7, off the event loop)', () => {
  const known = ['pässwörd', '7270b49c7259c339599623517324baa8dd9e5617fc3788e098be6c90203ed76e'] as const
  it.each(backends.map((b) => [b.name, b] as const))('%s backend gives the known answer', async (_name, backend) => {
    expect(bytesToHex(await symKeyFromPasswordAsync(known[0], { backend }))).toBe(known[1])
  })
  it('default backend agrees with the sync function', async () => {
    expect(await symKeyFromPasswordAsync('correct horse')).toEqual(symKeyFromPassword('correct horse'))
  })
  it('both backends agree with their sync primitive', async () => {
    const pw = utf8ToBytes('pw')
    for (const b of backends) expect(await b.pbkdf2Sha256Async(pw, Uint8Array.of(1, 2), 3, 40)).toEqual(nobleBackend.pbkdf2Sha256(pw, Uint8Array.of(1, 2), 3, 40))
  })
  it('keeps timers firing while it derives', async () => {
    for (const backend of backends) {
      let ticks = 0
      const timer = setInterval(() => ticks++, 1)
      try {
        await symKeyFromPasswordAsync('tick', { backend })
      } finally {
        clearInterval(timer)
      }
      expect({ backend: backend.name, ticked: ticks > 0 }).toEqual({ backend: backend.name, ticked: true })
    }
  })
  it('throws TypeError for a non-string password, synchronously', () => {
    expect(thrownName(() => symKeyFromPasswordAsync(42 as never))).toBe('TypeError')
  })
  it('rejects with the signal reason when aborted', async () => {
    await expect(symKeyFromPasswordAsync('pw', { signal: AbortSignal.abort() })).rejects.toThrow(expect.objectContaining({ name: 'AbortError' }))
    const ac = new AbortController()
    const pending = symKeyFromPasswordAsync('pw', { signal: ac.signal })
    ac.abort()
    await expect(pending).rejects.toThrow(expect.objectContaining({ name: 'AbortError' }))
  })
})
