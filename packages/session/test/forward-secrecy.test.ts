import { type Envelope, decryptAsymmetric, decryptSymmetric, unwrapPayload } from '@hush/envelope'
import { equalBytes } from '@noble/ciphers/utils.js'
import { describe, expect, it, vi } from 'vitest'
import { type HandshakeFrame, decodeFrame } from '../src/frames.ts'
import { deriveReplyKeys, ecdh } from '../src/kdf.ts'
import { ReceivingChain } from '../src/ratchet.ts'
import { RECORD_HEADER_BYTES, openRecordFrame, openRecordNumber } from '../src/record.ts'
import type { SessionKeys } from '../src/kdf.ts'
import { keysFromDh, ephemeralDh, readHandshake } from './attacker.ts'
import { connectedPair, stopPair, utf8, waitFor } from './fixtures.ts'
import { discoveryTopic } from '../src/topics.ts'

/** Every key the peers derive (session keys, chain and message keys), kept by reference while `on`. */
const derived = vi.hoisted(() => ({ on: false, keys: [] as Uint8Array[] }))

vi.mock('../src/kdf.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/kdf.ts')>()
  return {
    ...real,
    deriveSessionKeys: (...args: Parameters<typeof real.deriveSessionKeys>) => {
      const keys = real.deriveSessionKeys(...args)
      if (derived.on) {
        for (const dir of [keys.ab, keys.ba]) derived.keys.push(dir.chainKey, dir.headerKey, dir.controlKey)
        derived.keys.push(keys.topicSecret)
      }
      return keys
    },
    chainStep: (chainKey: Uint8Array) => {
      const step = real.chainStep(chainKey)
      if (derived.on) derived.keys.push(step.messageKey, step.nextChainKey)
      return step
    },
  }
})

const isZero = (bytes: Uint8Array): boolean => bytes.every((b) => b === 0)

/** Every message key of both directions up to `count`, from the chain keys. */
function messageKeys(keys: SessionKeys, count: number): Uint8Array[] {
  const out: Uint8Array[] = []
  for (const dir of [keys.ab, keys.ba]) {
    const chain = new ReceivingChain(dir.chainKey, { maxGap: count + 1, maxSkipped: count + 1 })
    for (let n = 1; n <= count; n++) out.push(chain.peek(n)?.messageKey as Uint8Array)
  }
  return out
}

function opens(data: Uint8Array, key: Uint8Array): boolean {
  try {
    decryptSymmetric(data, key)
    return true
  } catch {
    return false
  }
}

describe('forward secrecy', () => {
  it('a recording plus both static private keys reveals no record after the first reply', async () => {
    derived.on = true
    derived.keys.length = 0
    const p = await connectedPair()
    const count = 12
    for (let i = 1; i <= count; i++) {
      await p.a.send(utf8(`secret a${i}`))
      await p.b.send(utf8(`secret b${i}`))
    }
    await waitFor(() => p.ra.receipts.length === count && p.rb.receipts.length === count, 'receipts')
    await p.a.close()
    await waitFor(() => p.b.state === 'closed', 'close')
    await waitFor(() => p.transport.subscriptionCount === 2, "Bob's linger to end") // the discovery topics only
    derived.on = false

    // The peers kept nothing: their ephemeral private keys, and every key of the schedule and
    // the ratchets (chain keys, message keys, header and control keys, topic secret), are zero.
    expect(p.issued.length).toBe(2)
    for (const k of p.issued) expect(isZero(k.privateKey)).toBe(true)
    expect(derived.keys.length).toBeGreaterThan(2 * 7 + 4 * count)
    expect(derived.keys.filter((k) => !isZero(k))).toEqual([])

    // The attacker reads the handshake and the reply: the static key is enough for those.
    const t = readHandshake(p.transport.posted, p.bobKeys.privateKey, p.bobKeys.publicKey)
    expect(equalBytes(t.reply.sessionId, p.a.id)).toBe(true)
    expect(t.records.length).toBeGreaterThanOrEqual(2 * count + 1)

    // Every key it can compute from static keys, handshake keys and public ephemeral keys.
    const { handshake, reply } = t
    const dhGuesses = [
      ecdh(p.aliceKeys.privateKey, reply.ephemeralKey),
      ecdh(p.bobKeys.privateKey, handshake.ephemeralKey),
      ecdh(p.aliceKeys.privateKey, p.bobKeys.publicKey),
      ecdh(p.aliceKeys.privateKey, handshake.ephemeralKey),
      ecdh(p.bobKeys.privateKey, reply.ephemeralKey),
    ]
    const guesses: Uint8Array[] = [handshake.keyAB, handshake.keyBA, p.aliceKeys.privateKey, p.bobKeys.privateKey]
    for (const dh of dhGuesses) {
      const keys = keysFromDh(t, dh)
      guesses.push(keys.ab.headerKey, keys.ba.headerKey, keys.ab.controlKey, keys.ba.controlKey, ...messageKeys(keys, count + 1))
    }
    const header = (e: Envelope): Uint8Array => e.data.subarray(0, RECORD_HEADER_BYTES)
    const body = (e: Envelope): Uint8Array => e.data.subarray(RECORD_HEADER_BYTES)
    for (const e of t.records) {
      for (const key of guesses) {
        expect(opens(header(e), key)).toBe(false)
        expect(opens(body(e), key)).toBe(false)
      }
    }

    // Positive control: with the initiator's ephemeral private key the same routine opens them all.
    const ephemeralA = p.ephemerals.find((k) => equalBytes(k.publicKey, handshake.ephemeralKey))
    expect(ephemeralA).toBeDefined()
    const keys = keysFromDh(t, ephemeralDh(ephemeralA?.privateKey as Uint8Array, t))
    const texts: string[] = []
    for (const e of t.records) {
      const ab = equalBytes(e.topic, handshake.topicAB)
      const dir = ab ? keys.ab : keys.ba
      const number = openRecordNumber(e.data, dir.headerKey)
      const bodyKey = number === 0 ? dir.controlKey : messageKeys(keys, count + 1)[(ab ? 0 : count + 1) + number - 1]
      const frame = openRecordFrame(e.data, bodyKey)
      if (frame.type === 'data') texts.push(new TextDecoder().decode(frame.payload))
    }
    expect(new Set(texts)).toEqual(new Set([...Array(count).keys()].flatMap((i) => [`secret a${i + 1}`, `secret b${i + 1}`])))
    p.alice.stop()
    p.bob.stop()
  })

  it("the reply's header and body are sealed under two different keys derived from keyBA", async () => {
    const p = await connectedPair()
    const discovery = discoveryTopic(p.bobKeys.publicKey, 16)
    const first = p.transport.posted.find((e) => equalBytes(e.topic, discovery)) as Envelope
    const handshake = decodeFrame(unwrapPayload(decryptAsymmetric(first.data, p.bobKeys.privateKey)).payload) as HandshakeFrame
    const reply = p.transport.posted.find((e) => equalBytes(e.topic, handshake.topicBA)) as Envelope // Bob's first post
    const header = reply.data.subarray(0, RECORD_HEADER_BYTES)
    const body = reply.data.subarray(RECORD_HEADER_BYTES)
    expect(opens(header, handshake.keyBA)).toBe(false)
    expect(opens(body, handshake.keyBA)).toBe(false)
    const keys = deriveReplyKeys(handshake.keyBA)
    expect(equalBytes(keys.headerKey, keys.bodyKey)).toBe(false)
    expect(opens(header, keys.headerKey) && !opens(header, keys.bodyKey)).toBe(true)
    expect(opens(body, keys.bodyKey) && !opens(body, keys.headerKey)).toBe(true)
    stopPair(p)
  })
})
