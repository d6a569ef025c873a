import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  DEFAULT_TTL_SECONDS,
  decodeEnvelope,
  encodeEnvelope,
  envelopeHash,
  generateKeyPair,
  generateSymKey,
  openMessage,
  topicFromString,
  wrapMessage,
} from '../src/index.ts'
import { KEY_A, KEY_B, backends, thrownName } from './fixtures/crypto.ts'

const topic = topicFromString('hush')
const alice = generateKeyPair()
const bob = generateKeyPair()

describe.each(backends)('wrapMessage / openMessage on the $name backend', (backend) => {
  it('symmetric, unsigned: round trip with envelope fields', () => {
    const symKey = generateSymKey()
    const payload = Uint8Array.of(1, 2, 3)
    const envelope = wrapMessage({ topic, payload, symKey, ttl: 30, now: 1_700_000_000, backend })
    expect(envelope).toMatchObject({ expiry: 1_700_000_030, ttl: 30, nonce: 0n, topic })
    expect(envelope.data.length).toBe(256 + 28)
    const message = openMessage(envelope, { symKey }, { backend })
    expect(message).toBeDefined()
    expect(message?.payload).toEqual(payload)
    expect(message?.padding.length).toBe(256 - 5)
    expect(message?.signature).toBeUndefined()
    expect(message?.senderPublicKey).toBeUndefined()
    expect(message).toMatchObject({ encryption: 'symmetric', ttl: 30, expiry: 1_700_000_030, timestamp: 1_700_000_000 })
    expect(message?.topic).toEqual(topic)
    expect(message?.hash).toEqual(envelopeHash(envelope))
    expect(message?.hash).toBe(message?.hash) // computed once, on first access
  })
  it('asymmetric, signed: recovers the sender', () => {
    const payload = new Uint8Array(1000).fill(0x42)
    const envelope = wrapMessage({ topic, payload, publicKey: bob.publicKey, signingKey: alice.privateKey, backend })
    expect(envelope.data.length).toBe(1280 + 113) // 1 + 2 + 1000 + 65 = 1068 → 1280
    const message = openMessage(envelope, { privateKey: bob.privateKey }, { backend })
    expect(message?.payload).toEqual(payload)
    expect(message?.senderPublicKey).toEqual(alice.publicKey)
    expect(message?.signature?.length).toBe(65)
    expect(message?.encryption).toBe('asymmetric')
  })
  it('the wrong key, the wrong kind of key, or tampering → undefined', () => {
    const symKey = generateSymKey()
    const sym = wrapMessage({ topic, payload: Uint8Array.of(9), symKey, backend })
    const asym = wrapMessage({ topic, payload: Uint8Array.of(9), publicKey: bob.publicKey, backend })
    expect(openMessage(sym, { symKey: generateSymKey() }, { backend })).toBeUndefined()
    expect(openMessage(sym, { privateKey: bob.privateKey }, { backend })).toBeUndefined()
    expect(openMessage(asym, { privateKey: alice.privateKey }, { backend })).toBeUndefined()
    expect(openMessage(asym, { symKey }, { backend })).toBeUndefined()
    const data = sym.data.slice()
    data[5] ^= 1
    expect(openMessage({ ...sym, data }, { symKey }, { backend })).toBeUndefined()
    expect(openMessage({ ...sym, data: new Uint8Array(0) }, { symKey }, { backend })).toBeUndefined()
  })
  it('a well-encrypted but malformed plaintext → undefined', async () => {
    const { encryptSymmetric } = await import('../src/aes-gcm.ts')
    const symKey = generateSymKey()
    const data = encryptSymmetric(Uint8Array.of(0x01, 0x09, 0xaa), symKey, { backend })
    expect(openMessage({ expiry: 10, ttl: 5, topic, data, nonce: 0n }, { symKey }, { backend })).toBeUndefined()
  })
  it('property: any payload, either mode, signed or not, through the envelope codec', () => {
    const symKey = generateSymKey()
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.boolean(), fc.boolean(), (payload, asymmetric, signed) => {
        const envelope = wrapMessage({
          topic,
          payload,
          ...(asymmetric ? { publicKey: bob.publicKey } : { symKey }),
          ...(signed && { signingKey: KEY_A }),
          now: 1000,
          backend,
        })
        const decoded = decodeEnvelope(encodeEnvelope(envelope))
        const message = openMessage(decoded, asymmetric ? { privateKey: bob.privateKey } : { symKey }, { backend })
        expect(message?.payload).toEqual(payload)
        expect(message?.senderPublicKey !== undefined).toBe(signed)
        const wrong = openMessage(decoded, asymmetric ? { privateKey: KEY_B } : { symKey: generateSymKey() }, { backend })
        expect(wrong).toBeUndefined()
      }),
      { numRuns: 12 }
    )
  })
})

describe('wrapMessage options', () => {
  const symKey = generateSymKey()
  it('ttl defaults to 50, and 0 also means 50 (geth)', () => {
    expect(wrapMessage({ topic, payload: new Uint8Array(0), symKey, now: 100 })).toMatchObject({ ttl: DEFAULT_TTL_SECONDS, expiry: 150 })
    expect(wrapMessage({ topic, payload: new Uint8Array(0), symKey, now: 100, ttl: 0 }).ttl).toBe(50)
  })
  it('now defaults to the clock in seconds', () => {
    const before = Math.floor(Date.now() / 1000)
    const e = wrapMessage({ topic, payload: new Uint8Array(0), symKey, ttl: 10 })
    expect(e.expiry - 10).toBeGreaterThanOrEqual(before)
    expect(e.expiry - 10).toBeLessThanOrEqual(before + 2)
  })
  it('passes explicit padding through', () => {
    const padding = Uint8Array.of(1, 2, 3)
    const e = wrapMessage({ topic, payload: Uint8Array.of(7), symKey, padding })
    expect(e.data.length).toBe(2 + 1 + 3 + 28)
    expect(openMessage(e, { symKey })?.padding).toEqual(padding)
  })
  it('copies the topic', () => {
    const t = Uint8Array.of(1, 2, 3, 4)
    const e = wrapMessage({ topic: t, payload: new Uint8Array(0), symKey })
    t[0] = 9
    expect(e.topic[0]).toBe(1)
  })
  it('rejects misuse with TypeError/RangeError', () => {
    const base = { topic, payload: new Uint8Array(0) }
    expect(thrownName(() => wrapMessage({ ...base } as never))).toBe('TypeError')
    expect(thrownName(() => wrapMessage({ ...base, symKey, publicKey: bob.publicKey } as never))).toBe('TypeError')
    expect(thrownName(() => wrapMessage({ ...base, topic: new Uint8Array(3), symKey }))).toBe('RangeError')
    expect(thrownName(() => wrapMessage({ ...base, symKey, ttl: -1 }))).toBe('RangeError')
    expect(thrownName(() => wrapMessage({ ...base, symKey, ttl: 1.5 }))).toBe('TypeError')
    expect(thrownName(() => wrapMessage({ ...base, symKey, now: 0xffff_fff0 }))).toBe('RangeError')
    expect(thrownName(() => wrapMessage({ ...base, publicKey: new Uint8Array(65) }))).toBe('RangeError')
    expect(thrownName(() => wrapMessage({ ...base, symKey: new Uint8Array(16) }))).toBe('RangeError')
    expect(thrownName(() => wrapMessage({ ...base, symKey, signingKey: new Uint8Array(32) }))).toBe('RangeError')
  })
  it('openMessage rejects misuse with TypeError/RangeError, not undefined', () => {
    const e = wrapMessage({ topic, payload: new Uint8Array(0), symKey })
    expect(thrownName(() => openMessage(e, {} as never))).toBe('TypeError')
    expect(thrownName(() => openMessage(e, { symKey, privateKey: KEY_A } as never))).toBe('TypeError')
    expect(thrownName(() => openMessage(e, { symKey: new Uint8Array(5) }))).toBe('RangeError')
    expect(thrownName(() => openMessage(e, { privateKey: new Uint8Array(32) }))).toBe('RangeError')
    expect(thrownName(() => openMessage(null as never, { symKey }))).toBe('TypeError')
  })
})
