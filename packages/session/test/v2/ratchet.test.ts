import { createCipheriv, createHmac } from 'node:crypto'
import { bytesToHex } from '@noble/hashes/utils.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { encodeFrame } from '../../src/v2/frames.ts'
import { RECORD_SIZES_BYTES, type SealedRecord, listeningTopics, sealRecord, sendingTopic } from '../../src/v2/ratchet.ts'
import { openRecord } from '../../src/v2/ratchet-receive.ts'
import type { RatchetState } from '../../src/v2/ratchet-state.ts'
import { availableX25519Backends } from '../../src/v2/x25519.ts'
import { dataFrame, makePair, receive, seededRandom, send } from './ratchet-fixtures.ts'

const backends = availableX25519Backends().map((b) => [b.name, b] as const)
const hex = bytesToHex
const listensOn = (state: RatchetState, topic: Uint8Array): boolean => listeningTopics(state).some((t) => hex(t) === hex(topic))

/** Deterministic shuffle (a fixed LCG), so failures reproduce. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = items.slice()
  let s = seed
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1_103_515_245 + 12_345) & 0x7fff_ffff
    const j = s % (i + 1)
    ;[out[i], out[j]] = [out[j], out[i]]
  }
  return out
}

describe.each(backends)('ratchet conversations (%s backend)', (_name, backend) => {
  it('A sends early data, B accepts with an ack, then turns alternate (§6.2–6.5)', () => {
    const { a, b, components: c } = makePair(backend)
    // A can seal at once: early data on TOPIC(SD_A1), which B listens on.
    const early = [send(a, 'hello', c), send(a, 'early 2', c)]
    expect(listensOn(b, early[0].topic)).toBe(true)
    expect(early.map((r) => receive(b, r, c))).toEqual(['hello', 'early 2'])
    // B's first record rides its accept step (KDF_RK_FIRST); A's mirror opens it.
    const ack = sealRecord(b, encodeFrame({ type: 'ack', ack: { base: 2, bitmap: new Uint8Array(32) } }), c)
    expect(listeningTopics(a).map(hex)).toEqual([hex(ack.topic)])
    expect(a.firstStepDone).toBe(false)
    expect(receive(a, ack, c)).toBe('ack')
    expect(a.firstStepDone).toBe(true)
    expect(a.staticPrivateKey).toBeUndefined()
    for (let turn = 0; turn < 20; turn++) {
      const [from, to] = turn % 2 === 0 ? [a, b] : [b, a]
      const texts = Array.from({ length: 1 + (turn % 3) }, (_, i) => `turn ${turn} #${i}`)
      const records = texts.map((t) => send(from, t, c))
      expect(records.map((r) => receive(to, r, c))).toEqual(texts)
    }
  })

  it('opens records out of order, loses some, and refuses replays as duplicates', () => {
    const { a, b, components: c } = makePair(backend)
    const records = Array.from({ length: 40 }, (_, i) => send(a, `m${i}`, c))
    const lost = new Set([3, 17, 18, 39])
    const order = shuffled(records.map((_, i) => i).filter((i) => !lost.has(i)), 7)
    for (const i of order) expect(receive(b, records[i], c)).toBe(`m${i}`)
    for (const i of order.slice(0, 5)) expect(receive(b, records[i], c)).toBe('duplicate')
    // The lost ones still open later (their keys were skipped), once each.
    expect(receive(b, records[17], c)).toBe('m17')
    expect(receive(b, records[17], c)).toBe('duplicate')
    expect(b.skipped.size).toBe(2) // 3 and 18; 39 was never reached
    expect(receive(b, records[39], c)).toBe('m39')
  })

  it('opens a superseded chain’s late records after turns have moved on (prev chains)', () => {
    const { a, b, components: c } = makePair(backend)
    expect(receive(a, send(b, 'accept', c), c)).toBe('accept')
    const late: SealedRecord[] = []
    for (let turn = 0; turn < 6; turn++) {
      const r1 = send(a, `a${turn}-1`, c)
      late.push(send(a, `a${turn}-late`, c))
      expect(receive(b, r1, c)).toBe(`a${turn}-1`)
      expect(receive(a, send(b, `b${turn}`, c), c)).toBe(`b${turn}`)
    }
    expect(b.prev.length).toBeGreaterThanOrEqual(5)
    // Each late record arrives on the topic of its own, now superseded, chain.
    for (const [turn, r] of late.entries()) {
      expect(listensOn(b, r.topic)).toBe(true)
      expect(receive(b, r, c)).toBe(`a${turn}-late`)
      expect(receive(b, r, c)).toBe('duplicate')
    }
  })

  it('runs one-sided for 3000 records, in order and with a gap at every 100th', () => {
    const { a, b, components: c } = makePair(backend)
    for (let i = 0; i < 3000; i++) {
      const r = send(a, `x${i}`, c)
      if (i % 100 !== 50) expect(receive(b, r, c)).toBe(`x${i}`)
    }
    expect(b.nr).toBe(3000)
    expect(b.skipped.size).toBe(30)
    expect(a.ns).toBe(3000)
    // And the turn changes after a long run.
    const reply = send(b, 'done', c)
    expect(receive(a, reply, c)).toBe('done')
    expect(receive(b, send(a, 'ok', c), c)).toBe('ok')
    expect(b.prev[b.prev.length - 1].end).toBe(3000)
  })

  it('changes topic at every ratchet step, and each record is found by its arrival topic', () => {
    const { a, b, components: c } = makePair(backend)
    const seen: string[] = []
    let sender = b
    let receiver = a
    for (let turn = 0; turn < 30; turn++) {
      const topic = sendingTopic(sender)
      seen.push(hex(topic))
      for (let i = 0; i < 3; i++) {
        const r = send(sender, `t${turn}.${i}`, c)
        expect(hex(r.topic)).toBe(hex(topic))
        expect(listensOn(receiver, r.topic)).toBe(true)
        // Any other topic does not find the chain.
        expect(openRecord(receiver, r.record, Uint8Array.of(0, 0, 0, 0).map((_, k) => r.topic[k] ^ 0xff), 0, c)).toEqual({ ok: false, reason: 'header' })
        expect(receive(receiver, r, c)).toBe(`t${turn}.${i}`)
      }
      ;[sender, receiver] = [receiver, sender]
    }
    expect(new Set(seen).size).toBe(30)
    // §10.2: L holds at most the current chain, the next one and the prev chains (≤ 8).
    expect(listeningTopics(a).length).toBeLessThanOrEqual(10)
  })

  it('makes every record exactly 340, 1108 or 4180 bytes, and refuses any other size', () => {
    const { a, b, components: c } = makePair(backend)
    expect(RECORD_SIZES_BYTES).toEqual([340, 1108, 4180])
    const sizes = [0, 243, 244, 1011, 1012, 4051].map((n) => send(a, 'p', c, n))
    expect(sizes.map((r) => r.record.length)).toEqual([340, 340, 1108, 1108, 4180, 4180])
    for (const r of sizes) expect(receive(b, r, c)).toBe('p')
    const r = send(a, 'cut', c)
    for (const bad of [r.record.subarray(0, 339), new Uint8Array(341), new Uint8Array(0)]) {
      expect(openRecord(b, bad, r.topic, 0, c)).toEqual({ ok: false, reason: 'size' })
    }
    expect(() => sealRecord(a, new Uint8Array(255), c)).toThrow(new RangeError('frame must be 256, 1024 or 4096 bytes, got 255'))
    expect(() => openRecord(b, r.record, new Uint8Array(3), 0, c)).toThrow(new RangeError('topic must be 4 bytes, got 3'))
  })

  it('never puts a window of a long-term key on the wire (records and topics)', () => {
    const { a, b, components: c, staticA, staticB, invitationKey } = makePair(backend)
    const longTerm = [staticA.publicKey, staticB.publicKey, staticA.privateKey, staticB.privateKey, invitationKey.publicKey].map(hex)
    const windows8 = new Set(longTerm.flatMap((k) => Array.from({ length: 25 }, (_, i) => k.slice(2 * i, 2 * i + 16))))
    const windows4 = new Set(longTerm.flatMap((k) => Array.from({ length: 29 }, (_, i) => k.slice(2 * i, 2 * i + 8))))
    const wire: SealedRecord[] = []
    for (let turn = 0; turn < 10; turn++) {
      const [from, to] = turn % 2 === 0 ? [b, a] : [a, b]
      for (let i = 0; i < 2; i++) {
        const r = send(from, 'x', c)
        wire.push(r)
        receive(to, r, c)
      }
    }
    for (const { record, topic } of wire) {
      expect(windows4.has(hex(topic))).toBe(false)
      const h = hex(record)
      for (let i = 0; i + 16 <= h.length; i += 2) expect(windows8.has(h.slice(i, i + 16))).toBe(false)
    }
  })
})

describe('ratchet under random schedules (fast-check)', () => {
  const backend = backends[backends.length - 1][1]
  type Op = { op: 'send' | 'deliver' | 'drop' | 'replay'; who: 0 | 1; pick: number }
  const opArb: fc.Arbitrary<Op> = fc.record({
    op: fc.constantFrom('send', 'send', 'deliver', 'deliver', 'drop', 'replay'),
    who: fc.constantFrom(0 as const, 1 as const),
    pick: fc.nat(),
  })

  it('interleavings, losses, reordering and replays: each record opens once, and both sides agree on topics', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 80 }), (ops) => {
        const { a, b, components: c } = makePair(backend)
        const parties = [a, b]
        const inFlight: Array<Array<{ sealed: SealedRecord; text: string }>> = [[], []] // by sender
        const delivered: Array<Array<{ sealed: SealedRecord; text: string }>> = [[], []]
        let count = 0
        for (const { op, who, pick } of ops) {
          const [from, to] = [parties[who], parties[1 - who]]
          const queue = inFlight[who]
          if (op === 'send') {
            const text = `m${count++}`
            queue.push({ sealed: send(from, text, c), text })
          } else if (op === 'replay' && delivered[who].length > 0) {
            const { sealed } = delivered[who][pick % delivered[who].length]
            expect(['duplicate', 'header']).toContain(receive(to, sealed, c))
          } else if (queue.length > 0) {
            const [item] = queue.splice(pick % queue.length, 1)
            if (op === 'drop') continue
            const got = receive(to, item.sealed, c)
            if (got === 'header') expect(to.prev.length).toBe(8) // only a chain dropped at the prev cap
            else expect(got).toBe(item.text)
            delivered[who].push(item)
          }
          // §10.2: each side listens on the topic the other side sends on, with no configuration.
          expect(listensOn(b, sendingTopic(a))).toBe(true)
          expect(listensOn(a, sendingTopic(b))).toBe(true)
        }
      }),
      { numRuns: 60 }
    )
  })
})

describe('ratchet known answers (deterministic random source)', () => {
  /** The first two records of a fixed conversation: A's early data "hello", then B's accept ack. */
  const conversation = (backend: (typeof backends)[number][1]): string[] => {
    const random = seededRandom()
    const { a, b, components: c } = makePair(backend, random)
    const r1 = sealRecord(a, dataFrame(1, 'hello'), c)
    const r2 = sealRecord(b, encodeFrame({ type: 'ack', ack: { base: 1, bitmap: new Uint8Array(32) } }), c)
    expect(receive(b, r1, c)).toBe('hello')
    expect(receive(a, r2, c)).toBe('ack')
    return [r1, r2].flatMap((r) => [hex(r.topic), hex(r.record)])
  }

  it('pins the hex of the first two records, the same on every backend', () => {
    const results = backends.map(([, backend]) => conversation(backend))
    for (const r of results) expect(r).toEqual(results[0])
    const [topic1, record1, topic2, record2] = results[0]
    expect(topic1).toBe('fd183d5c')
    expect(topic2).toBe('cf6d2a2e')
    expect(record1).toBe([
      '39cfd19e21f276abd2756978641894d17819cdd0c3081075f8522c87e460364372e1e498a1235bed2ca2cba933f81868be53db3385a50bbd7840b1ead6d167fc7c2b9bfc',
      '960320d1c460c9ed7b4636a0b898247152c768565f26627116dab952e8ef2bb266530e0e2ffd7ca880a643e9e61bbdbbbc2bfacd5fb2199d48da1552f76070a02385d183',
      '6371627551cb94d78d9a081fa90eee12a53671eb216502e64bb37de57cbf2d65d90044a91c64fde1a1df847a0bee8ef813d5d90324fef33b52ed8576a95e7f21db0ef218',
      'eb3f2c6ce5140ba001ba07277a8d6ebdf28a3759bb9d8ddababa1f512d47ebe42024bb3aaf90cb0d1570f31bf753b48742609b45fe8f24601f228a4bfcf6b602cadf2fb9',
      'da0f0ed930d55e0cd4dcc9ba14024d6ca1c537ff666faea9fab88bc3d98d3e174a19672e0308506b733197283ca42c8c0ce24924845ee3df6a6a9e10da260901b7ba4e46',
    ].join(''))
    expect(record2).toBe([
      '2e106f0dc1f055a83889d3488b9bcef5a886f118066ae5adabd6cae4a2116a694947b1cfca4b1854b1f29a63f3b1aa445a42d5fd556f6ad9a8865c47964d8fcb7a5a151e',
      '9bf8b6e51e0f27367e46658f80d64623e563ee427a09773a8b7757d6570d9bef28b2ed9e5769880b9e5b0f87a9c81f2d4acba099d652fa61498954316fb67a0f8487cd76',
      '69979e4da8928f0e1efe4f73a0e68e4b3abc17fb87449c7b1528bf4d68ae3f38f89fd829cd75f7cf6598422c3b4a82d1babb88286c7e407a03cf676d9363b34afda24c36',
      '688b34f65772dae7bf04ef61a94d7fb7a07ddabbaf8802739cc8edfee3b8c8c1ff37cf1b3ac075efc9e0f771c8e7883897372f016349fd7ec651ded56fa29f97fdca3982',
      '65ec6b9a8fd2c5940b46be41e7ed6d9f54abc7f0168a4610a5b8b986322f26315bec049062a70afb3d43d018f9287d4b20a4334b08d0d7a44284cef6c5649d314fa97f4c',
    ].join(''))
  })

  it('lays the first record out as §6.4 says, checked with node:crypto', () => {
    const random = seededRandom()
    const { a, components: c } = makePair(backends[0][1], random)
    const [ck, seed, ad, pub] = [a.cks, a.sds.seed, a.ad, a.dhs.publicKey].map((x) => Buffer.from(x))
    const frame = dataFrame(1, 'hello')
    const { record, topic } = sealRecord(a, frame, c)
    const hmac = (key: Uint8Array, data: Uint8Array) => createHmac('sha256', key).update(data).digest()
    const expand = (label: string) => hmac(seed, Buffer.concat([Buffer.from(label), Buffer.of(1)]))
    expect(hex(topic)).toBe(hex(expand('hush/session/v2/topic').subarray(0, 4)))
    const gcm = (key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, pt: Uint8Array) => {
      const cipher = createCipheriv('aes-256-gcm', key, nonce).setAAD(aad)
      return Buffer.concat([cipher.update(pt), cipher.final(), cipher.getAuthTag()])
    }
    const header = Buffer.concat([pub, Buffer.alloc(8)]) // PN = 0, Ns = 0
    const nonce = record.subarray(56, 68)
    const hb = Buffer.concat([gcm(expand('hush/session/v2/header-key'), nonce, new Uint8Array(0), header), nonce])
    const mk = hmac(ck, Uint8Array.of(1))
    const body = gcm(mk, new Uint8Array(12), Buffer.concat([ad, hb]), frame)
    expect(hex(record)).toBe(hex(Buffer.concat([hb, body])))
  })
})
