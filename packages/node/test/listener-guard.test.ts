import { describe, expect, it } from 'vitest'
import { ListenerGuard } from '../src/listener-guard.ts'

const logger = () => {
  const errors: unknown[][] = []
  const log = Object.assign(() => {}, { error: (...args: unknown[]) => errors.push(args), trace: () => {}, enabled: false })
  return { log: log as never, errors }
}

describe('ListenerGuard', () => {
  it('calls the listener, and logs what it throws instead of letting it escape', () => {
    const { log, errors } = logger()
    const guard = new ListenerGuard(log)
    const seen: string[] = []
    const ok = guard.wrap('message', (e: Event) => seen.push(e.type))
    const bad = guard.wrap('message', () => {
      throw new Error('app bug')
    })
    ok?.(new Event('message'))
    expect(() => bad?.(new Event('message'))).not.toThrow()
    expect(seen).toEqual(['message'])
    expect(errors).toHaveLength(1)
  })
  it('logs a rejected promise from an async listener', async () => {
    const { log, errors } = logger()
    const guard = new ListenerGuard(log)
    guard.wrap('message', async () => {
      throw new Error('async bug')
    })?.(new Event('message'))
    await new Promise((r) => setTimeout(r, 0))
    expect(errors).toHaveLength(1)
  })
  it('gives the same wrapper for the same listener and type, so it can be removed', () => {
    const { log } = logger()
    const guard = new ListenerGuard(log)
    const listener = { handleEvent: () => {} }
    const a = guard.wrap('x', listener)
    expect(guard.wrap('x', listener)).toBe(a)
    expect(guard.unwrap('x', listener)).toBe(a)
    expect(guard.wrap('y', listener)).not.toBe(a)
    expect(guard.unwrap('x', null)).toBeNull()
  })
})
