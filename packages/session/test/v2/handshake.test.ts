import { createHash } from 'node:crypto'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { wipe } from '../../src/assert.ts'
import { buildMessage1, isMessage1For, openMessage1 } from '../../src/v2/handshake.ts'
import { encodeInitFrame } from '../../src/v2/init-frame.ts'
import {
  type PendingInvitation,
  createInvitation,
  encodeInvitation,
  formatInvitation,
  invitationBody,
  parseInvitation,
} from '../../src/v2/invitation.ts'
import type { SplitKeys } from '../../src/v2/key-schedule.ts'
import type { RandomSource } from '../../src/v2/random.ts'
import { type X25519Backend, availableX25519Backends, generateX25519 } from '../../src/v2/x25519.ts'
import { dh, gcmOpen, joinerInput, publicOf, referenceMessage1, rendezvous, sha, tryOpenStatic } from './reference-msg1.ts'
import { testRandom } from './test-rng.ts'

const NOW_MS = 1_800_000_000_000
const hex = (b: Uint8Array): string => bytesToHex(b)
const backends = availableX25519Backends()
const node = backends.find((b) => b.name === 'node') ?? backends[0]

const splitHex = (keys: SplitKeys): string => [keys.rootKey, keys.chainA1, keys.seedA1, keys.seedA2, keys.seedB1].map(hex).join('')
const snapshot = (p: PendingInvitation): string => [p.oneTimePrivateKey, p.staticPrivateKey, encodeInvitation(p.invitation)].map(hex).join('|')

/** B invites, A parses the URI and joins, on the given backends and source. */
function join(random?: RandomSource, backendB?: X25519Backend, backendA?: X25519Backend) {
  const pending = createInvitation({ nowMs: NOW_MS, ...(random && { random }), ...(backendB && { x25519: backendB }) })
  const invitation = parseInvitation(formatInvitation(pending.invitation), NOW_MS)
  const staticA = generateX25519(random, backendA)
  const built = buildMessage1({ invitation, staticKey: staticA, createdAtMs: NOW_MS + 5, ...(random && { random }), ...(backendA && { x25519: backendA }) })
  return { pending, invitation, staticA, built }
}

/** A backend that records every private key it derives a public key from, and every DH output. */
function spying(inner: X25519Backend) {
  const privateKeys: Uint8Array[] = []
  const outputs: Uint8Array[] = []
  const backend: X25519Backend = {
    name: `spy(${inner.name})`,
    publicKey(privateKey) {
      privateKeys.push(privateKey)
      return inner.publicKey(privateKey)
    },
    dh(privateKey, publicKey) {
      const out = inner.dh(privateKey, publicKey)
      if (out !== undefined) outputs.push(out)
      return out
    },
  }
  return { backend, privateKeys, outputs }
}
const isZero = (b: Uint8Array): boolean => b.every((x) => x === 0)

/** Low-order points (and non-canonical encodings of them) of Curve25519, RFC 7748 §6.1. */
const LOW_ORDER = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000080',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b880',
].map(hexToBytes)

describe.each(backends.map((b) => [b.name, b] as const))('msg1 between two parties (%s)', (_name, backend) => {
  it('A builds 340 bytes, B opens them, and both hold the same Split keys', () => {
    const { pending, staticA, built } = join(undefined, backend, backend)
    expect(built.msg1).toHaveLength(340)
    const before = snapshot(pending)
    const opened = openMessage1(pending, built.msg1, { x25519: backend })
    if (typeof opened === 'string') throw new Error(`refused: ${opened}`)
    expect(hex(opened.peerStaticKey)).toBe(hex(staticA.publicKey))
    expect(hex(opened.peerEphemeralKey)).toBe(hex(built.ephemeralKey.publicKey))
    expect(opened.createdAtMs).toBe(NOW_MS + 5)
    expect(splitHex(opened.keys)).toBe(splitHex(built.keys))
    expect(hex(opened.keys.ad)).toBe(hex(built.keys.ad))
    expect(hex(opened.initHash)).toBe(sha(built.msg1).toString('hex'))
    expect(built.staticKey).toBe(staticA)
    // I's private key is the caller's to wipe, after its durable consumption (§5.4).
    expect(snapshot(pending)).toBe(before)
    expect(isZero(pending.oneTimePrivateKey)).toBe(false)
  })

  it('works across backends, and msg1 is fresh each time (e_A and the nonce are random)', () => {
    const other = backends.find((b) => b !== backend) ?? backend
    const { pending, built } = join(undefined, other, backend)
    const opened = openMessage1(pending, built.msg1, { x25519: other })
    expect(typeof opened).toBe('object')
    const again = buildMessage1({ invitation: pending.invitation, staticKey: generateX25519(), createdAtMs: NOW_MS, x25519: backend })
    expect(hex(again.msg1.subarray(0, 68))).not.toBe(hex(built.msg1.subarray(0, 68)))
  })

  it('refuses every tampered byte with the reason of its region, leaving B unchanged', () => {
    const { pending, built } = join(undefined, backend, backend)
    const before = snapshot(pending)
    const reasonAt = (offset: number): string => (offset < 68 ? 'outer' : offset < 116 ? 'static' : 'payload')
    const seen = new Set<string>()
    for (let offset = 0; offset < 340; offset++) {
      const bad = built.msg1.slice()
      bad[offset] ^= 1 << offset % 8
      const result = openMessage1(pending, bad, { x25519: backend })
      expect([offset, result]).toEqual([offset, reasonAt(offset)])
      seen.add(result as string)
    }
    expect([...seen]).toEqual(['outer', 'static', 'payload'])
    for (const length of [0, 68, 339, 341, 1108]) {
      const sized = new Uint8Array(length)
      sized.set(built.msg1.subarray(0, Math.min(length, 340)))
      expect(openMessage1(pending, sized, { x25519: backend })).toBe('size')
    }
    expect(snapshot(pending)).toBe(before)
    // Untouched, B still opens the real one.
    expect(typeof openMessage1(pending, built.msg1, { x25519: backend })).toBe('object')
  })

  it('never throws on hostile bytes, and garbage on T costs no DH (§5.3 step 2)', () => {
    const { pending } = join(undefined, backend, backend)
    const spy = spying(backend)
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 400 }), fc.uint8Array({ minLength: 340, maxLength: 340 })), (bytes) => {
        const result = openMessage1(pending, bytes, { x25519: spy.backend })
        return result === (bytes.length === 340 ? 'outer' : 'size')
      }),
      { numRuns: 300 }
    )
    expect(spy.outputs).toHaveLength(0)
  })

  it('wipes every DH output on every path, and e_A when it refuses the invitation', () => {
    const spyA = spying(backend)
    const spyB = spying(backend)
    const { pending, built } = join(undefined, spyB.backend, spyA.backend)
    expect(spyA.outputs).toHaveLength(3)
    const bad = built.msg1.slice()
    bad[339] ^= 1
    expect(openMessage1(pending, bad, { x25519: spyB.backend })).toBe('payload')
    expect(typeof openMessage1(pending, built.msg1, { x25519: spyB.backend })).toBe('object')
    expect(spyB.outputs).toHaveLength(6)
    for (const out of [...spyA.outputs, ...spyB.outputs]) expect(isZero(out)).toBe(true)

    const spy = spying(backend)
    const lowOrder = { ...pending.invitation, oneTimeKey: LOW_ORDER[2] }
    expect(() => buildMessage1({ invitation: lowOrder, staticKey: generateX25519(), createdAtMs: NOW_MS, x25519: spy.backend })).toThrow(
      expect.objectContaining({ name: 'InvalidInvitationError' })
    )
    expect(spy.privateKeys).toHaveLength(1)
    expect(isZero(spy.privateKeys[0])).toBe(true)
    for (const out of spy.outputs) expect(isZero(out)).toBe(true)
  })
})

describe('msg1 refusals that need a crafted sender', () => {
  const { pending, invitation, staticA, built } = join(testRandom(), node, node)
  const e = generateX25519(undefined, node)
  const honest = joinerInput(invitation, e, staticA, new Uint8Array(12).fill(9), encodeInitFrame(NOW_MS))
  const open = (msg1: Uint8Array) => openMessage1(pending, msg1, { x25519: node })

  it('the reference writer itself is accepted (positive control)', () => {
    const opened = open(referenceMessage1(honest).msg1)
    if (typeof opened === 'string') throw new Error(`refused: ${opened}`)
    expect(opened.createdAtMs).toBe(NOW_MS)
  })

  it("a low-order e_A → 'low-order', for every low-order encoding, before any other check", () => {
    for (const point of LOW_ORDER) {
      const outerPlain = Buffer.concat([point, Buffer.alloc(8)])
      expect(open(referenceMessage1({ ...honest, outerPlain }).msg1)).toBe('low-order')
    }
  })

  it("a low-order S_A → 'low-order' (ss is zero), and S_A = S_B → 'own-static'", () => {
    for (const point of LOW_ORDER) expect(open(referenceMessage1({ ...honest, sAPub: point, ss: undefined }).msg1)).toBe('low-order')
    expect(open(referenceMessage1({ ...honest, sAPub: invitation.staticKey, ss: undefined }).msg1)).toBe('own-static')
  })

  it("a non-canonical encoding of S_A (top bit set, or p + small) → 'static', though X25519 accepts it", () => {
    const topBit = Buffer.from(staticA.publicKey)
    topBit[31] |= 0x80
    // X25519 masks the top bit, so ss (made with the canonical key) opens c_p: only the encoding
    // check refuses it.
    expect(open(referenceMessage1({ ...honest, sAPub: topBit }).msg1)).toBe('static')
    // p + 9 encodes the base point u = 9 non-canonically (p = 2^255 − 19).
    const pPlus9 = Buffer.alloc(32, 0xff)
    pPlus9[0] = 0xed + 9
    pPlus9[31] = 0x7f
    expect(open(referenceMessage1({ ...honest, sAPub: pPlus9, ss: undefined }).msg1)).toBe('static')
  })

  it("non-zero reserved bytes, or another invitation's key → 'outer'", () => {
    const outerPlain = Buffer.concat([e.publicKey, Buffer.alloc(8)])
    outerPlain[39] = 1
    expect(open(referenceMessage1({ ...honest, outerPlain }).msg1)).toBe('outer')
    const other = createInvitation({ nowMs: NOW_MS })
    expect(openMessage1(other, built.msg1)).toBe('outer')
    // Same topic and body but other private keys (a second pending on T): the outer opens, c_s does not.
    expect(openMessage1({ ...other, invitation: pending.invitation }, built.msg1)).toBe('static')
  })

  it("someone with the invitation but not S_A's private key cannot claim S_A → 'payload' (ss authenticates A)", () => {
    const guessedSs = dh(generateX25519().privateKey, invitation.staticKey)
    expect(open(referenceMessage1({ ...honest, ss: guessedSs }).msg1)).toBe('payload')
    expect(open(referenceMessage1({ ...honest, ss: undefined }).msg1)).toBe('payload')
  })

  it("an init frame that is not strict, or made after the expiry → 'init-frame'", () => {
    const frame = (edit: (f: Uint8Array) => void): Uint8Array => {
      const f = encodeInitFrame(NOW_MS)
      edit(f)
      return f
    }
    const frames = [
      frame((f) => (f[0] = 1)),
      frame((f) => (f[1] = 2)),
      frame((f) => (f[3] = 9)),
      frame((f) => (f[207] = 1)),
      frame((f) => new DataView(f.buffer).setBigUint64(4, 2n ** 63n)),
      encodeInitFrame(invitation.expirySeconds * 1000 + 1),
      new Uint8Array(208),
    ]
    for (const f of frames) expect(open(referenceMessage1({ ...honest, frame: f }).msg1)).toBe('init-frame')
    expect(typeof open(referenceMessage1({ ...honest, frame: encodeInitFrame(invitation.expirySeconds * 1000) }).msg1)).toBe('object')
  })

  it("after consumption wipes I, the real msg1 no longer opens → 'static' (§5.4)", () => {
    const consumed = { ...pending, oneTimePrivateKey: pending.oneTimePrivateKey.slice() }
    wipe(consumed.oneTimePrivateKey)
    expect(openMessage1(consumed, built.msg1, { x25519: node })).toBe('static')
  })

  it('without any private key, tells a msg1 made from the invitation (by anyone) from anything else on T', () => {
    expect(isMessage1For(invitation, built.msg1)).toBe(true)
    // Another joiner's msg1 from the same invitation: it is one too, though only the first consumes.
    expect(isMessage1For(invitation, buildMessage1({ invitation, staticKey: generateX25519(), createdAtMs: NOW_MS }).msg1)).toBe(true)
    expect(isMessage1For(createInvitation({ nowMs: NOW_MS }).invitation, built.msg1)).toBe(false)
    const outerPlain = Buffer.concat([e.publicKey, Buffer.alloc(8)])
    outerPlain[39] = 1
    expect(isMessage1For(invitation, referenceMessage1({ ...honest, outerPlain }).msg1)).toBe(false)
    for (const at of [0, 40, 67]) {
      const bad = built.msg1.slice()
      bad[at] ^= 1
      expect(isMessage1For(invitation, bad)).toBe(false)
    }
    // Only the outer layer is checked: the rest may be anything.
    const tail = built.msg1.slice()
    tail.fill(0, 68)
    expect(isMessage1For(invitation, tail)).toBe(true)
    expect(isMessage1For(invitation, built.msg1.subarray(0, 339))).toBe(false)
    expect(isMessage1For(invitation, new Uint8Array(340))).toBe(false)
    expect(() => isMessage1For(invitation, 'x' as never)).toThrow(new TypeError('data must be a Uint8Array'))
  })

  it('names bad arguments', () => {
    expect(() => openMessage1(pending, 'x' as never)).toThrow(new TypeError('msg1 must be a Uint8Array'))
    expect(() => openMessage1({ ...pending, staticPrivateKey: new Uint8Array(31) }, built.msg1)).toThrow(RangeError)
    const buildWith = (over: object) => () => buildMessage1({ invitation, staticKey: staticA, createdAtMs: NOW_MS, ...over })
    expect(buildWith({ createdAtMs: -1 })).toThrow(RangeError)
    expect(buildWith({ staticKey: { privateKey: new Uint8Array(32), publicKey: new Uint8Array(33) } })).toThrow(RangeError)
    const refuses = (fn: () => unknown) => expect(fn).toThrow(expect.objectContaining({ name: 'InvalidInvitationError' }))
    refuses(buildWith({ createdAtMs: invitation.expirySeconds * 1000 + 1 }))
    refuses(buildWith({ staticKey: { privateKey: pending.staticPrivateKey, publicKey: invitation.staticKey } }))
    for (const point of LOW_ORDER) {
      refuses(buildWith({ invitation: { ...invitation, staticKey: point } }))
      refuses(buildWith({ invitation: { ...invitation, oneTimeKey: point } }))
    }
  })
})

describe('known answers (docs/SESSION.md §17.4), cross-checked on node:crypto', () => {
  it('pins msg1 and Split for the deterministic source, on both backends', () => {
    for (const backend of backends) {
      const { pending, invitation, staticA, built } = join(testRandom(), backend, backend)
      expect(hex(encodeInvitation(invitation))).toBe(KAT.invitation)
      expect(hex(staticA.privateKey)).toBe(KAT.staticAPrivate)
      expect(hex(built.ephemeralKey.privateKey)).toBe(KAT.ephemeralPrivate)
      expect(hex(built.msg1)).toBe(KAT.msg1)
      expect(splitHex(built.keys)).toBe(KAT.split)
      expect(hex(built.keys.ad)).toBe(KAT.ad)
      const opened = openMessage1(pending, built.msg1, { x25519: backend })
      if (typeof opened === 'string') throw new Error(`refused: ${opened}`)
      expect(splitHex(opened.keys)).toBe(KAT.split)
      expect(hex(opened.initHash)).toBe(KAT.initHash)
    }
  })

  it('the independent writer gives the same bytes from the same private keys', () => {
    const { invitation, staticA, built } = join(testRandom(), node, node)
    const e = built.ephemeralKey
    expect(hex(publicOf(e.privateKey))).toBe(hex(e.publicKey))
    const ref = referenceMessage1(joinerInput(invitation, e, staticA, built.msg1.subarray(56, 68), encodeInitFrame(NOW_MS + 5)))
    expect(ref.msg1.toString('hex')).toBe(KAT.msg1)
    expect(ref.split.toString('hex')).toBe(KAT.split)
    expect(ref.ad.toString('hex')).toBe(KAT.ad)
    // The draws: e_A is the 32 bytes after S_A's in the stream, and the nonce the 12 after those.
    const stream = testRandom()
    stream(4 + 32 + 32 + 32)
    expect(hex(stream(32))).toBe(KAT.ephemeralPrivate)
    expect(hex(stream(12))).toBe(KAT.msg1.slice(112, 136))
  })
})

describe('deniability (docs/SESSION.md §14.3)', () => {
  it('msg1 is exactly the §5.2 layout: every byte is the outer seal, c_s or c_p, with no room for a signature', () => {
    const { invitation, staticA, built } = join(undefined, node, node)
    const { msg1 } = built
    expect(msg1).toHaveLength(40 + 16 + 12 + 32 + 16 + 208 + 16)
    const outer = gcmOpen(rendezvous(invitationBody(invitation)), msg1.subarray(56, 68), Buffer.alloc(0), msg1.subarray(0, 56))
    expect(outer?.toString('hex')).toBe(hex(built.ephemeralKey.publicKey) + '00'.repeat(8))
    const e = built.ephemeralKey
    const s = tryOpenStatic(invitation, msg1, [dh(e.privateKey, invitation.staticKey), dh(e.privateKey, invitation.oneTimeKey)])
    expect(s?.toString('hex')).toBe(hex(staticA.publicKey))
    // c_p is the init frame and nothing else: the writer that puts nothing more reproduces msg1.
    const ref = referenceMessage1(joinerInput(invitation, e, staticA, msg1.subarray(56, 68), encodeInitFrame(NOW_MS + 5)))
    expect(ref.msg1.toString('hex')).toBe(hex(msg1))
  })

  it("B alone forges a msg1 from A's public key that B accepts, byte-identical to A's for the same e_A and nonce", () => {
    const { pending, invitation, staticA, built } = join(undefined, node, node)
    // B knows S_B, I and its own choice of e_A; ss = DH(S_B, S_A) needs only A's public key.
    const forge = (e: { privateKey: Uint8Array; publicKey: Uint8Array }, nonce: Uint8Array) =>
      referenceMessage1({
        invitation,
        ePub: e.publicKey,
        es: dh(pending.staticPrivateKey, e.publicKey),
        ei: dh(pending.oneTimePrivateKey, e.publicKey),
        sAPub: staticA.publicKey,
        ss: dh(pending.staticPrivateKey, staticA.publicKey),
        frame: encodeInitFrame(NOW_MS + 5),
        nonce,
      })
    const forged = forge(generateX25519(), new Uint8Array(12).fill(3))
    const opened = openMessage1(pending, forged.msg1)
    if (typeof opened === 'string') throw new Error(`refused: ${opened}`)
    expect(hex(opened.peerStaticKey)).toBe(hex(staticA.publicKey))
    expect(hex(opened.keys.rootKey)).toBe(forged.split.subarray(0, 32).toString('hex'))
    // With A's e_A and nonce, B's forgery is A's msg1 byte for byte, and gives the same keys: the
    // transcript cannot show which of the two wrote it.
    const same = forge(built.ephemeralKey, built.msg1.subarray(56, 68))
    expect(same.msg1.toString('hex')).toBe(hex(built.msg1))
    expect(same.split.toString('hex')).toBe(splitHex(built.keys))
  })
})

describe('identity hiding (docs/SESSION.md §14.4)', () => {
  it("a recorded msg1 and a later theft of B's keys, without I, do not yield S_A; with I they do", () => {
    const { pending, invitation, staticA, built } = join(undefined, node, node)
    const capturedI = pending.oneTimePrivateKey.slice()
    expect(typeof openMessage1(pending, built.msg1)).toBe('object')
    wipe(pending.oneTimePrivateKey) // the consumption (§5.4)
    expect(isZero(pending.oneTimePrivateKey)).toBe(true)

    // The theft: S_B's private key, the invitation (public), the recording. The outer layer opens.
    const ePub = gcmOpen(rendezvous(invitationBody(invitation)), built.msg1.subarray(56, 68), Buffer.alloc(0), built.msg1.subarray(0, 56))?.subarray(0, 32)
    expect(ePub?.toString('hex')).toBe(hex(built.ephemeralKey.publicKey))
    const sB = pending.staticPrivateKey
    const candidates = [
      dh(sB, ePub as Buffer),
      dh(sB, invitation.oneTimeKey),
      dh(sB, invitation.staticKey),
      dh(pending.oneTimePrivateKey, ePub as Buffer),
      // A guessed identity: the attacker can compute ss for any candidate S_A, here the right one.
      dh(sB, staticA.publicKey),
      Buffer.alloc(32),
    ]
    for (const a of candidates) {
      expect(tryOpenStatic(invitation, built.msg1, [a])).toBeUndefined()
      for (const b of candidates) expect(tryOpenStatic(invitation, built.msg1, [a, b])).toBeUndefined()
    }
    // Positive control: with I's private key captured before consumption, c_s opens to S_A.
    const opened = tryOpenStatic(invitation, built.msg1, [dh(sB, ePub as Buffer), dh(capturedI, ePub as Buffer)])
    expect(opened?.toString('hex')).toBe(hex(staticA.publicKey))
  })

  it('no 4-byte window of a static key (public or private) or its hash is on the wire, except S_B in the invitation', () => {
    const windows = (b: Uint8Array): string[] => Array.from({ length: b.length - 3 }, (_, i) => hex(b.subarray(i, i + 4)))
    const occurrences = (haystack: Uint8Array, needles: Set<string>): number[] =>
      windows(haystack).flatMap((w, i) => (needles.has(w) ? [i] : []))
    for (let run = 0; run < 20; run++) {
      const { pending, invitation, staticA, built } = join(run === 0 ? testRandom() : undefined, node, node)
      const derived = (key: Uint8Array): Uint8Array[] => [key, sha(key), createHash('sha512').update(key).digest()]
      const fromA = new Set([staticA.publicKey, staticA.privateKey].flatMap(derived).flatMap(windows))
      const fromB = new Set([pending.staticPrivateKey].flatMap(derived).concat(derived(invitation.staticKey).slice(1)).flatMap(windows))
      const sBPub = new Set(windows(invitation.staticKey))
      expect(occurrences(built.msg1, fromA)).toEqual([])
      expect(occurrences(built.msg1, fromB)).toEqual([])
      expect(occurrences(built.msg1, sBPub)).toEqual([])
      const inviteBytes = encodeInvitation(invitation)
      expect(occurrences(inviteBytes, fromA)).toEqual([])
      expect(occurrences(inviteBytes, fromB)).toEqual([])
      // S_B is in the invitation by design, at offset 38 and nowhere else.
      expect(occurrences(inviteBytes, sBPub)).toEqual(Array.from({ length: 29 }, (_, i) => 38 + i))
    }
  })
})

/** Generated once by this code (testRandom: invitation at NOW_MS, then S_A, then msg1 at NOW_MS + 5). */
const KAT = {
  invitation:
    '02002319e41d60c6cf25b8754254daf93fa0452ece5131a3fec4dc24166f9ad041b986d8023d6cc9d71f298b8625a976366261dc82bd0e5c5bfc5473063b178372a0d78a61706b530c8018b7ab97',
  staticAPrivate: '0c3574f7e90b8d2e90dbf5b6d28347b38f74ce99faa22b8f1969ea8606401e6c',
  ephemeralPrivate: '3db988724d8a559b7a614695f0321359e8ddd1eb6c54c4fa93be112dda3d86cb',
  msg1:
    '8b73bca3f90cfc69014fadd5dd2c8b02fd73a85a50964ed5860988c69a17360456e4393e5fcad5e58310805423d923067540aec1416076e47351d095ad8655d83a50cf69a3bc046c0e8eba5a147bbb9eb7e19a637d882047732719e4a7f39ce56279072579fff174077ee276630de9a410468743a027c577701f67e65e0000cad87e2753d326a2e1bdaaaccff22d5e48aba899f1985231fdf462747696def534ff41c4ce73d107eea56e79016062c8d359ab8b786331300d1589ef5948e658b6cb4e8a23e9e7533821906805a6553024d4229fa6a649e4f20502d218be5c80761686b823791256012e08518760513e17515911814598a8bc06428f362c68f36bdbd0fd3f3920850fa2cd11b0251e91c4cf6823d9d3d35f6b687877ee12167fc26a17a9fee3bd0166545eb671449e4546304756e392233cf7cb9574e661daf9d5321d5229a3b499f25cfb535d3672337afe4f6bd3',
  split:
    '9a903050159225e137cae2de91ce2c3a62421cad8b1ecb486d686737a3d80a65e7f837e2967ad551e57d2eb34ba450138c82b8018dd0152a92694dcec531fa02d344d7d463a3100693f5f93db5b7321b9365e222a425df35afe08e586fa8edb615b02e983636175e2e640676ea5973eb5cc22a1b3b441a3497b3b12b46cc1b3a2f3e410cf71973f82c7af49bada2e149fdf557da306c2da8eba8e8b5d3c674bd',
  ad: '5d31dbe6b278dcf9fc3d94d0387551223c56ae6699639b78100867450deafef2',
  initHash: 'bc5d3d42d437a5a24d857729a859ba39443902f395c9f8968224a479891ddbc5',
}
