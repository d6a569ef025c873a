import type { ShhMessage } from '../src/shh-api.ts'
import { describe, expect, it } from 'vitest'
import { formatInfo, formatMessage, parseCriteria, parseNewMessage } from '../src/shapes.ts'

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values)

describe('parseNewMessage', () => {
  it('decodes every NewMessage field (web3-shh recorded body)', () => {
    const body = { symKeyID: 'k1', sig: 's1', ttl: 10, topic: '0xdeadbeef', payload: '0x68656c6c6f', powTime: 3, powTarget: 0.5, padding: '0x00', targetPeer: 'peer' }
    expect(parseNewMessage(body, 'argument 0')).toEqual({
      symKeyID: 'k1',
      sig: 's1',
      ttl: 10,
      topic: bytes(0xde, 0xad, 0xbe, 0xef),
      payload: new TextEncoder().encode('hello'),
      powTime: 3,
      powTarget: 0.5,
      padding: bytes(0),
      targetPeer: 'peer',
    })
  })

  it('treats absent, null, empty and zero values as geth does', () => {
    const body = { symKeyID: '', pubKey: '0x04ab', sig: null, ttl: 0, powTime: 0, padding: '0x', targetPeer: '' }
    expect(parseNewMessage(body, 'argument 0')).toEqual({ pubKey: bytes(0x04, 0xab), payload: new Uint8Array(0) })
    expect(parseNewMessage({ pubKey: '0x' }, 'argument 0')).toEqual({ payload: new Uint8Array(0) })
  })

  const malformed: [string, unknown, string][] = [
    ['a non-object', '0x00', 'invalid argument 0: expected an object'],
    ['an array', [{}], 'invalid argument 0: expected an object'],
    ['null', null, 'invalid argument 0: expected an object'],
    ['a numeric symKeyID', { symKeyID: 5 }, 'invalid argument 0: symKeyID: expected a string, got number'],
    ['a numeric sig', { sig: 1 }, 'invalid argument 0: sig: expected a string, got number'],
    ['an unprefixed pubKey', { pubKey: '04ab' }, 'invalid argument 0: pubKey: hex string without 0x prefix'],
    ['a string ttl', { ttl: '10' }, 'invalid argument 0: ttl: expected an integer in [0, 4294967295], got string "10"'],
    ['a fractional ttl', { ttl: 1.5 }, 'invalid argument 0: ttl: expected an integer in [0, 4294967295], got number 1.5'],
    ['a 3-byte topic', { topic: '0xdeadbe' }, 'invalid argument 0: topic: hex string has length 6, want 8'],
    ['an odd payload', { payload: '0x123' }, 'invalid argument 0: payload: hex string of odd length'],
    ['a numeric padding (web3 typings)', { padding: 8 }, 'invalid argument 0: padding: expected a hex string, got number'],
    ['a negative powTime', { powTime: -1 }, 'invalid argument 0: powTime: expected an integer in [0, 4294967295], got number -1'],
    ['a string powTarget', { powTarget: 'high' }, 'invalid argument 0: powTarget: expected a number, got string "high"'],
    ['a numeric targetPeer (web3 typings)', { targetPeer: 7 }, 'invalid argument 0: targetPeer: expected a string, got number'],
  ]
  for (const [name, value, message] of malformed) {
    it(`rejects ${name}`, () => {
      expect(() => parseNewMessage(value, 'argument 0')).toThrow(expect.objectContaining({ name: 'InvalidParamsError', message }))
    })
  }
})

describe('parseCriteria', () => {
  it('decodes every Criteria field (web3-shh recorded body)', () => {
    const sig = `0x04${'cd'.repeat(64)}`
    const body = { symKeyID: 'k', sig, topics: ['0xdeadbeef'], minPow: 0.2, allowP2P: true, ttl: 5 }
    expect(parseCriteria(body, 'argument 0')).toEqual({
      symKeyID: 'k',
      sig: bytes(0x04, ...new Array(64).fill(0xcd)),
      topics: [bytes(0xde, 0xad, 0xbe, 0xef)],
      minPow: 0.2,
      allowP2P: true,
    })
    expect(parseCriteria({ privateKeyID: 'p', symKeyID: '', sig: '0x', topics: null }, 'argument 0')).toEqual({ privateKeyID: 'p' })
  })

  const malformed: [string, unknown, string][] = [
    ['a string', 'k', 'invalid argument 0: expected an object'],
    ['a numeric privateKeyID', { privateKeyID: 1 }, 'invalid argument 0: privateKeyID: expected a string, got number'],
    ['topics as a string', { topics: '0xdeadbeef' }, 'invalid argument 0: topics: expected an array'],
    ['a 5-byte topic', { topics: ['0x0102030405'] }, 'invalid argument 0: topics[0]: hex string has length 10, want 8'],
    ['an unprefixed topic', { topics: ['0x01020304', '01020304'] }, 'invalid argument 0: topics[1]: hex string without 0x prefix'],
    ['an unprefixed sig', { sig: '04' }, 'invalid argument 0: sig: hex string without 0x prefix'],
    ['a string minPow', { minPow: '1' }, 'invalid argument 0: minPow: expected a number, got string "1"'],
    ['a string allowP2P', { allowP2P: 'yes' }, 'invalid argument 0: allowP2P: expected a boolean, got string'],
  ]
  for (const [name, value, message] of malformed) {
    it(`rejects ${name}`, () => {
      expect(() => parseCriteria(value, 'argument 0')).toThrow(expect.objectContaining({ name: 'InvalidParamsError', message }))
    })
  }
})

describe('formatMessage', () => {
  const base: ShhMessage = {
    payload: bytes(0x68, 0x69),
    padding: new Uint8Array(0),
    topic: bytes(1, 2, 3, 4),
    ttl: 30,
    timestamp: 1_700_000_000,
    pow: 0.5,
    hash: new Uint8Array(32).fill(0xab),
  }

  it('omits sig and recipientPublicKey when absent, in geth key order', () => {
    const out = formatMessage(base)
    expect(Object.keys(out)).toEqual(['ttl', 'timestamp', 'topic', 'payload', 'padding', 'pow', 'hash'])
    expect(out).toEqual({ ttl: 30, timestamp: 1_700_000_000, topic: '0x01020304', payload: '0x6869', padding: '0x', pow: 0.5, hash: `0x${'ab'.repeat(32)}` })
  })

  it('adds sig and recipientPublicKey as lowercase hex', () => {
    const out = formatMessage({ ...base, senderPublicKey: bytes(0x04, 0xaa), recipientPublicKey: bytes(0x04, 0xbb) })
    expect(Object.keys(out)).toEqual(['sig', 'ttl', 'timestamp', 'topic', 'payload', 'padding', 'pow', 'hash', 'recipientPublicKey'])
    expect(out.sig).toBe('0x04aa')
    expect(out.recipientPublicKey).toBe('0x04bb')
  })
})

describe('formatInfo', () => {
  it('maps the node info to geth shh_info', () => {
    expect(formatInfo({ memory: 1024, envelopes: 3, minPow: 0.2, maxMessageSize: 1 << 20 })).toEqual({ memory: 1024, messages: 3, minPow: 0.2, maxMessageSize: 1 << 20 })
  })
})
