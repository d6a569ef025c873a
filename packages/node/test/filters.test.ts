import { generateKeyPair, generateSymKey, keccak256, encodeEnvelope, topicFromString, wrapMessage } from '@hush/envelope'
import { describe, expect, it } from 'vitest'
import { getEventListeners } from 'node:events'
import { AsyncQueue, readUntilAborted } from '../src/async-queue.ts'
import { FilterSet, type ResolvedCriteria, type Watcher } from '../src/filters.ts'
import { TopicIndex } from '../src/topic-index.ts'

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)
const chat = topicFromString('chat')
const other = topicFromString('other')
const ctxOf = (env: ReturnType<typeof wrapMessage>, pow = 1, isP2P = false) => ({ pow, hash: keccak256(encodeEnvelope(env)), isP2P })
const base = (over: Partial<ResolvedCriteria>): ResolvedCriteria => ({ topics: [chat], minPow: 0, allowP2P: false, capacity: 16, ...over })

describe('FilterSet', () => {
  it('delivers a symmetric message to the filter with its key and topic, once', () => {
    const symKey = generateSymKey()
    const fs = new FilterSet(new TopicIndex<Watcher>())
    const id = fs.install(base({ symKey: symKey.slice() }))
    const wrong = fs.install(base({ symKey: generateSymKey() }))
    const env = wrapMessage({ topic: chat, payload: utf8('hi'), symKey })
    const delivered = fs.match(env, ctxOf(env))
    expect(delivered).toHaveLength(1)
    expect(new TextDecoder().decode(fs.drain(id)![0].payload)).toBe('hi')
    expect(fs.drain(id)).toEqual([])
    expect(fs.drain(wrong)).toEqual([])
  })
  it('ignores envelopes on topics it does not watch, and empty topics watch all', () => {
    const symKey = generateSymKey()
    const index = new TopicIndex<Watcher>()
    const fs = new FilterSet(index)
    const one = fs.install(base({ symKey: symKey.slice() }))
    const all = fs.install(base({ symKey: symKey.slice(), topics: [] }))
    const env = wrapMessage({ topic: other, payload: utf8('x'), symKey })
    expect(index.watches(other)).toBe(true)
    fs.match(env, ctxOf(env))
    expect(fs.drain(one)).toEqual([])
    expect(fs.drain(all)).toHaveLength(1)
  })
  it('delivers asymmetric messages with the recipient key and checks the signer', () => {
    const me = generateKeyPair()
    const alice = generateKeyPair()
    const fs = new FilterSet(new TopicIndex<Watcher>())
    const any = fs.install(base({ privateKey: me.privateKey.slice(), publicKey: me.publicKey }))
    const fromAlice = fs.install(base({ privateKey: me.privateKey.slice(), publicKey: me.publicKey, sig: alice.publicKey }))
    const fromBob = fs.install(base({ privateKey: me.privateKey.slice(), publicKey: me.publicKey, sig: generateKeyPair().publicKey }))
    const env = wrapMessage({ topic: chat, payload: utf8('dm'), publicKey: me.publicKey, signingKey: alice.privateKey })
    fs.match(env, ctxOf(env))
    const [m] = fs.drain(any)!
    expect(m.senderPublicKey).toEqual(alice.publicKey)
    expect(m.recipientPublicKey).toEqual(me.publicKey)
    expect(fs.drain(fromAlice)).toHaveLength(1)
    expect(fs.drain(fromBob)).toEqual([])
  })
  it('applies minPow and allowP2P', () => {
    const symKey = generateSymKey()
    const fs = new FilterSet(new TopicIndex<Watcher>())
    const strict = fs.install(base({ symKey: symKey.slice(), minPow: 5 }))
    const p2p = fs.install(base({ symKey: symKey.slice(), allowP2P: true }))
    const env = wrapMessage({ topic: chat, payload: utf8('x'), symKey })
    fs.match(env, ctxOf(env, 1))
    expect(fs.drain(strict)).toEqual([])
    expect(fs.drain(p2p)).toHaveLength(1)
    fs.match(env, ctxOf(env, 10, true))
    expect(fs.drain(strict)).toEqual([])
    expect(fs.drain(p2p)).toHaveLength(1)
  })
  it('bounds each buffer, dropping the oldest', () => {
    const symKey = generateSymKey()
    const fs = new FilterSet(new TopicIndex<Watcher>())
    const id = fs.install(base({ symKey: symKey.slice(), capacity: 2 }))
    for (const s of ['a', 'b', 'c']) {
      const env = wrapMessage({ topic: chat, payload: utf8(s), symKey })
      fs.match(env, ctxOf(env))
    }
    expect(fs.drain(id)!.map((m) => new TextDecoder().decode(m.payload))).toEqual(['b', 'c'])
    expect(fs.droppedMessages()).toBe(1)
  })
  it('uninstall zeroizes key copies and forgets the topics', () => {
    const index = new TopicIndex<Watcher>()
    const fs = new FilterSet(index)
    const key = generateSymKey()
    const id = fs.install(base({ symKey: key }))
    expect(index.topics()).toEqual([chat])
    expect(fs.uninstall(id)).toBe(true)
    expect(key.every((b) => b === 0)).toBe(true)
    expect(index.watches(chat)).toBe(false)
    expect(fs.uninstall(id)).toBe(false)
    expect(fs.drain(id)).toBeUndefined()
  })
  it('needs exactly one key', () => {
    const fs = new FilterSet(new TopicIndex<Watcher>())
    expect(() => fs.install(base({}))).toThrow(TypeError)
    expect(() => fs.install(base({ symKey: generateSymKey(), privateKey: generateKeyPair().privateKey }))).toThrow(TypeError)
  })
})

describe('AsyncQueue', () => {
  it('yields pushed items and ends on abort', async () => {
    const q = new AsyncQueue<number>(4)
    const ac = new AbortController()
    let removed = 0
    const iterable = readUntilAborted(q, ac.signal, () => removed++)
    const got: number[] = []
    const reading = (async () => {
      for await (const n of iterable) {
        got.push(n)
        if (n === 2) ac.abort()
      }
    })()
    q.push(1)
    q.push(2)
    await reading
    expect(got).toEqual([1, 2])
    q.push(3)
    expect(q.size).toBe(0)
    expect(removed).toBe(1)
  })
  it('a reader that stops early removes the subscription and its abort listener', async () => {
    const q = new AsyncQueue<number>(4)
    const ac = new AbortController()
    let removed = 0
    const iterable = readUntilAborted(q, ac.signal, () => removed++)
    q.push(1)
    for await (const _ of iterable) break
    expect(removed).toBe(1)
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0)
    ac.abort()
    expect(removed).toBe(1)
  })
  it('rejects a bad capacity', () => {
    expect(() => new AsyncQueue(0)).toThrow(RangeError)
  })
})
