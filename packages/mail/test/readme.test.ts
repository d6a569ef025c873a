/**
 * The README's usage example, run as a test. The code between the `readme:start` and
 * `readme:end` markers must equal the README's `ts` block without its import lines (checked
 * below), so the README cannot drift from code that compiles and runs.
 */
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encodeEnvelope, keccak256, topicFromString } from '@hush/envelope'
import { describe, expect, it } from 'vitest'
import { openLevelArchive, rangeDigest } from '../src/index.ts'

const dedent = (text: string): string => {
  const lines = text.split('\n')
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length))
  return lines.map((l) => l.slice(indent)).join('\n').trim()
}

describe('README example', () => {
  it('runs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hush-readme-'))
    process.chdir(dir)
    try {
      // readme:start
      const archive = await openLevelArchive({ path: './mail/archive' })

      // Archive envelopes as the node accepts them: key time is the sent time (expiry − TTL).
      const chat = topicFromString('chat')
      const entries = [1, 2, 3].map((n) => {
        const envelope = { expiry: 1_764_072_050 + n, ttl: 50, topic: chat, data: new Uint8Array([n]), nonce: 0n }
        const raw = encodeEnvelope(envelope)
        return { time: envelope.expiry - envelope.ttl, hash: keccak256(raw), topic: chat, raw }
      })
      const added = await archive.put(entries) // resolves once the batch is fsynced

      // Page through a time range, two envelopes at a time, following the cursor.
      const query = { from: 1_764_072_000, to: 1_764_072_010, topics: [chat], limit: 2 }
      const first = await archive.query(query)
      const second = await archive.query({ ...query, cursor: first.cursor })

      // The digest lets a client compare what two servers returned for the same page.
      const same = rangeDigest(first.hashes).every((b, i) => b === first.digest[i])

      await archive.prune({ before: 1_764_072_002 }) // retention by age (and `maxBytes`)
      const { count } = await archive.stats()
      await archive.close()
      // readme:end

      expect(added).toBe(3)
      expect(first.envelopes).toEqual([entries[0].raw, entries[1].raw])
      expect(first.cursor).toBeDefined()
      expect(second.envelopes).toEqual([entries[2].raw])
      expect(second.cursor).toBeUndefined()
      expect(same).toBe(true)
      expect(count).toBe(2)
    } finally {
      process.chdir(tmpdir())
      await rm(dir, { recursive: true, force: true })
    }

    const source = readFileSync(new URL(import.meta.url), 'utf8')
    const code = dedent(source.slice(source.indexOf('// readme:start') + '// readme:start'.length, source.indexOf('// readme:end')))
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? ''
    const withoutImports = block.split('\n').filter((l) => !l.startsWith('import ')).join('\n').trim()
    expect(withoutImports).toBe(code)
  })
})
