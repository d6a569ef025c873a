import { createHash, createPrivateKey, createPublicKey } from 'node:crypto'
import { bytesToHex } from '@noble/hashes/utils.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fromBase64url, toBase64url } from '../../src/v2/base64url.ts'
import {
  type Invitation,
  createInvitation,
  decodeInvitation,
  encodeInvitation,
  formatInvitation,
  invitationBody,
  parseInvitation,
} from '../../src/v2/invitation.ts'
import { availableX25519Backends, generateX25519 } from '../../src/v2/x25519.ts'
import { testRandom } from './test-rng.ts'
import { thrownName } from './negative-tables.ts'

const NOW_MS = 1_800_000_000_000
/** DER prefix of an X25519 PKCS#8 private key (RFC 8410): the raw 32 bytes follow. */
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex')
const hex = bytesToHex

/** `bytes` with its checksum recomputed, so that a test reaches the rule after the checksum. */
function withChecksum(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice()
  out.set(createHash('sha256').update(out.subarray(0, 74)).digest().subarray(0, 4), 74)
  return out
}

describe('base64url', () => {
  it('round-trips any bytes like Buffer, and refuses what is not canonical', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const text = toBase64url(bytes)
        expect(text).toBe(Buffer.from(bytes).toString('base64url'))
        expect(fromBase64url(text)).toEqual(bytes)
      })
    )
    expect(fromBase64url('A')).toBeUndefined()
    expect(fromBase64url('AB')).toBeUndefined() // trailing bits set
    expect(fromBase64url('AA=')).toBeUndefined()
    expect(fromBase64url('A+')).toBeUndefined()
    expect(fromBase64url('Aé')).toBeUndefined()
  })
})

describe('createInvitation (docs/SESSION.md §4.1, §4.4)', () => {
  it('draws a topic, a one-time key and a static key, and sets the expiry', () => {
    const pending = createInvitation({ nowMs: NOW_MS + 999, lifetimeSeconds: 3600 })
    const { invitation } = pending
    expect(invitation.topic).toHaveLength(4)
    expect(invitation.expirySeconds).toBe(NOW_MS / 1000 + 3600)
    for (const backend of availableX25519Backends()) {
      expect(hex(backend.publicKey(pending.oneTimePrivateKey))).toBe(hex(invitation.oneTimeKey))
      expect(hex(backend.publicKey(pending.staticPrivateKey))).toBe(hex(invitation.staticKey))
    }
    expect(createInvitation({ nowMs: NOW_MS }).invitation.expirySeconds).toBe(NOW_MS / 1000 + 7 * 24 * 3600)
  })

  it('uses a given static key (the account identity) and skips topics in use', () => {
    const account = generateX25519()
    const refused: string[] = []
    const pending = createInvitation({
      nowMs: NOW_MS,
      staticKey: account,
      isTopicInUse: (topic) => {
        if (refused.length >= 3) return false
        refused.push(hex(topic))
        return true
      },
    })
    expect(pending.staticPrivateKey).toBe(account.privateKey)
    expect(hex(pending.invitation.staticKey)).toBe(hex(account.publicKey))
    expect(refused).toHaveLength(3)
    expect(refused).not.toContain(hex(pending.invitation.topic))
  })

  it('names bad arguments', () => {
    expect(() => createInvitation({ nowMs: NOW_MS, lifetimeSeconds: 60 })).toThrow(RangeError)
    expect(() => createInvitation({ nowMs: 2 ** 32 * 1000, lifetimeSeconds: 61 })).toThrow(/expiry beyond u32/)
    expect(() => createInvitation({ nowMs: -1 })).toThrow(/nowMs/)
    expect(() => createInvitation({ nowMs: NOW_MS, isTopicInUse: () => true })).toThrow(/1000 random topics/)
    expect(() => createInvitation({ nowMs: NOW_MS, random: (n) => new Uint8Array(n).fill(7) })).toThrow(/same value/)
  })
})

describe('invitation forms (docs/SESSION.md §4.1–4.2)', () => {
  const { invitation } = createInvitation({ nowMs: NOW_MS, random: testRandom() })

  it('lays out 78 bytes: body(74) ‖ SHA-256(body)[0..4), and round-trips every form', () => {
    const bytes = encodeInvitation(invitation)
    expect(bytes).toHaveLength(78)
    expect(hex(bytes.subarray(0, 2))).toBe('0200')
    expect(hex(bytes.subarray(2, 6))).toBe(hex(invitation.topic))
    expect(hex(bytes.subarray(6, 38))).toBe(hex(invitation.oneTimeKey))
    expect(hex(bytes.subarray(38, 70))).toBe(hex(invitation.staticKey))
    expect(Buffer.from(bytes).readUInt32BE(70)).toBe(invitation.expirySeconds)
    expect(hex(bytes.subarray(74))).toBe(createHash('sha256').update(bytes.subarray(0, 74)).digest('hex').slice(0, 8))
    expect(hex(invitationBody(invitation))).toBe(hex(bytes.subarray(0, 74)))
    const uri = formatInvitation(invitation)
    expect(uri).toHaveLength(118)
    expect(uri).toMatch(/^hush:invite\?d=[A-Za-z0-9_-]{104}$/)
    const compact = formatInvitation(invitation, 'compact')
    expect(uri).toBe(`hush:invite?d=${compact}`)
    for (const text of [uri, compact, `HUSH:invite?d=${compact}`, `HuSh:invite?d=${compact}`]) {
      expect(parseInvitation(text, NOW_MS)).toEqual(invitation)
    }
    expect(decodeInvitation(bytes, NOW_MS)).toEqual(invitation)
  })

  it('pins the known answer of the deterministic source (docs/SESSION.md §17.3), derived independently', () => {
    const vector =
      '02002319e41d60c6cf25b8754254daf93fa0452ece5131a3fec4dc24166f9ad041b986d8023d6cc9d71f298b8625a976366261dc82bd0e5c5bfc5473063b178372a0d78a61706b530c8018b7ab97'
    expect(hex(encodeInvitation(invitation))).toBe(vector)
    expect(formatInvitation(invitation)).toBe(
      'hush:invite?d=AgAjGeQdYMbPJbh1QlTa-T-gRS7OUTGj_sTcJBZvmtBBuYbYAj1sydcfKYuGJal2NmJh3IK9Dlxb_FRzBjsXg3Kg14phcGtTDIAYt6uX'
    )
    // The stream SHA-256("hush/session/v2/test-rng" ‖ u64(i)), split as topic(4), I(32), S_B(32).
    const stream = Buffer.concat(
      [0n, 1n, 2n].map((i) => {
        const counter = Buffer.alloc(8)
        counter.writeBigUInt64BE(i)
        return createHash('sha256').update('hush/session/v2/test-rng').update(counter).digest()
      })
    )
    const publicOf = (priv: Buffer): string =>
      createPublicKey(createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, priv]), format: 'der', type: 'pkcs8' }))
        .export({ format: 'der', type: 'spki' })
        .subarray(12)
        .toString('hex')
    const expected =
      '0200' +
      stream.subarray(0, 4).toString('hex') +
      publicOf(stream.subarray(4, 36)) +
      publicOf(stream.subarray(36, 68)) +
      (NOW_MS / 1000 + 7 * 24 * 3600).toString(16).padStart(8, '0')
    expect(vector.slice(0, 148)).toBe(expected)
  })

  it('accepts an expiry exactly 60 s ahead and refuses one less', () => {
    const at = invitation.expirySeconds * 1000 - 60_000
    expect(parseInvitation(formatInvitation(invitation), at)).toEqual(invitation)
    expect(thrownName(() => parseInvitation(formatInvitation(invitation), at + 1))).toBe('InvalidInvitationError')
  })

  it('refuses every malformed form with InvalidInvitationError', () => {
    const bytes = encodeInvitation(invitation)
    const compact = formatInvitation(invitation, 'compact')
    const modified = (offset: number, value: number): string => {
      const b = bytes.slice()
      b[offset] = value
      return toBase64url(withChecksum(b))
    }
    const sameKeys = bytes.slice()
    sameKeys.set(bytes.subarray(38, 70), 6)
    const expired = bytes.slice()
    expired.set([0, 0, 0, 1], 70)
    const badChecksum = bytes.slice()
    badChecksum[77] ^= 1
    const cases: Array<[string, string]> = [
      ['empty', ''],
      ['103 characters', compact.slice(0, 103)],
      ['105 characters', `${compact}A`],
      ['a character outside the alphabet', `${compact.slice(0, 103)}+`],
      ['standard base64 padding', `${compact.slice(0, 102)}==`],
      ['bad checksum', toBase64url(badChecksum)],
      ['a flipped body bit', toBase64url(bytes.map((b, i) => (i === 10 ? b ^ 4 : b)))],
      ['version 1', modified(0, 1)],
      ['version 3', modified(0, 3)],
      ['flags 1', modified(1, 1)],
      ['flags 0x80', modified(1, 0x80)],
      ['I = S_B', toBase64url(withChecksum(sameKeys))],
      ['expired', toBase64url(withChecksum(expired))],
      ['another scheme', `https:invite?d=${compact}`],
      ['no scheme', `invite?d=${compact}`],
      ['scheme with a non-ASCII letter that upper-cases to ASCII', `hu\u017fh:invite?d=${compact}`],
      ['another path', `hush:join?d=${compact}`],
      ['path in upper case', `hush:INVITE?d=${compact}`],
      ['authority form', `hush://invite?d=${compact}`],
      ['no query', 'hush:invite'],
      ['empty query', 'hush:invite?'],
      ['parameter in upper case', `hush:invite?D=${compact}`],
      ['an unknown parameter after d', `hush:invite?d=${compact}&x=1`],
      ['an unknown parameter before d', `hush:invite?v=2&d=${compact}`],
      ['an empty parameter', `hush:invite?d=${compact}&`],
      ['two d parameters', `hush:invite?d=${compact}&d=${compact}`],
      ['d without a value', 'hush:invite?d'],
      ['d empty', 'hush:invite?d='],
      ['a fragment', `hush:invite?d=${compact}#x`],
      ['percent-encoded', `hush:invite?d=${compact.slice(0, 101)}%41`],
      ['leading space', ` ${compact}`],
      ['trailing newline', `${formatInvitation(invitation)}\n`],
      ['the 78 bytes as hex', hex(bytes)],
    ]
    for (const [name, text] of cases) expect([name, thrownName(() => parseInvitation(text, NOW_MS))]).toEqual([name, 'InvalidInvitationError'])
    for (const length of [0, 74, 77, 79]) {
      expect(thrownName(() => decodeInvitation(new Uint8Array(length), NOW_MS))).toBe('InvalidInvitationError')
    }
  })

  it('turns random strings and bytes only ever into InvalidInvitationError (or a valid invitation)', () => {
    const alphabet = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_:?=&%#+/ é'.split(''))
    const texts = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.string({ unit: alphabet, minLength: 100, maxLength: 120 }),
      fc.string({ unit: alphabet, minLength: 104, maxLength: 104 }),
      fc.string({ unit: alphabet, minLength: 104, maxLength: 104 }).map((d) => `hush:invite?d=${d}`),
      fc.uint8Array({ minLength: 78, maxLength: 78 }).map((b) => `hush:invite?d=${toBase64url(b)}`),
      fc.uint8Array({ minLength: 74, maxLength: 74 }).map((b) => {
        const full = new Uint8Array(78)
        full.set(b)
        return toBase64url(withChecksum(full))
      })
    )
    fc.assert(
      fc.property(texts, (text) => {
        let result: Invitation | undefined
        try {
          result = parseInvitation(text, NOW_MS)
        } catch (err) {
          expect((err as Error).name).toBe('InvalidInvitationError')
          return
        }
        // A valid one re-encodes to the very same data.
        expect(formatInvitation(result, 'compact')).toBe(text.slice(-104))
      }),
      { numRuns: 2000 }
    )
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        expect(thrownName(() => decodeInvitation(bytes, NOW_MS))).toMatch(/^(InvalidInvitationError|none)$/)
      }),
      { numRuns: 2000 }
    )
  })

  it('names bad arguments with TypeError or RangeError', () => {
    expect(() => parseInvitation(42 as never, NOW_MS)).toThrow(new TypeError('text must be a string'))
    expect(() => parseInvitation('', Number.NaN)).toThrow(TypeError)
    expect(() => decodeInvitation('x' as never, NOW_MS)).toThrow(new TypeError('bytes must be a Uint8Array'))
    expect(() => encodeInvitation({ ...invitation, topic: new Uint8Array(5) })).toThrow(new RangeError('invitation.topic must be 4 bytes, got 5'))
    expect(() => encodeInvitation({ ...invitation, expirySeconds: 2 ** 32 })).toThrow(RangeError)
  })
})
