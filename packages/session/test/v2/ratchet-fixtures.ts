/**
 * Builders for the ratchet tests: a pair of ratchets made from a Split we produce by hand (a
 * symmetric state mixed like §5's handshake), a deterministic random source, frames and a
 * byte-exact snapshot of a state.
 */
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'
import { decodeFrame, encodeFrame } from '../../src/v2/frames.ts'
import { initialState, mixHash, mixKey, split } from '../../src/v2/key-schedule.ts'
import { type RandomSource, systemRandom } from '../../src/v2/random.ts'
import { testRandom } from './test-rng.ts'
import { createInviterRatchet, createJoinerRatchet, type RatchetComponents, type RatchetLimits, type SealedRecord, sealRecord } from '../../src/v2/ratchet.ts'
import { openRecord } from '../../src/v2/ratchet-receive.ts'
import type { RatchetState } from '../../src/v2/ratchet-state.ts'
import { generateX25519, type X25519Backend, type X25519KeyPair, x25519 } from '../../src/v2/x25519.ts'

/** A deterministic source: the stream of `SHA-256(label ‖ u64(counter))` blocks (see `test-rng.ts`). */
export function seededRandom(label = 'hush/session/v2/ratchet-test'): RandomSource {
  return testRandom(label)
}

/** Two ratchets after one handshake, with the long-term keys they came from. */
export interface Pair {
  /** The joiner. */
  readonly a: RatchetState
  /** The inviter, after its accept step. */
  readonly b: RatchetState
  readonly staticA: X25519KeyPair
  readonly staticB: X25519KeyPair
  readonly invitationKey: X25519KeyPair
  readonly components: RatchetComponents
}

/**
 * Mixes a symmetric state as msg1 would (`e`, `es`, `ei`, `s`, `ss`; docs/SESSION.md §5), splits
 * it, and initialises A with `e_A` and `S_A` and B with their public keys (§6.2–6.3).
 */
export function makePair(backend: X25519Backend, random: RandomSource = systemRandom, limits: { a?: RatchetLimits; b?: RatchetLimits } = {}): Pair {
  const staticA = generateX25519(random, backend)
  const staticB = generateX25519(random, backend)
  const invitationKey = generateX25519(random, backend)
  const ephemeral = generateX25519(random, backend)
  const dh = (priv: Uint8Array, pub: Uint8Array): Uint8Array => x25519(priv, pub, backend) as Uint8Array
  const st = initialState()
  mixHash(st, invitationKey.publicKey)
  mixHash(st, staticB.publicKey)
  mixHash(st, ephemeral.publicKey)
  mixKey(st, dh(ephemeral.privateKey, staticB.publicKey))
  mixKey(st, dh(ephemeral.privateKey, invitationKey.publicKey))
  mixHash(st, staticA.publicKey)
  mixKey(st, dh(staticA.privateKey, staticB.publicKey))
  const keys = split(st)
  const components: RatchetComponents = { random, x25519: backend }
  const a = createJoinerRatchet({ keys, ephemeral, staticPrivateKey: staticA.privateKey, ...(limits.a ? { limits: limits.a } : {}) })
  const b = createInviterRatchet({ keys, peerEphemeralKey: ephemeral.publicKey, peerStaticKey: staticA.publicKey, ...(limits.b ? { limits: limits.b } : {}) }, components)
  if (b === undefined) throw new Error('accept step failed')
  for (const k of Object.values(keys)) k.fill(0)
  ephemeral.privateKey.fill(0)
  return { a, b, staticA, staticB, invitationKey, components }
}

const zeroBitmap = new Uint8Array(32)

/** A data frame carrying `text` (padded to its class). */
export function dataFrame(seq: number, text: string, padTo = 0): Uint8Array {
  const payload = new Uint8Array(Math.max(padTo, utf8ToBytes(text).length))
  payload.set(utf8ToBytes(text))
  return encodeFrame({ type: 'data', seq, ack: { base: 0, bitmap: zeroBitmap }, payload })
}

/** Seals `text` as the next record of `state`. */
export function send(state: RatchetState, text: string, components: RatchetComponents, padTo = 0): SealedRecord {
  return sealRecord(state, dataFrame(1, text, padTo), components)
}

/** Opens and commits a record: its text, or the refusal reason. */
export function receive(state: RatchetState, sealed: SealedRecord, components: RatchetComponents, nowMs = 0): string {
  const result = openRecord(state, sealed.record, sealed.topic, nowMs, components)
  if (!result.ok) return result.reason
  const frame = decodeFrame(result.frame)
  result.commit()
  if (frame.type !== 'data') return frame.type
  return new TextDecoder().decode(frame.payload).replace(/\0+$/, '')
}

/** Every byte of a state, in a stable text form (two equal snapshots: an unchanged state). */
export function snapshot(state: RatchetState): string {
  return JSON.stringify(state, (_key, value: unknown) => {
    if (value instanceof Uint8Array) return bytesToHex(value)
    if (value instanceof Map) return [...value]
    return value
  })
}

/** True when every byte is zero. */
export const isZero = (bytes: Uint8Array): boolean => bytes.every((x) => x === 0)
