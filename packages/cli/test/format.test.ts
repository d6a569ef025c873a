import { describe, expect, it } from 'vitest'
import { formatDuration, formatPow } from '../src/format.ts'

describe('numbers for people', () => {
  it('rounds durations to what a person reads', () => {
    const cases: [number, string][] = [
      [0.4, '0 ms'],
      [849.6, '850 ms'],
      [4_240, '4.2 s'],
      [9_949, '9.9 s'],
      [9_950, '10 s'],
      [43_400, '43 s'],
      [263_330, '4 min 23 s'],
      [3 * 3600_000 + 12 * 60_000, '3 h 12 min'],
      [5 * 86_400_000 + 3 * 3600_000, '5 d 3 h'],
      [Number.POSITIVE_INFINITY, 'forever'],
    ]
    for (const [ms, text] of cases) expect(formatDuration(ms)).toBe(text)
  })

  it('writes PoW values to three significant digits', () => {
    expect([0.2, 0.001, 1.73846, 1738.5716062176166, 25].map(formatPow)).toEqual(['0.2', '0.001', '1.74', '1740', '25'])
  })
})
