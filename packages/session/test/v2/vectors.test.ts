/**
 * The published known answers (test/vectors/session-v2.json, docs/SESSION.md §17) are what the
 * code computes, on every X25519 backend, value for value.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { availableX25519Backends } from '../../src/v2/x25519.ts'
import { vectorSet } from './vector-set.ts'

const published = JSON.parse(readFileSync(new URL('../vectors/session-v2.json', import.meta.url), 'utf8')) as Record<string, unknown>

describe.each(availableX25519Backends().map((b) => [b.name, b] as const))('session v2 vectors (%s backend)', (_name, backend) => {
  const computed = vectorSet(backend)
  it.each(Object.keys(computed))('%s matches the published file', (group) => {
    expect(computed[group]).toEqual(published[group])
  })

  it('the file holds every group, and the RFC 7748 shared secret is the RFC one', () => {
    expect(Object.keys(published).filter((k) => k !== 'source').sort()).toEqual(Object.keys(computed).sort())
    expect((published.x25519 as Record<string, string>).shared).toBe('4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742')
  })
})
