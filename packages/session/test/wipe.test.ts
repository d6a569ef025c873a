/**
 * Secrets are overwritten once they have served: the handshake plaintext both sides held (it
 * carries keyAB and keyBA), and every key a receiving chain derived for a record that then did
 * not open. The key functions are wrapped to keep a reference to what they hand out.
 */
import { equalBytes } from '@noble/ciphers/utils.js'
import { describe, expect, it, vi } from 'vitest'
import { encodeFrame } from '../src/frames.ts'
import type { IncomingHandshake, OutgoingHandshake } from '../src/handshake.ts'
import { sealRecord } from '../src/record.ts'
import { ephemeralDh, keysFromDh, readHandshake } from './attacker.ts'
import { connectedPair, stopPair, utf8, waitFor } from './fixtures.ts'

const seen = vi.hoisted(() => ({
  outgoing: [] as OutgoingHandshake[],
  incoming: [] as IncomingHandshake[],
  steps: [] as Uint8Array[],
}))

vi.mock('../src/handshake.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/handshake.ts')>()
  return {
    ...real,
    createHandshake: (...args: Parameters<typeof real.createHandshake>) => {
      const out = real.createHandshake(...args)
      seen.outgoing.push(out)
      return out
    },
    openHandshake: (...args: Parameters<typeof real.openHandshake>) => {
      const out = real.openHandshake(...args)
      if (out !== undefined) seen.incoming.push(out)
      return out
    },
  }
})

vi.mock('../src/kdf.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/kdf.ts')>()
  return {
    ...real,
    chainStep: (chainKey: Uint8Array) => {
      const out = real.chainStep(chainKey)
      seen.steps.push(out.messageKey, out.nextChainKey)
      return out
    },
  }
})

const isZero = (bytes: Uint8Array): boolean => bytes.every((b) => b === 0)

describe('wiping', () => {
  it('both sides overwrite the handshake plaintext and its keys once the session keys exist', async () => {
    seen.outgoing.length = 0
    seen.incoming.length = 0
    const p = await connectedPair()
    const outgoing = seen.outgoing.find((h) => equalBytes(h.frame.sessionId, p.a.id)) as OutgoingHandshake
    const incoming = seen.incoming.find((h) => equalBytes(h.frame.sessionId, p.b.id)) as IncomingHandshake
    expect(outgoing).toBeDefined()
    expect(incoming).toBeDefined()
    expect(isZero(outgoing.frameBytes)).toBe(true) // kept alive by the reply listener's closure
    expect(isZero(outgoing.frame.keyAB) && isZero(outgoing.frame.keyBA)).toBe(true)
    expect(isZero(incoming.frameBytes)).toBe(true)
    expect(isZero(incoming.frame.keyAB) && isZero(incoming.frame.keyBA)).toBe(true)
    stopPair(p)
  })

  it('keys derived for a record that does not open are overwritten (a peek never committed)', async () => {
    const p = await connectedPair()
    await p.a.send(utf8('a1'))
    await waitFor(() => p.rb.messages.length === 1 && p.ra.receipts.length === 1, 'a1')
    const t = readHandshake(p.transport.posted, p.bobKeys.privateKey, p.bobKeys.publicKey)
    const ephemeralA = p.ephemerals.find((k) => equalBytes(k.publicKey, t.handshake.ephemeralKey)) as { privateKey: Uint8Array }
    const keys = keysFromDh(t, ephemeralDh(ephemeralA.privateKey, t))
    const frame = encodeFrame({ type: 'data', number: 3, ack: { base: 0, bitmap: 0 }, payload: utf8('forged') })
    const forged = sealRecord(3, keys.ab.headerKey, new Uint8Array(32).fill(1), frame) // right number, wrong body key
    const from = seen.steps.length
    const rejected = p.b.stats.rejected
    await p.transport.postEnvelope({ topic: t.handshake.topicAB, data: forged, ttlSeconds: 10 })
    await waitFor(() => p.b.stats.rejected === rejected + 1, 'the forged record refused')
    const derived = seen.steps.slice(from)
    expect(derived.length).toBe(4) // message and chain keys for numbers 2 and 3
    expect(derived.every(isZero)).toBe(true)
    // Nothing changed: Alice's message 2 opens with the chain as it was.
    await p.a.send(utf8('a2'))
    await waitFor(() => p.rb.messages.length === 2, 'a2')
    stopPair(p)
  })
})
