import { describe, expect, it } from 'vitest'
import { InFlightCalls } from '../src/in-flight.ts'

describe('InFlightCalls', () => {
  it('cancels every running call with the id, and only those, with a RequestCancelledError', () => {
    const calls = new InFlightCalls()
    const a = calls.track(1)
    const b = calls.track(1)
    const other = calls.track('1')
    expect(calls.cancel(1)).toBe(true)
    expect(a.signal.aborted && b.signal.aborted).toBe(true)
    expect((a.signal.reason as Error).name).toBe('RequestCancelledError')
    expect(other.signal.aborted).toBe(false)
  })

  it('forgets a call once it is done, so a late cancel finds nothing', () => {
    const calls = new InFlightCalls()
    const a = calls.track('x')
    a.done()
    expect(calls.cancel('x')).toBe(false)
    expect(a.signal.aborted).toBe(false)
    // A second call reusing the id after the first was done is tracked on its own.
    const b = calls.track('x')
    a.done()
    expect(calls.cancel('x')).toBe(true)
    expect(b.signal.aborted).toBe(true)
  })
})
