import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { chainStep, deriveSessionKeys, ecdh, transcriptHash } from '../src/kdf.ts'
import { ReceivingChain, SendingChain } from '../src/ratchet.ts'
import { generateKeyPair } from '@hush/envelope'
import { bytesToHex } from '@noble/hashes/utils.js'

const chainKey = new Uint8Array(32).fill(7)
const limits = { maxGap: 16, maxSkipped: 8 }

function sentKeys(count: number): Uint8Array[] {
  const chain = new SendingChain(chainKey)
  return Array.from({ length: count }, (_, i) => {
    const { number, messageKey } = chain.next()
    expect(number).toBe(i + 1)
    return messageKey
  })
}

describe('kdf', () => {
  it('ECDH agrees on both sides and the schedule gives seven distinct keys', () => {
    const a = generateKeyPair()
    const b = generateKeyPair()
    const dh = ecdh(a.privateKey, b.publicKey)
    expect(dh).toEqual(ecdh(b.privateKey, a.publicKey))
    const keys = deriveSessionKeys(dh, new Uint8Array(32).fill(1), new Uint8Array(32).fill(2), transcriptHash(Uint8Array.of(1), Uint8Array.of(2)))
    const all = [keys.ab.chainKey, keys.ab.headerKey, keys.ab.controlKey, keys.ba.chainKey, keys.ba.headerKey, keys.ba.controlKey, keys.topicSecret]
    expect(new Set(all.map(bytesToHex)).size).toBe(7)
    const other = deriveSessionKeys(dh, new Uint8Array(32).fill(1), new Uint8Array(32).fill(2), transcriptHash(Uint8Array.of(1), Uint8Array.of(3)))
    expect(other.ab.chainKey).not.toEqual(keys.ab.chainKey)
  })

  it('chain step: message key and next chain key differ and are deterministic', () => {
    const s = chainStep(chainKey)
    expect(s.messageKey).not.toEqual(s.nextChainKey)
    expect(chainStep(chainKey)).toEqual(s)
    expect(() => chainStep(new Uint8Array(31))).toThrow(RangeError)
  })
})

describe('hash ratchet', () => {
  it('receiver finds the sender keys in order and refuses reuse', () => {
    const keys = sentKeys(5)
    const rx = new ReceivingChain(chainKey, limits)
    for (let n = 1; n <= 5; n++) {
      const c = rx.peek(n)
      expect(c?.messageKey).toEqual(keys[n - 1])
      c?.commit()
      expect(rx.peek(n)).toBeUndefined()
    }
  })

  it('any arrival order within the gap yields every key exactly once', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray([...Array(12).keys()].map((i) => i + 1), { minLength: 12, maxLength: 12 }), (order) => {
        const keys = sentKeys(12)
        const rx = new ReceivingChain(chainKey, { maxGap: 16, maxSkipped: 16 })
        for (const n of order) {
          const c = rx.peek(n)
          expect(c?.messageKey).toEqual(keys[n - 1])
          c?.commit()
        }
        for (const n of order) expect(rx.peek(n)).toBeUndefined()
        expect(rx.skippedCount).toBe(0)
      })
    )
  })

  it('an uncommitted peek leaves the state unchanged', () => {
    const keys = sentKeys(3)
    const rx = new ReceivingChain(chainKey, limits)
    rx.peek(3) // not committed: a forged or undecryptable record
    expect(rx.skippedCount).toBe(0)
    const c = rx.peek(1)
    expect(c?.messageKey).toEqual(keys[0])
  })

  it('refuses numbers beyond the gap and bounds the skipped cache', () => {
    const rx = new ReceivingChain(chainKey, limits)
    expect(rx.peek(17)).toBeUndefined()
    expect(rx.peek(0)).toBeUndefined()
    expect(rx.peek(2 ** 32)).toBeUndefined()
    rx.peek(16)?.commit()
    expect(rx.skippedCount).toBe(8)
    expect(rx.peek(1)).toBeUndefined() // evicted, oldest first
    expect(rx.peek(15)).toBeDefined()
    rx.forget(15)
    expect(rx.peek(15)).toBeUndefined()
    rx.wipe()
    expect(rx.skippedCount).toBe(0)
  })
})
