import { describe, expect, it } from 'vitest'
import { type Outcome, conductOf } from '../src/conduct.ts'
import { FROM_PEER, TOLD_PEER } from '../src/known-set.ts'

describe('conductOf', () => {
  it.each<[string, Outcome, number, ReturnType<typeof conductOf>]>([
    ['a duplicate of what we told it (code 20) we have is soft', { status: 'duplicate' }, -1, 'soft'],
    ['a first delivery earns a point', { status: 'added' }, 0, 'first-delivery'],
    ['a duplicate it could not know we had is free', { status: 'duplicate' }, 0, undefined],
    ['a duplicate of what we sent or told it is soft', { status: 'duplicate' }, TOLD_PEER, 'soft'],
    ['a hash it sent before is a repeat', { status: 'duplicate' }, FROM_PEER, 'repeat'],
    ['a repeat stays a repeat when we told it too', { status: 'duplicate' }, FROM_PEER | TOLD_PEER, 'repeat'],
    ['recently expired is soft', { status: 'dropped', reason: 'expired' }, 0, 'soft'],
    ['clock skew is soft', { status: 'dropped', reason: 'future-skew' }, 0, 'soft'],
    ['a full pool is soft', { status: 'dropped', reason: 'pool-full' }, 0, 'soft'],
    ['far future costs', { status: 'dropped', reason: 'future' }, 0, 'future'],
    ['low PoW costs', { status: 'dropped', reason: 'low-pow' }, 0, 'low-pow'],
    ['an invalid envelope costs', { status: 'dropped', reason: 'invalid-envelope' }, 0, 'invalid-envelope'],
    ['TTL 0 costs as invalid', { status: 'dropped', reason: 'ttl-zero' }, 0, 'invalid-envelope'],
  ])('%s', (_name, outcome, known, expected) => {
    // known −1 stands for "nothing in the known-set, but a notice went to the peer".
    expect(conductOf(outcome, Math.max(known, 0), known === -1)).toBe(expected)
  })
})
