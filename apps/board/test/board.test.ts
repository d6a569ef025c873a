import { topicFromString, topicToHex } from '@hush/envelope'
import { describe, expect, it } from 'vitest'
import { BOARD_TOPIC, BOARD_TOPIC_NAME, Chain, decodePost, encodePost, type RpcMessage } from '../src/board.ts'

const hash = (n: number): string => `0x${n.toString(16).padStart(64, '0')}`
const hex = (text: string): string => `0x${Buffer.from(text, 'utf8').toString('hex')}`
const message = (n: number, payload: string, timestamp = 1_764_000_000 + n): RpcMessage => ({ hash: hash(n), payload, timestamp, ttl: 3600, topic: BOARD_TOPIC, pow: 0.5 })
const post = (n: number, prev: number | null, timestamp?: number): RpcMessage =>
  message(n, encodePost({ name: `author ${n}`, text: `post ${n}`, prev: prev === null ? null : hash(prev) }), timestamp)

describe('board posts', () => {
  it('names its topic by geth convention: the first 4 bytes of Keccak-256 of the name', () => {
    expect(BOARD_TOPIC).toBe(topicToHex(topicFromString(BOARD_TOPIC_NAME)))
  })

  it('encodes a post as versioned JSON in UTF-8 and decodes it back', () => {
    const payload = encodePost({ name: 'Zoë', text: 'héllo ✓', prev: hash(7) })
    expect(JSON.parse(Buffer.from(payload.slice(2), 'hex').toString('utf8'))).toEqual({ v: 1, name: 'Zoë', text: 'héllo ✓', prev: hash(7) })
    expect(decodePost(message(1, payload))).toEqual({ name: 'Zoë', text: 'héllo ✓', prev: hash(7), hash: hash(1), sent: 1_764_000_001, pow: 0.5 })
  })

  it.each([
    ['not hex', 'hello'],
    ['odd hex', '0x123'],
    ['not UTF-8', '0xff'],
    ['not JSON', hex('not json')],
    ['JSON null', hex('null')],
    ['another version', hex(JSON.stringify({ v: 2, name: 'a', text: 'b', prev: null }))],
    ['no name', hex(JSON.stringify({ v: 1, text: 'b', prev: null }))],
    ['an empty text', hex(JSON.stringify({ v: 1, name: 'a', text: ' ', prev: null }))],
    ['a name too long', hex(JSON.stringify({ v: 1, name: 'a'.repeat(41), text: 'b', prev: null }))],
    ['a prev that is no hash', hex(JSON.stringify({ v: 1, name: 'a', text: 'b', prev: '0x12' }))],
    ['no prev', hex(JSON.stringify({ v: 1, name: 'a', text: 'b' }))],
  ])('reads a payload with %s as no post', (_why, payload) => {
    expect(decodePost(message(1, payload))).toBeNull()
  })
})

describe('the chain', () => {
  it('orders posts by height, then sent time, then hash, the same whatever the arrival order', () => {
    // 1 ← 2 ← 4, 1 ← 3 (a fork: 2 and 3 both followed 1), 3 sent before 2; 5 and 6 same height and time
    const messages = [post(1, null), post(2, 1, 1_764_000_010), post(3, 1, 1_764_000_005), post(4, 2), post(6, 4, 1_764_000_100), post(5, 4, 1_764_000_100)]
    const orders = [messages, [...messages].reverse(), [messages[3], messages[0], messages[5], messages[1], messages[4], messages[2]]].map((arrival) => {
      const chain = new Chain()
      for (const m of arrival) chain.add(m as RpcMessage)
      return chain.entries().map((e) => [e.post.text, e.height, e.missingLink])
    })
    expect(orders[0]).toEqual([
      ['post 1', 0, false],
      ['post 3', 1, false],
      ['post 2', 1, false],
      ['post 4', 2, false],
      ['post 5', 3, false],
      ['post 6', 3, false],
    ])
    expect(orders[1]).toEqual(orders[0])
    expect(orders[2]).toEqual(orders[0])
  })

  it('flags a post whose predecessor it does not hold, until the predecessor arrives', () => {
    const chain = new Chain()
    chain.add(post(1, null))
    chain.add(post(3, 2))
    expect(chain.entries().map((e) => e.missingLink)).toEqual([false, true])
    chain.add(post(2, 1))
    expect(chain.entries().map((e) => [e.post.text, e.missingLink])).toEqual([
      ['post 1', false],
      ['post 2', false],
      ['post 3', false],
    ])
    expect(chain.head()).toBe(hash(3))
  })

  it('counts unreadable messages once and ignores repeats', () => {
    const chain = new Chain()
    expect(chain.head()).toBeNull()
    expect(chain.add(post(1, null))).toBe(true)
    expect(chain.add(post(1, null))).toBe(false)
    expect(chain.add(message(2, hex('garbage')))).toBe(true)
    expect(chain.add(message(2, hex('garbage')))).toBe(false)
    expect(chain.add({ junk: true } as unknown as RpcMessage)).toBe(true)
    expect([chain.size, chain.unreadable]).toEqual([1, 2])
  })

  it('ends a cycle of predecessors (which needs a hash collision) instead of recursing forever', () => {
    const chain = new Chain()
    chain.add(post(1, 2))
    chain.add(post(2, 1))
    expect(chain.entries().some((e) => e.missingLink)).toBe(true)
  })
})
