import { describe, expect, it } from 'vitest'
import { type Outcome, conductOf } from '../src/conduct.ts'

describe('conductOf', () => {
  // [name, outcome, the peer sent this hash before, we told it (code 20) we have it, expected]
  it.each<[string, Outcome, boolean, boolean, ReturnType<typeof conductOf>]>([
    ['a duplicate of what we told it (code 20) we have is soft', { status: 'duplicate' }, false, true, 'soft'],
    ['a first delivery earns a point', { status: 'added' }, false, false, 'first-delivery'],
    ['a duplicate it could not know we had is free', { status: 'duplicate' }, false, false, undefined],
    ['a hash it sent before is a repeat', { status: 'duplicate' }, true, false, 'repeat'],
    ['a repeat stays a repeat when we told it too', { status: 'duplicate' }, true, true, 'repeat'],
    ['recently expired is soft', { status: 'dropped', reason: 'expired' }, false, false, 'soft'],
    ['clock skew is soft', { status: 'dropped', reason: 'future-skew' }, false, false, 'soft'],
    ['a full pool is soft', { status: 'dropped', reason: 'pool-full' }, false, false, 'soft'],
    ['far future costs', { status: 'dropped', reason: 'future' }, false, false, 'future'],
    ['low PoW costs', { status: 'dropped', reason: 'low-pow' }, false, false, 'low-pow'],
    ['an invalid envelope costs', { status: 'dropped', reason: 'invalid-envelope' }, false, false, 'invalid-envelope'],
    ['TTL 0 costs as invalid', { status: 'dropped', reason: 'ttl-zero' }, false, false, 'invalid-envelope'],
  ])('%s', (_name, outcome, sentBefore, wasTold, expected) => {
    expect(conductOf(outcome, sentBefore, wasTold)).toBe(expected)
  })
})
