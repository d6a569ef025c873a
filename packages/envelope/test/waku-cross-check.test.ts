/**
 * Cross-implementation check against js-waku's "version 1" payload (26/WAKU2-PAYLOAD), which is
 * the Whisper v6 data field: @waku/message-encryption@0.0.38 (deps.md §4). Both directions, both
 * modes, signed and unsigned, on every backend of ours.
 */
import { ecies, symmetric } from '@waku/message-encryption'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  decryptAsymmetric,
  decryptSymmetric,
  encryptAsymmetric,
  encryptSymmetric,
  generateKeyPair,
  generateSymKey,
  openMessage,
  topicFromString,
  unwrapPayload,
  wrapMessage,
  wrapPayload,
} from '../src/index.ts'
import { backends } from './fixtures/crypto.ts'

const recipient = generateKeyPair()
const signer = generateKeyPair()
const symKey = generateSymKey()
const topic = topicFromString('waku')

/** waku's postCipher reads `message.buffer` from offset 0, so hand it a buffer of its own. */
const own = (bytes: Uint8Array): Uint8Array => bytes.slice()

const sizes = [0, 1, 3, 188, 189, 253, 254, 255, 256, 300, 4096, 70_000]

describe.each(backends)('@waku/message-encryption 0.0.38 ↔ ours ($name backend)', (backend) => {
  const options = { backend }

  describe.each([false, true])('signed: %s', (signed) => {
    it.each(sizes)('ours → waku, symmetric, %i bytes', async (n) => {
      const payload = new Uint8Array(n).map((_, i) => i * 7)
      const envelope = wrapMessage({ topic, payload, symKey, ...(signed && { signingKey: signer.privateKey }), backend })
      const raw = await symmetric.decryptSymmetric(own(envelope.data), symKey)
      const parsed = symmetric.postCipher(own(raw))
      expect(parsed?.payload).toEqual(payload)
      expect(parsed?.sig?.publicKey).toEqual(signed ? signer.publicKey : undefined)
    })
    it.each(sizes)('ours → waku, asymmetric, %i bytes', async (n) => {
      const payload = new Uint8Array(n).map((_, i) => i * 13)
      const plaintext = wrapPayload({ payload, ...(signed && { signingKey: signer.privateKey }) })
      const data = encryptAsymmetric(plaintext, recipient.publicKey, options)
      const raw = await ecies.decryptAsymmetric(own(data), recipient.privateKey)
      expect(raw).toEqual(plaintext)
      const parsed = ecies.postCipher(own(raw))
      expect(parsed?.payload).toEqual(payload)
      expect(parsed?.sig?.publicKey).toEqual(signed ? signer.publicKey : undefined)
      if (signed) expect(parsed?.sig?.signature).toEqual(plaintext.subarray(plaintext.length - 65))
    })
    it.each(sizes)('waku → ours, symmetric, %i bytes', async (n) => {
      const payload = new Uint8Array(n).map((_, i) => i * 3)
      const raw = await symmetric.preCipher(payload, signed ? signer.privateKey : undefined)
      const data = await symmetric.encryptSymmetric(raw, symKey)
      expect(decryptSymmetric(data, symKey, options)).toEqual(raw)
      const message = openMessage({ expiry: 100, ttl: 50, topic, data, nonce: 0n }, { symKey }, options)
      expect(message?.payload).toEqual(payload)
      expect(message?.senderPublicKey).toEqual(signed ? signer.publicKey : undefined)
      expect(raw.length % 256).toBe(0)
      expect(message?.padding.length).toBe(raw.length - 1 - (n < 256 ? 1 : n < 65536 ? 2 : 3) - n - (signed ? 65 : 0))
    })
    it.each(sizes)('waku → ours, asymmetric, %i bytes', async (n) => {
      const payload = new Uint8Array(n).map((_, i) => i * 5)
      const raw = await ecies.preCipher(payload, signed ? signer.privateKey : undefined)
      const data = await ecies.encryptAsymmetric(raw, recipient.publicKey)
      expect(data.length).toBe(raw.length + 113)
      expect(decryptAsymmetric(data, recipient.privateKey, options)).toEqual(raw)
      const parsed = unwrapPayload(decryptAsymmetric(data, recipient.privateKey, options))
      expect(parsed.payload).toEqual(payload)
      expect(parsed.senderPublicKey).toEqual(signed ? signer.publicKey : undefined)
      const message = openMessage({ expiry: 100, ttl: 50, topic, data, nonce: 0n }, { privateKey: recipient.privateKey }, options)
      expect(message?.payload).toEqual(payload)
    })
  })

  it('property: random payloads both ways, symmetric', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), fc.boolean(), async (payload, signed) => {
        const key = signed ? signer.privateKey : undefined
        const ours = encryptSymmetric(wrapPayload({ payload, ...(key && { signingKey: key }) }), symKey, options)
        const theirs = symmetric.postCipher(own(await symmetric.decryptSymmetric(ours, symKey)))
        expect(theirs?.payload).toEqual(payload)
        const back = await symmetric.encryptSymmetric(await symmetric.preCipher(payload, key), symKey)
        expect(unwrapPayload(decryptSymmetric(back, symKey, options)).payload).toEqual(payload)
      }),
      { numRuns: 20 }
    )
  })

  it('waku rejects what we reject: a wrong key fails on both sides', async () => {
    const data = encryptSymmetric(wrapPayload({ payload: Uint8Array.of(1) }), symKey, options)
    await expect(symmetric.decryptSymmetric(data, generateSymKey())).rejects.toThrow()
    const theirs = await symmetric.encryptSymmetric(await symmetric.preCipher(Uint8Array.of(1)), symKey)
    expect(() => decryptSymmetric(theirs, generateSymKey(), options)).toThrow(expect.objectContaining({ name: 'DecryptionError' }))
  })
})
