import { bloomMatches, topicFromNumber, topicsToBloom, topicToBloom } from '@hush/envelope'
import { describe, expect, it } from 'vitest'
import { seededRandom } from '../../../packages/node/test/fixtures/topology.ts'
import { bloomFalsePositiveRate, bloomFill } from '../bloom.ts'

describe('bloomFalsePositiveRate', () => {
  it('is 0 with no watched topic and grows with every topic', () => {
    expect(bloomFalsePositiveRate(0)).toBe(0)
    let last = 0
    for (const topics of [1, 5, 20, 100, 1000]) {
      const fp = bloomFalsePositiveRate(topics)
      expect(fp).toBeGreaterThan(last)
      expect(fp).toBeLessThan(1)
      last = fp
    }
  })

  it('matches what the real 512-bit blooms of @hush/envelope let through', () => {
    const random = seededRandom(16)
    const topic = () => topicFromNumber(Math.floor(random() * 2 ** 32))
    for (const watched of [20, 100]) {
      const trials = 20
      const samples = 4000
      let hits = 0
      for (let t = 0; t < trials; t++) {
        const filter = topicsToBloom(Array.from({ length: watched }, topic))
        for (let i = 0; i < samples; i++) if (bloomMatches(filter, topicToBloom(topic()))) hits++
      }
      const measured = hits / (trials * samples)
      const predicted = bloomFalsePositiveRate(watched)
      // 80k samples: the binomial spread is under 10% of the rate at 20 topics (about 0.2%).
      expect(Math.abs(measured - predicted) / predicted).toBeLessThan(0.15)
    }
  })

  it('fills a bloom as 3 × topics random bits would', () => {
    expect(bloomFill(1)).toBeCloseTo(1 - (511 / 512) ** 3, 12)
    expect(() => bloomFill(-1)).toThrow(RangeError)
  })
})
