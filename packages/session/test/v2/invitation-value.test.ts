/**
 * The invitation value of docs/SESSION.md §12.2 (an invitation's `.inv` snapshot): round trips,
 * the byte layout's landmarks, and malformed bytes that only ever throw StateCorruptedError.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createInvitation, invitationBody } from '../../src/v2/invitation.ts'
import { decodeInvitationValue, encodeInvitationValue, type InvitationValue } from '../../src/v2/invitation-value.ts'
import { availableX25519Backends } from '../../src/v2/x25519.ts'
import { patched, thrownName } from './negative-tables.ts'
import { seededRandom } from './ratchet-fixtures.ts'

const backend = availableX25519Backends()[0]
const hex = bytesToHex
const u8 = (n: number): Uint8Array => Uint8Array.of(n)
const bytesOf = (label: string, length: number): Uint8Array => seededRandom(label)(length)

describe('invitation value', () => {
  const random = seededRandom('core-value/invitation')
  const perContact = createInvitation({ nowMs: 1_733_000_000_000, random, x25519: backend })
  const account = createInvitation({ nowMs: 1_733_000_000_000, random, x25519: backend, staticKey: { privateKey: bytesOf('account', 32), publicKey: bytesOf('account-pub', 32) } })
  const pending: InvitationValue = {
    state: 'pending',
    invitation: perContact.invitation,
    oneTimePrivateKey: perContact.oneTimePrivateKey,
    identityKind: 'per-contact',
    staticPrivateKey: perContact.staticPrivateKey,
    createdAtMs: 1_733_000_000_000,
    autoAccept: true,
  }
  const accountPending: InvitationValue = {
    state: 'pending',
    invitation: account.invitation,
    oneTimePrivateKey: account.oneTimePrivateKey,
    identityKind: 'account',
    createdAtMs: 2 ** 53 - 1,
    autoAccept: false,
  }
  const consumed: InvitationValue = {
    state: 'consumed',
    topic: perContact.invitation.topic,
    expirySeconds: perContact.invitation.expirySeconds,
    initHash: sha256(utf8ToBytes('msg1')),
    sessionId: '0123456789abcdef0123456789abcdef',
  }

  it.each([
    ['pending, per-contact', pending, 150],
    ['pending, account', accountPending, 118],
    ['consumed', consumed, 57],
  ] as const)('%s round-trips, %i bytes', (_name, value, length) => {
    const bytes = encodeInvitationValue(value)
    expect(bytes.length).toBe(length)
    expect(decodeInvitationValue(bytes)).toEqual(value)
    if (value.state === 'pending') expect(hex(bytes.subarray(1, 75))).toBe(hex(invitationBody(value.invitation)))
    if (value.state === 'consumed') expect(hex(bytes.subarray(41))).toBe(value.sessionId)
  })

  it('an expired pending invitation still decodes (so that it can be deleted)', () => {
    const expired: InvitationValue = { ...pending, invitation: { ...perContact.invitation, expirySeconds: 1000 }, createdAtMs: 0 }
    expect(decodeInvitationValue(encodeInvitationValue(expired))).toEqual(expired)
  })

  const bytes = encodeInvitationValue(pending)
  const cases: Array<[string, Uint8Array]> = [
    ['state 0', patched(bytes, 0, 0)],
    ['state 3', patched(bytes, 0, 3)],
    ['invitation version 3', patched(bytes, 1, 3)],
    ['invitation flags 1', patched(bytes, 2, 1)],
    ['identity kind 0', patched(bytes, 107, 0)],
    ['identity kind 3', patched(bytes, 107, 3)],
    ['account with a static key', patched(bytes, 107, 2)],
    ['presence byte 2', patched(bytes, 108, 2)],
    ['createdAtMs beyond 2^53 − 1', patched(bytes, 141, 0x00, 0x20)],
    ['autoAccept 2', patched(bytes, 149, 2)],
    ['a trailing byte', concatBytes(bytes, u8(0))],
    ['consumed, a trailing byte', concatBytes(encodeInvitationValue(consumed), u8(0))],
    ...[bytes, encodeInvitationValue(accountPending), encodeInvitationValue(consumed)].flatMap((b) =>
      Array.from({ length: b.length }, (_, n): [string, Uint8Array] => [`truncated to ${n} of ${b.length}`, b.subarray(0, n)]),
    ),
  ]
  it.each(cases)('%s: StateCorruptedError', (_name, bad) => {
    expect(thrownName(() => decodeInvitationValue(bad))).toBe('StateCorruptedError')
  })

  it('mutated encodings throw StateCorruptedError, or decode and re-encode to themselves', () => {
    const valid = [bytes, encodeInvitationValue(accountPending), encodeInvitationValue(consumed)]
    fc.assert(
      fc.property(fc.nat({ max: 2 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }), (which, changes) => {
        const b = valid[which].slice()
        for (const [pos, value] of changes) b[pos % b.length] = value
        let value: InvitationValue
        try {
          value = decodeInvitationValue(b)
        } catch (err) {
          return (err as Error).name === 'StateCorruptedError'
        }
        return hex(encodeInvitationValue(value)) === hex(b)
      }),
      { numRuns: 1000 },
    )
  })

  it('the encoder refuses a static key that disagrees with the identity kind, and a bad session id', () => {
    expect(thrownName(() => encodeInvitationValue({ ...accountPending, staticPrivateKey: bytesOf('x', 32) }))).toBe('RangeError')
    const { staticPrivateKey: _, ...withoutKey } = pending
    expect(thrownName(() => encodeInvitationValue(withoutKey as InvitationValue))).toBe('RangeError')
    expect(thrownName(() => encodeInvitationValue({ ...consumed, sessionId: 'xyz' }))).toBe('TypeError')
    expect(thrownName(() => decodeInvitationValue('00' as unknown as Uint8Array))).toBe('TypeError')
  })
})
