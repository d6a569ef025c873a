import { describe, expect, it, vi } from 'vitest'
import { open, openHeader } from '../../src/v2/aead.ts'
import { initialState, kdfCk, split } from '../../src/v2/key-schedule.ts'
import { type SealedRecord, createInviterRatchet, expireRatchet, listeningTopics, sealRecord, wipeRatchet } from '../../src/v2/ratchet.ts'
import { type OpenedRecord, type RatchetRejectReason, type RefusedRecord, openRecord } from '../../src/v2/ratchet-receive.ts'
import { createSkippedKeyBudget, type RatchetState } from '../../src/v2/ratchet-state.ts'
import { availableX25519Backends, generateX25519 } from '../../src/v2/x25519.ts'
import { dataFrame, isZero, makePair, receive, send, snapshot } from './ratchet-fixtures.ts'

/** Every key that sealed or opened a record body (32-byte key, zero nonce, 100 bytes of AD ‖ hb). */
const bodyKeys = vi.hoisted(() => ({ keys: [] as Uint8Array[] }))
vi.mock('../../src/v2/aead.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/v2/aead.ts')>()
  const note = (key: Uint8Array, nonce: Uint8Array, aad: Uint8Array): void => {
    if (aad.length === 100 && nonce.every((x) => x === 0)) bodyKeys.keys.push(key)
  }
  return {
    ...real,
    seal: (key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, pt: Uint8Array) => {
      note(key, nonce, aad)
      return real.seal(key, nonce, aad, pt)
    },
    open: (key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, ct: Uint8Array) => {
      note(key, nonce, aad)
      return real.open(key, nonce, aad, ct)
    },
  }
})

const backends = availableX25519Backends().map((b) => [b.name, b] as const)
const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/**
 * What a thief holding a copy of A's state reads of A's own outgoing records: the header under
 * `HK(SDs)` or `HK(NSDs)`, and the body only on the chain whose key it holds.
 */
function copyReadsOwnRecord(copy: RatchetState, { record }: SealedRecord): boolean {
  const hb = record.subarray(0, 68)
  if (openHeader(copy.nsds.headerKey, hb) !== undefined) return false // no chain key for it yet
  const header = openHeader(copy.sds.headerKey, hb)
  if (header === undefined) return false
  const n = new DataView(header.buffer, header.byteOffset).getUint32(36)
  if (n < copy.ns) return false
  let ck = copy.cks
  for (let i = copy.ns; i < n; i++) ck = kdfCk(ck).chainKey
  const aad = new Uint8Array(100)
  aad.set(copy.ad)
  aad.set(hb, 32)
  return open(kdfCk(ck).messageKey, new Uint8Array(12), aad, record.subarray(68)) !== undefined
}

describe.each(backends)('ratchet security (%s backend)', (_name, backend) => {
  it('post-compromise: a copy of A at message N reads N+1 and B’s reply, then nothing after one round trip', () => {
    const { a, b, components: c } = makePair(backend)
    expect(receive(a, send(b, 'accept', c), c)).toBe('accept')
    for (let turn = 0; turn < 3; turn++) {
      for (const t of ['x', 'y']) expect(receive(b, send(a, t, c), c)).toBe(t)
      expect(receive(a, send(b, 'z', c), c)).toBe('z')
    }
    expect(receive(b, send(a, 'N', c), c)).toBe('N')
    const thief = structuredClone(a) // everything A holds after sending N
    const snapshotThief = structuredClone(a)
    // Positive controls: the copy reads A's N+1 (same chain) and B's reply (sealed to A's current key).
    const n1 = send(a, 'N+1', c)
    expect(copyReadsOwnRecord(thief, n1)).toBe(true)
    expect(receive(b, n1, c)).toBe('N+1')
    const reply = send(b, 'reply', c)
    expect(receive(thief, reply, c)).toBe('reply')
    expect(receive(a, reply, c)).toBe('reply')
    // A's next record carries a fresh key the copy never had; B answers to that key.
    const later: Array<{ from: 'a' | 'b'; record: SealedRecord }> = []
    for (let turn = 0; turn < 20; turn++) {
      const [from, to] = turn % 2 === 0 ? [a, b] : [b, a]
      for (let i = 0; i < 2; i++) {
        const record = send(from, `after ${turn}.${i}`, c)
        later.push({ from: from === a ? 'a' : 'b', record })
        expect(receive(to, record, c)).toBe(`after ${turn}.${i}`) // the real parties read everything
      }
    }
    for (const { from, record } of later) {
      for (const copy of [thief, snapshotThief]) {
        if (from === 'a') expect(copyReadsOwnRecord(copy, record)).toBe(false)
        else expect(openRecord(copy, record.record, record.topic, 0, c).ok).toBe(false)
      }
    }
  })

  it('forward secrecy: used message keys, advanced chain keys, old root keys and spent ratchet private keys are zeros', () => {
    const { a, b, components: c } = makePair(backend)
    bodyKeys.keys.length = 0
    const eA = a.dhs.privateKey
    const staticCopy = a.staticPrivateKey as Uint8Array
    const ckA1 = a.cks
    const rkA = a.rk
    const early = send(a, 'early', c)
    expect(isZero(ckA1)).toBe(true)
    const ckrB = b.ckr as Uint8Array
    expect(receive(b, early, c)).toBe('early')
    expect(isZero(ckrB)).toBe(true)
    const b1 = b.dhs.privateKey
    const rkB = b.rk
    expect(receive(a, send(b, 'accept', c), c)).toBe('accept')
    // A's first step: e_A and the copy of S_A are gone once both DHs that need them are done.
    expect([eA, staticCopy, rkA].map(isZero)).toEqual([true, true, true])
    const records = [0, 1, 2].map((i) => send(a, `m${i}`, c))
    expect(receive(b, records[2], c)).toBe('m2') // B's step: B1 did its second DH
    expect([b1, rkB].map(isZero)).toEqual([true, true])
    const skipped0 = b.skipped.get(0)?.messageKey as Uint8Array
    expect(isZero(skipped0)).toBe(false)
    expect(receive(b, records[0], c)).toBe('m0')
    expect(isZero(skipped0)).toBe(true)
    // A late record of a superseded chain: its stored key is wiped when used.
    const lateA = send(b, 'b-late', c)
    expect(receive(a, send(b, 'b', c), c)).toBe('b')
    expect(receive(b, send(a, 'step', c), c)).toBe('step')
    expect(receive(a, send(b, 'next', c), c)).toBe('next') // A's chain with the lost key is now prev
    const prevKey = a.prev[a.prev.length - 1].skipped.get(0)?.messageKey as Uint8Array
    expect(receive(a, lateA, c)).toBe('b-late')
    expect(isZero(prevKey)).toBe(true)
    // Every body key used on either side, sealing or opening, was wiped after its one use.
    expect(bodyKeys.keys.length).toBeGreaterThan(10)
    expect(bodyKeys.keys.every(isZero)).toBe(true)
  })

  it('a tampered record leaves the state byte-identical and wipes the keys it tried', () => {
    const { a, b, components: c } = makePair(backend)
    expect(receive(a, send(b, 'accept', c), c)).toBe('accept')
    const lost = send(a, 'lost', c) // later a prev-chain record with a stored key
    const inChain = send(a, 'in chain', c)
    expect(receive(b, inChain, c)).toBe('in chain')
    expect(receive(a, send(b, 'turn', c), c)).toBe('turn')
    const step = send(a, 'step', c) // a DH ratchet step at B
    const cases: Array<[string, SealedRecord]> = [['prev chain', lost], ['next chain (step)', step]]
    for (const [label, record] of cases) {
      bodyKeys.keys.length = 0
      const before = snapshot(b)
      for (const [at, reason] of [[0, 'header'], [39, 'header'], [45, 'header'], [60, 'header'], [68, 'body'], [200, 'body'], [339, 'body']] as const) {
        const bad = record.record.slice()
        bad[at] ^= 0x04
        expect(openRecord(b, bad, record.topic, 0, c), `${label} byte ${at}`).toEqual({ ok: false, reason })
        expect(snapshot(b)).toBe(before)
      }
      expect(openRecord(b, record.record, Uint8Array.of(1, 2, 3, 4), 0, c)).toEqual({ ok: false, reason: 'header' })
      expect(openRecord(b, record.record.subarray(0, 339), record.topic, 0, c)).toEqual({ ok: false, reason: 'size' })
      const opened = openRecord(b, record.record, record.topic, 0, c) as OpenedRecord
      expect(opened.ok).toBe(true)
      opened.discard()
      expect(isZero(opened.frame)).toBe(true)
      expect(snapshot(b)).toBe(before)
      expect(bodyKeys.keys.length).toBeGreaterThan(0)
      expect(bodyKeys.keys.every(isZero)).toBe(true)
      expect(receive(b, record, c)).toBe(label === 'prev chain' ? 'lost' : 'step') // positive control
      expect(snapshot(b)).not.toBe(before)
    }
  })

  it('refuses a header key with another ratchet key (dh-mismatch) and a low-order key (header)', () => {
    const { a, b, components: c } = makePair(backend)
    expect(receive(a, send(b, 'accept', c), c)).toBe('accept')
    expect(receive(b, send(a, 'one', c), c)).toBe('one')
    const forge = (pub: Uint8Array): SealedRecord => {
      const fork = structuredClone(a)
      fork.dhs = { privateKey: fork.dhs.privateKey, publicKey: pub }
      return sealRecord(fork, dataFrame(1, 'forged'), c)
    }
    const before = snapshot(b)
    const refused = (r: SealedRecord): RatchetRejectReason => (openRecord(b, r.record, r.topic, 0, c) as RefusedRecord).reason
    expect(refused(forge(generateX25519(undefined, backend).publicKey))).toBe('dh-mismatch')
    // On the next chain: a header that repeats the current key, and one with a low-order key.
    expect(receive(a, send(b, 'two', c), c)).toBe('two')
    const beforeStep = snapshot(b)
    expect(refused(forge(b.dhr as Uint8Array))).toBe('dh-mismatch')
    expect(refused(forge(new Uint8Array(32)))).toBe('header')
    expect(snapshot(b)).toBe(beforeStep)
    expect(before).not.toBe(beforeStep)
    expect(receive(b, send(a, 'three', c), c)).toBe('three')
    // The accept step refuses a low-order e_A.
    const zeroKey = { keys: split(initialState()), peerEphemeralKey: new Uint8Array(32), peerStaticKey: generateX25519(undefined, backend).publicKey }
    expect(createInviterRatchet(zeroKey, { x25519: backend })).toBeUndefined()
  })

  it('an opened record settles once, and not after the state moved on', () => {
    const { a, b, components: c } = makePair(backend)
    const [r0, r1] = [send(a, '0', c), send(a, '1', c)]
    const o0 = openRecord(b, r0.record, r0.topic, 0, c) as OpenedRecord
    const o1 = openRecord(b, r1.record, r1.topic, 0, c) as OpenedRecord
    o1.commit()
    expect(() => o1.commit()).toThrow(RangeError)
    expect(() => o0.commit()).toThrow(new RangeError('the state changed since this record was opened: open it again'))
    expect(isZero(o0.frame)).toBe(true)
    expect(receive(b, r0, c)).toBe('0')
  })
})

describe('skipped-key bounds (§6.5 step 6)', () => {
  const backend = backends[backends.length - 1][1]

  it('refuses a record more than MAX_SKIP (1024) ahead, in the current and the next chain', () => {
    const { a, b, components: c } = makePair(backend)
    const records = Array.from({ length: 1200 }, (_, i) => send(a, `${i}`, c))
    const before = snapshot(b)
    // A flood of authentic far-ahead records: every one refused, nothing derived or stored.
    for (const r of records.slice(1025)) expect(openRecord(b, r.record, r.topic, 0, c)).toEqual({ ok: false, reason: 'too-far' })
    expect(snapshot(b)).toBe(before)
    expect(receive(b, records[1024], c)).toBe('1024')
    expect(b.skippedCount).toBe(512) // 1024 skipped, the oldest 512 evicted
    expect(receive(b, records[511], c)).toBe('duplicate')
    expect(receive(b, records[512], c)).toBe('512')
    // The next chain: n beyond MAX_SKIP.
    const { a: a2, b: b2, components: c2 } = makePair(backend)
    const far = Array.from({ length: 1026 }, (_, i) => send(b2, `${i}`, c2))
    expect(openRecord(a2, far[1025].record, far[1025].topic, 0, c2)).toEqual({ ok: false, reason: 'too-far' })
    expect(receive(a2, far[1024], c2)).toBe('1024')
    // The next chain: pn more than MAX_SKIP beyond Nr (the rest of the current chain).
    const { a: a3, b: b3, components: c3 } = makePair(backend)
    const long = Array.from({ length: 1100 }, (_, i) => send(a3, `${i}`, c3))
    expect(receive(b3, long[0], c3)).toBe('0')
    expect(receive(a3, send(b3, 'turn', c3), c3)).toBe('turn')
    const stepped = send(a3, 'pn 1100', c3)
    expect(openRecord(b3, stepped.record, stepped.topic, 0, c3)).toEqual({ ok: false, reason: 'too-far' })
    expect(receive(b3, long[1024], c3)).toBe('1024')
    expect(receive(b3, stepped, c3)).toBe('pn 1100')
  })

  it('evicts the oldest keys first at the per-session cap, and wipes them', () => {
    const { a, b, components: c } = makePair(backend)
    const records = Array.from({ length: 700 }, (_, i) => send(a, `${i}`, c))
    expect(receive(b, records[300], c)).toBe('300')
    const held = [...b.skipped.values()].map((k) => k.messageKey)
    expect(held).toHaveLength(300)
    expect(receive(b, records[600], c)).toBe('600') // 299 more: 599 > 512, so 87 go
    expect(b.skippedCount).toBe(512)
    expect(held.slice(0, 87).every(isZero)).toBe(true)
    expect(held.slice(87).some(isZero)).toBe(false)
    expect(receive(b, records[86], c)).toBe('duplicate')
    expect(receive(b, records[87], c)).toBe('87')
    expect(b.budget.used).toBe(511)
  })

  it('shares one budget across sessions: a session over it evicts its own oldest keys', () => {
    const budget = createSkippedKeyBudget(600)
    const one = makePair(backend, undefined, { b: { budget } })
    const two = makePair(backend, undefined, { b: { budget } })
    const r1 = Array.from({ length: 501 }, (_, i) => send(one.a, `${i}`, one.components))
    expect(receive(one.b, r1[500], one.components)).toBe('500')
    const r2 = Array.from({ length: 301 }, (_, i) => send(two.a, `${i}`, two.components))
    expect(receive(two.b, r2[300], two.components)).toBe('300')
    expect([one.b.skippedCount, two.b.skippedCount, budget.used]).toEqual([500, 100, 600])
    expect(receive(two.b, r2[199], two.components)).toBe('duplicate')
    expect(receive(two.b, r2[200], two.components)).toBe('200')
    const kept = [...one.b.skipped.values()].map((k) => k.messageKey)
    wipeRatchet(one.b)
    expect(kept.every(isZero)).toBe(true)
    expect(budget.used).toBe(99)
  })

  it('holds at most 8 prev chains: the oldest is dropped with its keys, seed and topic', () => {
    const { a, b, components: c } = makePair(backend)
    expect(receive(a, send(b, 'accept', c), c)).toBe('accept')
    const late: SealedRecord[] = []
    const keysOf: Uint8Array[][] = []
    for (let turn = 0; turn < 11; turn++) {
      late.push(send(a, 'late', c))
      expect(receive(b, send(a, 'now', c), c)).toBe('now')
      keysOf.push([...b.skipped.values()].map((k) => k.messageKey))
      expect(receive(a, send(b, 'back', c), c)).toBe('back')
    }
    // Superseded: B's first receiving chain (CK_A1's) and A's chains of turns 0–9; 8 held.
    expect(b.prev).toHaveLength(8)
    expect(keysOf.slice(0, 2).flat().every(isZero)).toBe(true)
    expect(keysOf.slice(2).flat().some(isZero)).toBe(false)
    const topics = listeningTopics(b).map(hexOf)
    for (const [turn, r] of late.entries()) {
      expect(topics.includes(hexOf(r.topic))).toBe(turn >= 2)
      expect(receive(b, r, c)).toBe(turn >= 2 ? 'late' : 'header')
    }
  })

  it('expires keys by age and drops empty prev chains after their linger time', () => {
    const { a, b, components: c } = makePair(backend)
    expect(receive(a, send(b, 'accept', c), c)).toBe('accept')
    const lost = send(a, 'lost', c)
    expect(receive(b, send(a, 'got', c), c, 1000)).toBe('got')
    const key = b.skipped.get(0)?.messageKey as Uint8Array
    expect(receive(a, send(b, 'turn', c), c)).toBe('turn')
    expect(receive(b, send(a, 'step', c), c, 2000)).toBe('step')
    const limits = { skippedKeyMaxAgeMs: 5000, chainLingerMs: 10_000 }
    expireRatchet(b, 6000, limits)
    expect(isZero(key)).toBe(false)
    expect(receive(b, lost, c)).toBe('lost')
    const again = send(a, 'again', c)
    expect(receive(b, send(a, 'after', c), c, 3000)).toBe('after')
    const prevCount = b.prev.length
    expireRatchet(b, 8001, limits)
    expect(b.skippedCount).toBe(0)
    expect(receive(b, again, c)).toBe('duplicate')
    expect(b.prev).toHaveLength(prevCount)
    const topicsBefore = listeningTopics(b).length
    expireRatchet(b, 12_001, limits)
    expect(b.prev).toHaveLength(0)
    expect(listeningTopics(b).length).toBe(topicsBefore - prevCount)
  })

  it('wipes every secret at close and releases the budget', () => {
    const { a, b, components: c } = makePair(backend)
    expect(receive(a, send(b, 'accept', c), c)).toBe('accept')
    send(a, 'lost', c)
    expect(receive(b, send(a, 'got', c), c)).toBe('got')
    expect(receive(a, send(b, 'turn', c), c)).toBe('turn')
    expect(receive(b, send(a, 'step', c), c)).toBe('step')
    const secrets = [
      b.dhs.privateKey, b.rk, b.cks, b.ckr as Uint8Array,
      ...[b.sds, b.nsds, b.sdr, b.nsdr, ...b.prev.map((p) => p.seed)].flatMap((s) => (s ? [s.seed, s.headerKey] : [])),
      ...b.prev.flatMap((p) => [...p.skipped.values()].map((k) => k.messageKey)),
    ]
    expect(secrets.some(isZero)).toBe(false)
    wipeRatchet(b)
    expect(secrets.every(isZero)).toBe(true)
    expect(b.budget.used).toBe(0)
  })
})
