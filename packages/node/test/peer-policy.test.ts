import { describe, expect, it } from 'vitest'
import { PeerPolicy } from '../src/peer-policy.ts'
import { scoreParams } from '../src/peer-score.ts'

describe('PeerPolicy', () => {
  it('bans below the threshold for the ban period, and the score survives reconnects', () => {
    let now = 0
    const policy = new PeerPolicy(scoreParams({ threshold: -100, banMs: 1000, halfLifeMs: 60_000 }), () => now)
    expect(policy.apply('p', 'malformed-frame')).toBe(false)
    expect(policy.scoreOf('p').value).toBe(-50)
    expect(policy.apply('p', 'malformed-frame')).toBe(false)
    expect(policy.apply('p', 'malformed-frame')).toBe(true)
    expect(policy.ban('p')).toBe(true)
    expect(policy.ban('p')).toBe(false)
    expect(policy.isBanned('p')).toBe(true)
    now = 1001
    expect(policy.isBanned('p')).toBe(false)
  })
  it('forgets faded scores of absent peers only', () => {
    let now = 0
    const policy = new PeerPolicy(scoreParams({ halfLifeMs: 10 }), () => now)
    policy.apply('gone', 'invalid-envelope')
    policy.apply('here', 'invalid-envelope')
    now = 1000
    policy.prune((key) => key === 'here')
    expect(policy.scoreOf('gone').value).toBe(0)
    expect(policy.scoreOf('here').value).toBe(-20)
  })

  it('peeks at a score, decayed, without creating one', () => {
    let now = 0
    const policy = new PeerPolicy(scoreParams({ halfLifeMs: 1000 }), () => now)
    expect(policy.peek('p')).toBeUndefined()
    expect(policy.peek('p')).toBeUndefined()
    policy.apply('p', 'malformed-frame')
    expect(policy.peek('p')).toBe(-50)
    now = 1000
    expect(policy.peek('p')).toBeCloseTo(-25, 5)
  })
})
