// The README's usage example, verbatim between the markers, so it cannot rot.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { topicFromString } from '@hush/envelope'
import { estimateSealTime, measureHashRate, powOf, ratingOf, sealEnvelope, sealEnvelopeAsync } from '../src/index.ts'

describe('README example', () => {
  it('runs as written', async () => {
    const log: unknown[] = []
    const console = { log: (...args: unknown[]) => log.push(args) }
    const ciphertext = new Uint8Array(1000).fill(1)
    // README-EXAMPLE-START
    const now = Math.floor(Date.now() / 1000)
    const envelope = { expiry: now + 50, ttl: 50, topic: topicFromString('chat'), data: ciphertext, nonce: 0n }

    // One thread, blocking: stop at the first nonce whose PoW value reaches 0.2.
    const sealed = sealEnvelope(envelope, { targetPow: 0.2 })
    console.log(sealed.pow >= 0.2, powOf(sealed.envelope) === sealed.pow) // true true

    // Every core, without blocking, cancellable, with progress reports.
    const { envelope: sealed2, pow } = await sealEnvelopeAsync(envelope, {
      targetPow: 2,
      signal: AbortSignal.timeout(10_000),
      onProgress: (p) => console.log(`${p.attempts} nonces, best PoW ${p.bestPow}`),
    })

    // How long should it take here? (the expectation of a geometric distribution)
    const { expectedMs } = estimateSealTime({ envelope, targetPow: 2, hashRate: measureHashRate(), workers: 2 })

    // Pools and routers order envelopes by rating: log2 of the PoW value.
    console.log(ratingOf({ pow }), expectedMs)
    // README-EXAMPLE-END
    expect(log[0]).toEqual([true, true])
    expect(powOf(sealed2)).toBeGreaterThanOrEqual(2)
    expect(expectedMs).toBeGreaterThan(0)
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    const source = readFileSync(new URL(import.meta.url), 'utf8')
    const between = (text: string): string =>
      text.split('// README-EXAMPLE-START\n')[1].split('    // README-EXAMPLE-END')[0].replace(/^ {4}/gm, '').trim()
    const block = readme.split('```ts\n')[1].split('```')[0]
    expect(block).toContain(between(source))
  })
})
