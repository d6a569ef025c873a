import { bytesToHex } from '@noble/hashes/utils.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  FLAGS_SIGNATURE_BIT,
  PADDING_BLOCK_BYTES,
  autoPaddingLength,
  getPublicKey,
  keccak256,
  unwrapPayload,
  wrapPayload,
} from '../src/index.ts'
import { sizeFieldLength } from '../src/payload.ts'
import { recoverSigner, signDigest } from '../src/signature.ts'
import { KEY_A, KEY_B, hex, thrownName } from './fixtures/crypto.ts'
import vectors from './vectors/payload.json' with { type: 'json' }

const byKind = (kind: string) => vectors.vectors.filter((v) => v.kind === kind) as any[]
const PUB_A = getPublicKey(KEY_A)

describe('payload vectors', () => {
  it.each(byKind('auto_padding_length'))('$name', (v) => {
    expect(autoPaddingLength(v.payload_length, v.signed)).toBe(v.expected_padding_length)
    const plaintext = wrapPayload({
      payload: new Uint8Array(v.payload_length),
      ...(v.signed && { signingKey: KEY_A }),
    })
    const parsed = unwrapPayload(plaintext)
    expect(parsed.padding.length).toBe(v.expected_padding_length)
    expect(plaintext.length % PADDING_BLOCK_BYTES).toBe(0)
    if (v.expected_unsigned_raw_length_after_padding !== undefined) {
      expect(plaintext.length - (v.signed ? 65 : 0)).toBe(v.expected_unsigned_raw_length_after_padding)
    }
  })

  it.each(byKind('integer_decoding'))('$name: the size field is little-endian', (v) => {
    // geth TestWhisperBasic: bytes ff e5 80 02 00 read little-endian are 0x0280e5ff. A 3-byte
    // field reads the first three: 0x80e5ff.
    const input = hex(v.input)
    const le = BigInt(v.expected_little_endian)
    const payloadLength = Number(le & 0xff_ffffn)
    const plaintext = new Uint8Array(1 + 3 + payloadLength)
    plaintext[0] = 3
    plaintext.set(input.subarray(0, 3), 1)
    expect(unwrapPayload(plaintext).payload.length).toBe(0x80e5ff)
    expect(bytesToHex(hex(v.expected_big_endian))).toBe(bytesToHex(input))
  })

  it.each(byKind('secp256k1_recover'))('$name', (v) => {
    const recovered = recoverSigner(hex(v.message_hash), hex(v.signature_r_s_v))
    expect(recovered && bytesToHex(recovered)).toBe(v.expected_public_key.slice(2))
  })
})

describe('wrapPayload layout', () => {
  it('writes flags, a minimal little-endian size field, the payload and padding', () => {
    const plaintext = wrapPayload({ payload: Uint8Array.of(1, 2, 3), padding: Uint8Array.of(9, 9) })
    expect(bytesToHex(plaintext)).toBe('0103010203' + '0909')
  })
  it('picks 1, 2 or 3 size bytes', () => {
    expect([0, 255, 256, 65535, 65536, 0xffffff].map(sizeFieldLength)).toEqual([1, 1, 2, 2, 3, 3])
    const p = wrapPayload({ payload: new Uint8Array(300), padding: Uint8Array.of(0) })
    expect(bytesToHex(p.subarray(0, 3))).toBe('022c01')
  })
  it('signs keccak256 of everything before the signature with the flag set first, v ∈ {0,1}', () => {
    const plaintext = wrapPayload({ payload: Uint8Array.of(7), signingKey: KEY_A })
    expect(plaintext[0]).toBe(1 | FLAGS_SIGNATURE_BIT)
    expect(plaintext.length).toBe(256)
    const body = plaintext.subarray(0, 256 - 65)
    const sig = plaintext.subarray(256 - 65)
    expect([0, 1]).toContain(sig[64])
    expect(bytesToHex(sig)).toBe(bytesToHex(signDigest(keccak256(body), KEY_A)))
    const parsed = unwrapPayload(plaintext)
    expect(parsed.senderPublicKey).toEqual(PUB_A)
    expect(parsed.signature).toEqual(sig)
  })
  it('uses caller padding verbatim, even when it breaks the 256 multiple (geth)', () => {
    const padding = Uint8Array.of(1, 2, 3, 4, 5)
    const parsed = unwrapPayload(wrapPayload({ payload: Uint8Array.of(1), padding, signingKey: KEY_B }))
    expect(parsed.padding).toEqual(padding)
    expect(parsed.payload).toEqual(Uint8Array.of(1))
  })
  it('treats empty padding as automatic', () => {
    expect(wrapPayload({ payload: Uint8Array.of(1), padding: new Uint8Array(0) }).length).toBe(256)
  })
  it('rejects bad arguments with TypeError/RangeError naming them', () => {
    expect(() => wrapPayload({ payload: 'x' as never })).toThrow(/init\.payload/)
    expect(() => wrapPayload({ payload: new Uint8Array(1), signingKey: new Uint8Array(32) })).toThrow(RangeError)
    expect(() => wrapPayload({ payload: new Uint8Array(1), padding: [1] as never })).toThrow(TypeError)
    expect(() => wrapPayload({ payload: new Uint8Array(0x1000000) })).toThrow(RangeError)
    expect(() => wrapPayload(null as never)).toThrow(TypeError)
  })
})

describe('unwrapPayload leniency (spec §5.4)', () => {
  it('ignores unknown flag bits', () => {
    const p = wrapPayload({ payload: Uint8Array.of(5, 6), padding: Uint8Array.of(0) })
    p[0] |= 0xf8
    expect(unwrapPayload(p).payload).toEqual(Uint8Array.of(5, 6))
  })
  it('accepts a wider size field than needed', () => {
    expect(unwrapPayload(hex('03050000aabbccddee11')).payload).toEqual(hex('aabbccddee'))
  })
  it('reads a zero-length size field as an empty payload (geth)', () => {
    const parsed = unwrapPayload(hex('00aabb'))
    expect(parsed.payload.length).toBe(0)
    expect(parsed.padding).toEqual(hex('aabb'))
  })
  it('accepts v = 27/28 as well as 0/1', () => {
    const plaintext = wrapPayload({ payload: Uint8Array.of(1, 2), signingKey: KEY_A })
    plaintext[plaintext.length - 1] += 27
    expect(unwrapPayload(plaintext).senderPublicKey).toEqual(PUB_A)
  })
  it('returns views into the input', () => {
    const plaintext = wrapPayload({ payload: Uint8Array.of(1, 2) })
    expect(unwrapPayload(plaintext).payload.buffer).toBe(plaintext.buffer)
  })
})

/** A valid signed plaintext with its signature replaced by `sig` (65 bytes). */
function withSignature(sig: Uint8Array): Uint8Array {
  const p = wrapPayload({ payload: Uint8Array.of(1), padding: Uint8Array.of(0), signingKey: KEY_A })
  p.set(sig, p.length - 65)
  return p
}
const N = hex('fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141')
const validSig = wrapPayload({ payload: Uint8Array.of(1), padding: Uint8Array.of(0), signingKey: KEY_A }).slice(-65)

describe('unwrapPayload malformed inputs', () => {
  const sigWith = (patch: (s: Uint8Array) => void): Uint8Array => {
    const s = validSig.slice()
    patch(s)
    return withSignature(s)
  }
  const cases: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['size field (1 byte) missing', hex('01')],
    ['size field (3 bytes) cut short', hex('03ffff')],
    ['size beyond the end', hex('0105aabbcc')],
    ['size one past the end', hex('0103aabb')],
    ['3-byte size beyond the end', hex('03ffffffaabb')],
    ['signed but only the signature', new Uint8Array(65).fill(4)],
    ['signed with one byte before the signature', Uint8Array.of(4, ...new Uint8Array(65))],
    ['signed, size runs into the signature', sigWith(() => {}).map((b, i) => (i === 1 ? 200 : b))],
    ['signature v = 4', sigWith((s) => (s[64] = 4))],
    ['signature v = 29', sigWith((s) => (s[64] = 29))],
    ['signature r = 0', sigWith((s) => s.fill(0, 0, 32))],
    ['signature s = 0', sigWith((s) => s.fill(0, 32, 64))],
    ['signature s = n', sigWith((s) => s.set(N, 32))],
    ['signature r = n', sigWith((s) => s.set(N, 0))],
  ]
  it.each(cases)('%s → InvalidPayloadError', (_, bytes) => {
    expect(thrownName(() => unwrapPayload(bytes))).toBe('InvalidPayloadError')
  })
  it('a bad argument is a TypeError, not a payload error', () => {
    expect(thrownName(() => unwrapPayload('00' as never))).toBe('TypeError')
  })
  it('a signature over different bytes recovers someone else', () => {
    const p = wrapPayload({ payload: Uint8Array.of(1, 2, 3), signingKey: KEY_A })
    p[2] ^= 1
    expect(unwrapPayload(p).senderPublicKey).not.toEqual(PUB_A)
  })
})

describe('payload properties', () => {
  it('unsigned round trip, 0..5000 bytes, padding to a 256 multiple', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), (payload) => {
        const plaintext = wrapPayload({ payload })
        expect(plaintext.length % PADDING_BLOCK_BYTES).toBe(0)
        const parsed = unwrapPayload(plaintext)
        expect(parsed.payload).toEqual(payload)
        expect(parsed.padding.length).toBe(autoPaddingLength(payload.length, false))
        expect(parsed.signature).toBeUndefined()
      }),
      { numRuns: 200 }
    )
  })
  it('signed round trip, 0..5000 bytes, recovers the signer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), fc.boolean(), (payload, useA) => {
        const key = useA ? KEY_A : KEY_B
        const plaintext = wrapPayload({ payload, signingKey: key })
        expect(plaintext.length % PADDING_BLOCK_BYTES).toBe(0)
        const parsed = unwrapPayload(plaintext)
        expect(parsed.payload).toEqual(payload)
        expect(parsed.senderPublicKey).toEqual(getPublicKey(key))
      }),
      { numRuns: 25 }
    )
  })
  it('explicit padding round trips', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.uint8Array({ minLength: 1, maxLength: 600 }), (payload, padding) => {
        const parsed = unwrapPayload(wrapPayload({ payload, padding }))
        expect(parsed.payload).toEqual(payload)
        expect(parsed.padding).toEqual(padding)
      })
    )
  })
})

describe('unwrapPayload fuzz', () => {
  const onlyNamed = (bytes: Uint8Array): void => {
    try {
      unwrapPayload(bytes)
    } catch (err) {
      expect((err as Error).name).toBe('InvalidPayloadError')
    }
  }
  it('random bytes throw nothing but InvalidPayloadError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => onlyNamed(bytes)), { numRuns: 300 })
  })
  it('mutated valid plaintexts throw nothing but InvalidPayloadError', () => {
    const unsigned = wrapPayload({ payload: new Uint8Array(300).fill(3) })
    const signed = wrapPayload({ payload: new Uint8Array(40).fill(5), signingKey: KEY_B })
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        fc.nat(),
        (useSigned, edits, cut) => {
          const base = (useSigned ? signed : unsigned).slice()
          for (const [at, value] of edits) base[at % base.length] = value
          onlyNamed(base)
          onlyNamed(base.subarray(0, cut % (base.length + 1)))
        }
      ),
      { numRuns: 60 }
    )
  })
})
