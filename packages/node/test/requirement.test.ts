import { describe, expect, it } from 'vitest'
import { changeRequirement, meetsOwnRequirement, requirement } from '../src/requirement.ts'

const req = <T>(current: T, previous: T = current, changedMs = 0) => ({ current, previous, changedMs })

describe('meetsOwnRequirement', () => {
  it('tolerates the previous value for a while after a change', () => {
    const r = req(2, 0.2, 1000)
    const passes = (min: number) => 1 >= min
    expect(meetsOwnRequirement(r, passes, 5000, 10_000)).toBe(true)
    expect(meetsOwnRequirement(r, passes, 11_001, 10_000)).toBe(false)
  })
})

describe('requirement and changeRequirement', () => {
  it('a change keeps the old value as previous, in place', () => {
    const r = requirement(0.2, 0)
    expect(r).toEqual({ current: 0.2, previous: 0.2, changedMs: 0 })
    changeRequirement(r, 2, 500)
    expect(r).toEqual({ current: 2, previous: 0.2, changedMs: 500 })
  })
})
