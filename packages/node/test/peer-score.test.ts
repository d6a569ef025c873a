import { describe, expect, it } from 'vitest'
import { applyScoreEvent, currentScore, scoreParams } from '../src/peer-score.ts'

describe('peer score', () => {
  const params = scoreParams({ threshold: -100, halfLifeMs: 1000, maxScore: 10 })
  it('falls below the threshold after repeated malformed frames', () => {
    const s = { value: 0, updatedMs: 0 }
    expect(applyScoreEvent(s, 'malformed-frame', params, 0)).toBe(false)
    expect(applyScoreEvent(s, 'malformed-frame', params, 0)).toBe(false)
    expect(applyScoreEvent(s, 'malformed-frame', params, 0)).toBe(true)
  })
  it('decays by half per half-life', () => {
    const s = { value: -80, updatedMs: 0 }
    expect(currentScore(s, params, 1000)).toBeCloseTo(-40)
    expect(currentScore(s, params, 2000)).toBeCloseTo(-20)
  })
  it('caps what first deliveries can earn', () => {
    const s = { value: 0, updatedMs: 0 }
    for (let i = 0; i < 100; i++) applyScoreEvent(s, 'first-delivery', params, 0)
    expect(s.value).toBe(10)
  })
  it('validates settings', () => {
    expect(() => scoreParams({ threshold: 1 })).toThrow(/threshold/)
    expect(() => scoreParams({ halfLifeMs: 0 })).toThrow(/halfLifeMs/)
  })
})
