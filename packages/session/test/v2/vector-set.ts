/**
 * The session v2 known-answer vectors (docs/SESSION.md §17), computed from fixed inputs and the
 * deterministic source of `test-rng.ts`: what `vectors/session-v2.json` holds, and what the
 * vectors test recomputes on every X25519 backend. Each value is also cross-checked against an
 * independent implementation in the module's own tests (handshake, ratchet, frames, safety
 * number, state files); this file gathers them for reimplementers.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { encodeFrame } from '../../src/v2/frames.ts'
import { buildMessage1, openMessage1 } from '../../src/v2/handshake.ts'
import { createInvitation, encodeInvitation, formatInvitation, parseInvitation } from '../../src/v2/invitation.ts'
import { chainTopicOf, headerKeyOf, initialState, kdfCk, kdfRk, kdfRkFirst, mixKey, rendezvousKey, split } from '../../src/v2/key-schedule.ts'
import { createInviterRatchet, createJoinerRatchet, sealRecord } from '../../src/v2/ratchet.ts'
import { safetyNumber } from '../../src/v2/safety-number.ts'
import { encodeOutEntry, encodeOutHeader, encodeSnapshot } from '../../src/v2/state-codec.ts'
import { type X25519Backend, generateX25519, x25519 } from '../../src/v2/x25519.ts'
import { testRandom } from './test-rng.ts'

/** The fixed clock of the vectors: 2026-12-01T00:00:00Z. */
const VECTOR_NOW_MS = 1_796_083_200_000

const hex = (b: Uint8Array): string => bytesToHex(b)
const fill = (byte: number, length = 32): Uint8Array => new Uint8Array(length).fill(byte)
const bitmapOf = (...bits: number[]): Uint8Array => {
  const b = new Uint8Array(32)
  for (const i of bits) b[i >> 3] |= 0x80 >> (i & 7)
  return b
}

/** Every vector, computed on `backend`. */
export function vectorSet(backend: X25519Backend): Record<string, Record<string, string>> {
  const alice = hexToBytes('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a')
  const bob = hexToBytes('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb')
  const x25519Vectors = {
    alicePrivate: hex(alice),
    alicePublic: hex(backend.publicKey(alice)),
    bobPrivate: hex(bob),
    bobPublic: hex(backend.publicKey(bob)),
    shared: hex(x25519(alice, backend.publicKey(bob), backend) as Uint8Array),
    lowOrderPublic: '00'.repeat(32),
    // An all-zero shared secret (a low-order public key) is refused, never used.
    lowOrderShared: x25519(alice, fill(0), backend) === undefined ? 'refused' : 'used',
  }

  // Labels: every input 0x01…, one derivation each.
  const one = fill(1)
  const mixed = initialState()
  mixed.ck = one.slice()
  mixKey(mixed, one)
  const mixOut = hex(mixed.ck) + hex(mixed.k as Uint8Array)
  const splitOut = split(mixed)
  const rk = kdfRk(one, one)
  const rkFirst = kdfRkFirst(one, one, fill(2))
  const ck = kdfCk(one)
  const labels = {
    input: hex(one),
    mixKey: mixOut,
    split: [splitOut.rootKey, splitOut.chainA1, splitOut.seedA1, splitOut.seedA2, splitOut.seedB1].map(hex).join(''),
    kdfRk: hex(rk.rootKey) + hex(rk.chainKey) + hex(rk.nextSeed),
    kdfRkFirstSeInput: hex(fill(2)),
    kdfRkFirst: hex(rkFirst.rootKey) + hex(rkFirst.chainKey) + hex(rkFirst.nextSeed),
    messageKey: hex(ck.messageKey),
    nextChainKey: hex(ck.chainKey),
    headerKey: hex(headerKeyOf(one)),
    topic: hex(chainTopicOf(one)),
    rendezvousKeyOfBody01: hex(rendezvousKey(fill(1, 74))),
  }

  // Invitation, message 1 and the first two records, all from one deterministic stream.
  const random = testRandom()
  const pending = createInvitation({ nowMs: VECTOR_NOW_MS, random, x25519: backend })
  const uri = formatInvitation(pending.invitation)
  const invitation = parseInvitation(uri, VECTOR_NOW_MS)
  const staticA = generateX25519(random, backend)
  const built = buildMessage1({ invitation, staticKey: staticA, createdAtMs: VECTOR_NOW_MS + 5, random, x25519: backend })
  const opened = openMessage1(pending, built.msg1, { x25519: backend })
  if (typeof opened === 'string') throw new Error(`vector message 1 refused: ${opened}`)
  const handshake = {
    invitation: hex(encodeInvitation(invitation)),
    uri,
    oneTimePrivate: hex(pending.oneTimePrivateKey),
    inviterStaticPrivate: hex(pending.staticPrivateKey),
    joinerStaticPrivate: hex(staticA.privateKey),
    joinerEphemeralPrivate: hex(built.ephemeralKey.privateKey),
    msg1: hex(built.msg1),
    split: [built.keys.rootKey, built.keys.chainA1, built.keys.seedA1, built.keys.seedA2, built.keys.seedB1].map(hex).join(''),
    ad: hex(built.keys.ad),
    initHash: hex(opened.initHash),
  }
  const joiner = createJoinerRatchet({ keys: built.keys, ephemeral: built.ephemeralKey, staticPrivateKey: staticA.privateKey })
  const early = sealRecord(joiner, encodeFrame({ type: 'data', seq: 1, ack: { base: 0, bitmap: new Uint8Array(32) }, payload: new TextEncoder().encode('hello') }), { random, x25519: backend })
  const inviter = createInviterRatchet({ keys: opened.keys, peerEphemeralKey: opened.peerEphemeralKey, peerStaticKey: opened.peerStaticKey }, { random, x25519: backend })
  if (inviter === undefined) throw new Error('vector accept step refused')
  const accept = sealRecord(inviter, encodeFrame({ type: 'ack', ack: { base: 1, bitmap: new Uint8Array(32) } }), { random, x25519: backend })
  const records = {
    earlyDataTopic: hex(early.topic),
    earlyData: hex(early.record),
    acceptAckTopic: hex(accept.topic),
    acceptAck: hex(accept.record),
  }

  const frames = {
    data: hex(encodeFrame({ type: 'data', seq: 1, ack: { base: 0, bitmap: new Uint8Array(32) }, payload: new TextEncoder().encode('hello') })),
    ackWithBits1and8and255: hex(encodeFrame({ type: 'ack', ack: { base: 3, bitmap: bitmapOf(1, 8, 255) } })),
    close: hex(encodeFrame({ type: 'close', seq: 9, ack: { base: 4, bitmap: bitmapOf(2) } })),
  }

  const safety = { keyA: hex(fill(1)), keyB: hex(fill(2)), number: safetyNumber(fill(1), fill(2)) }

  const stateKey = fill(7)
  const id = fill(0xa0, 16)
  const stateRandom = testRandom('hush/session/v2/test-rng/state')
  const state = {
    stateKey: hex(stateKey),
    id: hex(id),
    snapshotOfValueAbc: hex(encodeSnapshot(stateKey, id, { kind: 2, generation: 1, value: new TextEncoder().encode('abc') }, stateRandom)),
    outLogOfTwoEntries: hex(encodeOutHeader(id)) + hex(encodeOutEntry(stateKey, id, 0, Uint8Array.of(2, 0, 0, 0, 1), stateRandom)) + hex(encodeOutEntry(stateKey, id, 1, Uint8Array.of(2, 0, 0, 0, 2), stateRandom)),
  }
  return { x25519: x25519Vectors, labels, handshake, records, frames, safetyNumber: safety, stateFiles: state }
}
