/**
 * The README's usage example, run as a test. The code between the `readme:start` and
 * `readme:end` markers must equal the README's `ts` block without its import lines (checked
 * below), so the README cannot drift from code that compiles and runs.
 */
import { readFileSync } from 'node:fs'
import { encodeEnvelope, keccak256, topicFromString, topicsToBloom } from '@hush/envelope'
import { describe, expect, it } from 'vitest'
import { createPool, hashKey } from '../src/index.ts'

const dedent = (text: string): string => {
  const lines = text.split('\n')
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length))
  return lines.map((l) => l.slice(indent)).join('\n').trim()
}

describe('README example', () => {
  it('runs', () => {
    // readme:start
    const now = 1_764_072_000 // unix seconds: the node passes its clock in
    const pool = createPool({ maxBytes: 32 * 1024 * 1024, maxCount: 50_000 })

    const chat = topicFromString('chat')
    const envelope = { expiry: now + 50, ttl: 50, topic: chat, data: new Uint8Array(256), nonce: 7n }
    const raw = encodeEnvelope(envelope) // a received envelope: the bytes it was decoded from
    const hash = keccak256(raw)
    // The node computes PoW and rating once (with @hush/pow) and hands them in.
    // The pool copies `raw` into its own slabs and keeps neither `raw` nor `envelope`.
    const result = pool.add({ envelope, raw, hash, pow: 0.5, rating: 0.5, peer: 'peer-a' }, now)
    const again = pool.add({ envelope, raw, hash, pow: 0.5, rating: 0.5, peer: 'peer-b' }, now)

    // The forwarding path: the pooled bytes, a view to send (or copy) right away.
    const bytes = pool.getRaw(hash)

    // Forwarding order for one peer: its bloom, its PoW requirement, what it already knows.
    const known = new Set<string>()
    const batch = pool.select({ bloom: topicsToBloom([chat]), minPow: 0.2, limit: 64, exclude: known })
    const first = batch[0].envelope // copied out of the pool on first read: safe to keep

    // The node's 1 s timer: expired envelopes leave; their hashes stay in the seen cache.
    const expired = pool.prune(now + 51) // records of what left: keys and numbers, no bytes
    const lateDuplicate = pool.hasSeen(hash, now + 60)
    // readme:end

    expect(result.status).toBe('added')
    expect(again.status).toBe('duplicate')
    expect(bytes).toEqual(raw)
    expect(batch.map((e) => e.key)).toEqual([hashKey(hash)])
    expect(first).toEqual(envelope)
    expect(batch[0].raw).toEqual(raw) // read before the prune: the copy stays
    expect(expired.map((e) => e.key)).toEqual([hashKey(hash)])
    expect(lateDuplicate).toBe(true)
    expect(pool.size).toBe(0)
  })

  it('matches the README', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? ''
    const imports = block.split('\n').filter((l) => l.startsWith('import '))
    expect(imports).toEqual([
      "import { encodeEnvelope, keccak256, topicFromString, topicsToBloom } from '@hush/envelope'",
      "import { createPool } from '@hush/pool'",
    ])
    const body = block.split('\n').filter((l) => !l.startsWith('import ')).join('\n')
    const source = readFileSync(new URL(import.meta.url), 'utf8')
    const region = /\/\/ readme:start\n([\s\S]*?)\n\s*\/\/ readme:end/.exec(source)?.[1] ?? ''
    expect(dedent(body)).toBe(dedent(region))
  })
})
