/**
 * The state values of docs/SESSION.md §12.2: a session's core value round-trips states taken from
 * real ratchet conversations and the restored copies continue them byte for byte; the bytes follow
 * the text's field order (a reference transcription below); malformed bytes only ever throw
 * StateCorruptedError; and the skipped-key budget counts what a decode loads. Invitation values are in
 * invitation-value.test.ts.
 */
import { bytesToHex, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeSessionCore, encodeSessionCore, type SessionCoreValue, type WaitingFrame } from '../../src/v2/core-value.ts'
import { type RatchetComponents, type SealedRecord, wipeRatchet } from '../../src/v2/ratchet.ts'
import { chainSeed, createSkippedKeyBudget, type RatchetState } from '../../src/v2/ratchet-state.ts'
import { decodeValue } from '../../src/v2/value-bytes.ts'
import { availableX25519Backends } from '../../src/v2/x25519.ts'
import { offsets, referenceEncoding, u16, u32, u8 } from './core-value-layout.ts'
import { patched, thrownName } from './negative-tables.ts'
import { makePair, receive, seededRandom, send, snapshot } from './ratchet-fixtures.ts'

const backend = availableX25519Backends()[0]
const hex = bytesToHex
const context = (maxSkippedKeys = 512): { budget: ReturnType<typeof createSkippedKeyBudget>; maxSkippedKeys: number } => ({
  budget: createSkippedKeyBudget(),
  maxSkippedKeys,
})
const bytesOf = (label: string, length: number): Uint8Array => seededRandom(label)(length)

// ---------------------------------------------------------------------------------------------
// Real states: one scripted conversation, captured at several points.

type Party = 'a' | 'b'
/** One turn: `from` seals one record per entry; `false` entries are held back (lost for now). */
type Turn = readonly [Party, readonly boolean[]]

const T = true
const F = false
/** The conversation before each capture point (A is the joiner, B the inviter). */
const SCRIPT: readonly Turn[] = [
  ['a', [T, F, T]], // early data: B skips A1's key 1
  ['b', [T, T]], // A's first step: A is open
  ['a', [T, F, F, T]], // B steps; A1 (key 1) becomes prev; keys 1 and 2 skipped on A2
  ['b', [F, T, T]], // A steps; key 0 skipped
  ['a', [T, T]],
  ['b', [T]],
  ...Array.from({ length: 14 }, (_, i): Turn => [i % 2 === 0 ? 'a' : 'b', [F, T]]), // 8 prev chains each side, the oldest dropped
]

interface Held {
  readonly to: Party
  readonly sealed: SealedRecord
  readonly text: string
}

interface Point {
  readonly a: RatchetState
  readonly b: RatchetState
  readonly staticA: Uint8Array
  /** Records sealed and not yet delivered, for the continuation. */
  readonly held: Held[]
}

/** Plays the first `turns` turns of {@link SCRIPT}; clocks advance 1000 ms per turn. */
function playTo(turns: number): Point {
  const { a, b, staticA, components } = makePair(backend, seededRandom('core-value/pair'))
  const held: Held[] = []
  for (const [t, [from, delivered]] of SCRIPT.slice(0, turns).entries()) {
    const [sender, receiver] = from === 'a' ? [a, b] : [b, a]
    for (const [i, deliver] of delivered.entries()) {
      const text = `${from}${t}.${i}`
      const sealed = send(sender, text, components)
      if (deliver) expect(receive(receiver, sealed, components, 1000 * (t + 1))).toBe(text)
      else held.push({ to: from === 'a' ? 'b' : 'a', sealed, text })
    }
  }
  return { a, b, staticA: staticA.privateKey, held }
}

/** The same continuation from any point: held records first, then turns with a loss delivered late. */
function continueConversation(a: RatchetState, b: RatchetState, held: readonly Held[]): string[] {
  const c: RatchetComponents = { random: seededRandom('core-value/continue'), x25519: backend }
  const log: string[] = []
  let now = 100_000
  const deliver = (to: RatchetState, sealed: SealedRecord): void => {
    log.push(`${hex(sealed.topic)}:${hex(sealed.record)}`, receive(to, sealed, c, (now += 10)))
  }
  for (const h of held) deliver(h.to === 'a' ? a : b, h.sealed)
  for (const t of ['b0', 'b1']) deliver(a, send(b, t, c))
  const late = ['a0', 'a1', 'a2'].map((t) => send(a, t, c))
  deliver(b, late[0])
  deliver(b, late[2])
  deliver(a, send(b, 'b2', c))
  deliver(b, send(a, 'a3', c))
  deliver(b, late[1]) // from a chain B has superseded by now
  deliver(a, send(b, 'b3', c))
  return log
}

/**
 * What a continuation from `point` must give, in order: every text, except a held record whose
 * chain the receiver has dropped (beyond 8 prev chains: its topic is no longer listened on).
 */
function expectedTexts(point: Point): string[] {
  const dropped = point.b.prev.length === 8 ? new Set(['a0.1']) : new Set()
  return [...point.held.map((h) => (dropped.has(h.text) ? 'header' : h.text)), 'b0', 'b1', 'a0', 'a2', 'b2', 'a3', 'a1', 'b3']
}

function coreOf(role: 'joiner' | 'inviter', ratchet: RatchetState, point: Point, overrides: Partial<SessionCoreValue> = {}): SessionCoreValue {
  const pending = role === 'joiner' && !ratchet.firstStepDone
  return {
    role,
    state: pending ? 'pending' : 'open',
    peerStaticKey: bytesOf(`peer-static/${role}`, 32),
    ownStaticKey: bytesOf(`own-static/${role}`, 32),
    identityKind: role === 'joiner' ? 'per-contact' : 'account',
    ownStaticPrivateKey: role === 'joiner' ? point.staticA.slice() : undefined,
    ratchet,
    nextSeq: 7,
    peerAckBase: 3,
    recvBase: 5,
    closeSeq: 0,
    createdAtMs: 1_733_000_000_000,
    openedAtMs: pending ? undefined : 1_733_000_001_000,
    lastHeardMs: 1_733_000_002_000,
    lastSentMs: 1_733_000_003_000,
    caughtUpMs: 2 ** 53 - 1,
    pendingJoin: pending ? { msg1: bytesOf('msg1', 340), topic: bytesOf('rendezvous', 4), handshakeDeadlineMs: 1_733_090_000_000, nextInitResendMs: 1_733_000_004_000 } : undefined,
    consumed:
      role === 'inviter'
        ? { inviteId: hex(bytesOf('invite-id', 16)), topic: bytesOf('rendezvous', 4), expirySeconds: 0xffff_ffff, initHash: bytesOf('init-hash', 32) }
        : undefined,
    invitationHash: bytesOf('invitation-hash', 32),
    waiting: [
      { seq: 7, type: 'data', payload: utf8ToBytes('behind a gap') },
      { seq: 9, type: 'data', payload: new Uint8Array(0) },
      { seq: 261, type: 'close', payload: new Uint8Array(0) },
    ],
    verified: role === 'inviter',
    ...overrides,
  }
}

/** A state's every byte and count, less what a load sets afresh (epoch, the shared budget). */
const comparable = (state: RatchetState): string => snapshot({ ...state, epoch: 0, budget: { max: 0, used: 0 } })

function withoutRatchet(v: SessionCoreValue): Omit<SessionCoreValue, 'ratchet'> {
  const { ratchet: _, ...rest } = v
  return rest
}

const POINTS = [
  { name: 'pending joiner, early data with a skipped key', turns: 1 },
  { name: 'both open after the first steps', turns: 2 },
  { name: 'skipped keys on current and prev chains', turns: 4 },
  { name: 'eight prev chains (older ones dropped) and keys on most', turns: SCRIPT.length },
]

describe('session core value: real states round-trip and continue', () => {
  it.each(POINTS)('$name', ({ turns }) => {
    const point = playTo(turns)
    const values = { a: coreOf('joiner', point.a, point), b: coreOf('inviter', point.b, point, turns === 1 ? { state: 'requested' } : {}) }
    const restored: Record<Party, RatchetState[]> = { a: [], b: [] }
    for (const party of ['a', 'b'] as const) {
      const value = values[party]
      const bytes = encodeSessionCore(value)
      for (let copy = 0; copy < 2; copy++) {
        const ctx = context()
        const back = decodeSessionCore(bytes, ctx)
        expect(comparable(back.ratchet)).toBe(comparable(value.ratchet))
        expect(withoutRatchet(back)).toEqual(withoutRatchet(value))
        expect(back.ratchet.epoch).toBe(0)
        expect(back.ratchet.budget).toBe(ctx.budget)
        expect(ctx.budget.used).toBe(value.ratchet.skippedCount)
        expect(hex(encodeSessionCore(back))).toBe(hex(bytes))
        restored[party].push(back.ratchet)
      }
    }
    if (turns === 1) expect(point.a.staticPrivateKey).toBeDefined()
    if (turns === SCRIPT.length) expect(point.b.prev.length).toBe(8)
    if (turns >= 4) expect(point.b.prev.some((c) => c.skipped.size > 0) && point.b.skipped.size > 0).toBe(true)
    // The originals and the restored copies, in every pairing, continue with the same bytes.
    const original = continueConversation(point.a, restored.b[0], point.held)
    expect(original.filter((_, i) => i % 2 === 1)).toEqual(expectedTexts(point))
    expect(continueConversation(restored.a[0], point.b, point.held)).toEqual(original)
    expect(continueConversation(restored.a[1], restored.b[1], point.held)).toEqual(original)
  })

  it('a decoded value owns its arrays: changing the bytes afterwards changes nothing', () => {
    const point = playTo(4)
    const value = coreOf('inviter', point.b, point)
    const bytes = encodeSessionCore(value)
    const back = decodeSessionCore(bytes, context())
    const before = comparable(back.ratchet)
    bytes.fill(0xa5)
    expect(comparable(back.ratchet)).toBe(before)
    expect(hex(encodeSessionCore(back))).toBe(hex(encodeSessionCore(value)))
  })
})

// ---------------------------------------------------------------------------------------------
// The byte layout, against the transcription of §12.2 in core-value-layout.ts.

describe('session core value: byte layout (§12.2)', () => {
  it.each(POINTS)('$name: the bytes are the fields in the text order', ({ turns }) => {
    const point = playTo(turns)
    for (const v of [coreOf('joiner', point.a, point), coreOf('inviter', point.b, point, turns === 1 ? { state: 'requested' } : {})]) {
      expect(hex(encodeSessionCore(v))).toBe(hex(referenceEncoding(v)))
    }
  })
})

// ---------------------------------------------------------------------------------------------
// Malformed bytes.

const spliced = (bytes: Uint8Array, at: number, insert: Uint8Array): Uint8Array => concatBytes(bytes.subarray(0, at), insert, bytes.subarray(at))

describe('session core value: malformed bytes throw StateCorruptedError', () => {
  const point = playTo(SCRIPT.length)
  const inviter = coreOf('inviter', point.b, point)
  const joiner = coreOf('joiner', playTo(1).a, point)
  const bytes = encodeSessionCore(inviter)
  const at = offsets(inviter, bytes)
  const jBytes = encodeSessionCore(joiner)
  const jAt = offsets(joiner, jBytes)

  it('the offsets match the encoding', () => {
    expect(bytes[at.prevCount]).toBe(8)
    expect((bytes[at.waitingCount] << 8) | bytes[at.waitingCount + 1]).toBe(3)
    expect(bytes[at.firstStepDone]).toBe(1)
    expect(jBytes[jAt.firstStepDone]).toBe(0)
    expect(jBytes[jAt.firstStepDone + 1]).toBe(1) // S_A present until the first step
  })

  it('at every truncation', () => {
    for (const b of [bytes, jBytes]) {
      for (let length = 0; length < b.length; length++) expect(thrownName(() => decodeSessionCore(b.subarray(0, length), context()))).toBe('StateCorruptedError')
    }
  })

  const firstSkipped = at.skipped + 2
  const prevChainBytes = (j: number): Uint8Array => {
    let start = at.prevCount + 1
    for (let i = 0; i < j; i++) start += 78 + 44 * inviter.ratchet.prev[i].skipped.size
    return bytes.slice(start, start + 78 + 44 * inviter.ratchet.prev[j].skipped.size)
  }
  const cases: Array<[string, Uint8Array, number?]> = [
    ['version 0', patched(bytes, 0, 0)],
    ['version 2', patched(bytes, 0, 2)],
    ['role 0', patched(bytes, 1, 0)],
    ['role 3', patched(bytes, 1, 3)],
    ['state 0', patched(bytes, 2, 0)],
    ['state 5', patched(bytes, 2, 5)],
    ['an inviter that is pending', patched(bytes, 2, 1)],
    ['a joiner that is requested', patched(jBytes, 2, 2)],
    ['identity kind 3', patched(bytes, 67, 3)],
    ['an account identity with a static key', patched(jBytes, 67, 2)],
    ['own static presence byte 2', patched(bytes, 68, 2)],
    ['DHs absent (presence 0)', patched(bytes, at.ratchet + 64, 0)],
    ['DHs presence byte 2', patched(bytes, at.ratchet + 64, 2)],
    ['firstStepDone 2', patched(bytes, at.firstStepDone, 2)],
    ['inviter with firstStepDone 0', patched(bytes, at.firstStepDone, 0)],
    ['pending joiner with firstStepDone 1', patched(jBytes, jAt.firstStepDone, 1)],
    ['static key presence byte 2', patched(jBytes, jAt.firstStepDone + 1, 2)],
    ['a skipped index at Nr', patched(bytes, firstSkipped, 0xff, 0xff, 0xff, 0xff)],
    ['a skipped storedAtMs beyond 2^53 − 1', patched(bytes, firstSkipped + 36, 0x00, 0x20)],
    ['prev count 9 (a ninth chain follows)', spliced(patched(bytes, at.prevCount, 9), at.prevCount + 1, prevChainBytes(0))],
    ['prev count 255', patched(bytes, at.prevCount, 255)],
    ['createdAtMs beyond 2^53 − 1', patched(bytes, at.nextSeq + 16, 0xff)],
    ['openedAtMs presence byte 2', patched(bytes, at.nextSeq + 24, 2)],
    ['pendingJoin on an inviter', patched(bytes, at.nextSeq + 57, 1)],
    ['waiting 257 (a 257th frame follows)', spliced(patched(bytes, at.waitingCount, 0x01, 0x01), bytes.length - 1, concatBytes(u32(262), u8(2), u16(0)))],
    ['waiting frames out of order', patched(bytes, at.waitingCount + 2, 0, 0, 0, 9)],
    ['a waiting frame at recvBase', patched(bytes, at.waitingCount + 2, 0, 0, 0, 5)],
    ['a waiting frame beyond the window', patched(bytes, at.waitingCount + 2 + 19 + 7, 0, 0, 1, 6)],
    ['waiting type 3', patched(bytes, at.waitingCount + 2 + 4, 3)],
    ['verified 2', patched(bytes, bytes.length - 1, 2)],
    ['a trailing byte', concatBytes(bytes, u8(0))],
    ['more skipped keys than maxSkippedKeys', bytes, inviter.ratchet.skippedCount - 1],
  ]
  it.each(cases)('%s', (_name, bad, maxSkippedKeys = 512) => {
    const ctx = context(maxSkippedKeys)
    expect(thrownName(() => decodeSessionCore(bad, ctx))).toBe('StateCorruptedError')
    expect(ctx.budget.used).toBe(0)
  })

  it('the table is near valid encodings: the untouched bytes decode, also at exactly maxSkippedKeys', () => {
    expect(decodeSessionCore(bytes, context(inviter.ratchet.skippedCount)).ratchet.skippedCount).toBe(inviter.ratchet.skippedCount)
    expect(decodeSessionCore(jBytes, context()).state).toBe('pending')
  })

  it('arguments that are not bytes or a context throw TypeError / RangeError', () => {
    expect(thrownName(() => decodeSessionCore([1] as unknown as Uint8Array, context()))).toBe('TypeError')
    expect(thrownName(() => decodeSessionCore(bytes, { budget: undefined as never, maxSkippedKeys: 512 }))).toBe('TypeError')
    expect(thrownName(() => decodeSessionCore(bytes, { budget: createSkippedKeyBudget(), maxSkippedKeys: -1 }))).toBe('RangeError')
  })

  it('the encoder refuses what the decoder would refuse', () => {
    const refused: Array<[string, SessionCoreValue]> = [
      ['inviter pending', { ...inviter, state: 'pending' }],
      ['an account identity with a static key', { ...joiner, identityKind: 'account' }],
      ['pendingJoin on an inviter', { ...inviter, pendingJoin: joiner.pendingJoin }],
      ['joiner without pendingJoin', { ...joiner, pendingJoin: undefined }],
      ['inviter without consumed', { ...inviter, consumed: undefined }],
      ['waiting out of order', { ...inviter, waiting: [...inviter.waiting].reverse() }],
      ['a close with a payload', { ...inviter, waiting: [{ seq: 6, type: 'close', payload: u8(1) }] }],
      ['257 waiting', { ...inviter, recvBase: 0, waiting: Array.from({ length: 257 }, (_, i): WaitingFrame => ({ seq: i + 1, type: 'data', payload: u8(0) })) }],
      ['a fractional time', { ...inviter, lastHeardMs: 1.5 }],
      ['a u32 beyond range', { ...inviter, nextSeq: 2 ** 32 }],
      ['an inviteId in capitals', { ...inviter, consumed: { ...(inviter.consumed as NonNullable<SessionCoreValue['consumed']>), inviteId: 'AB'.repeat(16) } }],
      ['a skippedCount off by one', { ...inviter, ratchet: { ...inviter.ratchet, skippedCount: inviter.ratchet.skippedCount + 1 } }],
    ]
    for (const [name, v] of refused) expect([name, thrownName(() => encodeSessionCore(v))]).toEqual([name, expect.stringMatching(/^(TypeError|RangeError)$/)])
  })
})

describe('session core value: properties', () => {
  const point = playTo(4)
  const valid = [encodeSessionCore(coreOf('inviter', point.b, point)), encodeSessionCore(coreOf('joiner', playTo(1).a, point))]

  it('random bytes throw StateCorruptedError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1200 }), fc.nat({ max: 1 }), fc.nat({ max: 400 }), (tail, which, keep) => {
        // A valid prefix of some length, then random bytes, to reach past the first fields.
        const bytes = concatBytes(valid[which].subarray(0, keep), tail)
        const ctx = context()
        const name = thrownName(() => decodeSessionCore(bytes, ctx))
        if (name === 'none') return true // astronomically unlikely; a decoded value is checked below
        return name === 'StateCorruptedError' && ctx.budget.used === 0
      }),
      { numRuns: 500 },
    )
  })

  it('a mutated valid encoding throws StateCorruptedError, or decodes and re-encodes to itself', () => {
    const mutation = fc.record({
      which: fc.nat({ max: 1 }),
      changes: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }),
      cut: fc.option(fc.nat(), { nil: undefined }),
    })
    let decoded = 0
    fc.assert(
      fc.property(mutation, ({ which, changes, cut }) => {
        let bytes = valid[which].slice()
        for (const [pos, value] of changes) bytes[pos % bytes.length] = value
        if (cut !== undefined) bytes = bytes.subarray(0, cut % bytes.length)
        const ctx = context()
        let value: SessionCoreValue
        try {
          value = decodeSessionCore(bytes, ctx)
        } catch (err) {
          return (err as Error).name === 'StateCorruptedError' && ctx.budget.used === 0
        }
        decoded++
        return hex(encodeSessionCore(value)) === hex(bytes) && ctx.budget.used === value.ratchet.skippedCount
      }),
      { numRuns: 1500 },
    )
    expect(decoded).toBeGreaterThan(100) // most single-byte changes land in keys and counters that still decode
  })
})

describe('session core value: the skipped-key budget', () => {
  it('a decode adds the keys it loads, a failed one adds nothing, and a wipe gives them back', () => {
    const point = playTo(SCRIPT.length)
    const value = coreOf('inviter', point.b, point)
    const bytes = encodeSessionCore(value)
    const held = value.ratchet.skippedCount
    expect(held).toBeGreaterThan(8)
    const budget = createSkippedKeyBudget(10_000)
    budget.used = 100 // another session's keys
    const first = decodeSessionCore(bytes, { budget, maxSkippedKeys: 512 })
    expect(budget.used).toBe(100 + held)
    expect(first.ratchet.skippedCount).toBe(held)
    expect(thrownName(() => decodeSessionCore(bytes.subarray(0, bytes.length - 1), { budget, maxSkippedKeys: 512 }))).toBe('StateCorruptedError')
    expect(thrownName(() => decodeSessionCore(bytes, { budget, maxSkippedKeys: held - 1 }))).toBe('StateCorruptedError')
    expect(budget.used).toBe(100 + held)
    const second = decodeSessionCore(bytes, { budget, maxSkippedKeys: held })
    expect(budget.used).toBe(100 + 2 * held)
    expect(second.ratchet.maxSkippedKeys).toBe(held)
    wipeRatchet(first.ratchet)
    wipeRatchet(second.ratchet)
    expect(budget.used).toBe(100)
  })
})

it('chainSeed on a decoded seed gives the live header key and topic (the derivation the decoder relies on)', () => {
  const point = playTo(2)
  const back = decodeSessionCore(encodeSessionCore(coreOf('joiner', point.a, point)), context())
  expect(hex(back.ratchet.nsdr.headerKey)).toBe(hex(chainSeed(point.a.nsdr.seed.slice()).headerKey))
  expect(hex(back.ratchet.nsdr.topic)).toBe(hex(point.a.nsdr.topic))
})

it('a failed decode wipes every secret it copied or derived before the failure', () => {
  const kept: Uint8Array[] = []
  const input = bytesOf('secrets', 70)
  const name = thrownName(() =>
    decodeValue(input, (r) => {
      kept.push(r.secret(32, 'a key'))
      const seed = chainSeed(r.secret(32, 'a seed'))
      kept.push(r.track(seed.headerKey, seed.topic), seed.seed, seed.topic)
      kept.push(r.copy(4, 'public bytes'))
      return r.u8('a field') // one byte is left over: the decode fails at its end
    }),
  )
  expect(name).toBe('StateCorruptedError')
  expect(kept.slice(0, 4).every((k) => k.every((x) => x === 0))).toBe(true)
  expect(hex(kept[4])).toBe(hex(input.subarray(64, 68))) // public copies are left alone
  expect(input.some((x) => x !== 0)).toBe(true) // and the input is the caller's
})
