/**
 * The README usage example, run as a test. The block between the markers is a copy of the
 * README's first TypeScript snippet; the first test fails when the two drift apart.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  decodeEnvelope,
  encodeEnvelope,
  generateKeyPair,
  generateSymKey,
  openMessage,
  topicFromString,
  wrapMessage,
} from '@hush/envelope'

function readmeSnippet(): string {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? ''
  return block.slice(block.indexOf('\n\n') + 2).trim()
}

function ownSnippet(): string {
  const source = readFileSync(new URL(import.meta.url), 'utf8')
  // lastIndexOf: the marker texts also occur in this function, above the example.
  const start = source.lastIndexOf('// README:' + 'start\n') + 16
  const body = source.slice(start, source.lastIndexOf('    // README:' + 'end'))
  return body
    .split('\n')
    .map((line) => line.replace(/^ {4}/, ''))
    .join('\n')
    .trim()
}

describe('README usage example', () => {
  it('matches the README snippet', () => {
    expect(ownSnippet()).toBe(readmeSnippet())
  })
  it('runs: wrap → encode → decode → open', () => {
    // README:start
    const symKey = generateSymKey()
    const alice = generateKeyPair()
    const topic = topicFromString('chat')
    const payload = new TextEncoder().encode('hello, whisper')

    // Sender: payload → envelope (seal it with @hush/pow before posting) → bytes on the wire.
    const envelope = wrapMessage({ topic, payload, symKey, signingKey: alice.privateKey, ttl: 60 })
    const bytes = encodeEnvelope(envelope)

    // Receiver: bytes → envelope → message, or undefined when the key does not fit.
    const received = decodeEnvelope(bytes)
    const message = openMessage(received, { symKey })
    if (message === undefined) throw new Error('not for us')
    const text = new TextDecoder().decode(message.payload) // 'hello, whisper'
    const sender = message.senderPublicKey // equals alice.publicKey
    // README:end
    expect(text).toBe('hello, whisper')
    expect(sender).toEqual(alice.publicKey)
    expect(envelope.ttl).toBe(60)
  })
})
