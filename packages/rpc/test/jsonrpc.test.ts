import { describe, expect, it } from 'vitest'
import { parseBody, parseCall } from '../src/jsonrpc.ts'

describe('parseBody', () => {
  it('reads a single call, a notification and a batch', () => {
    expect(parseBody('{"jsonrpc":"2.0","id":7,"method":"shh_version","params":[]}')).toEqual({
      kind: 'single',
      item: { id: 7, method: 'shh_version', params: [] },
    })
    expect(parseBody('{"jsonrpc":"2.0","method":"shh_version"}')).toEqual({ kind: 'single', item: { id: undefined, method: 'shh_version', params: [] } })
    const batch = parseBody('[{"jsonrpc":"2.0","id":"a","method":"x","params":null},{"jsonrpc":"2.0","id":null,"method":"y","params":{"a":1}}]')
    expect(batch).toEqual({
      kind: 'batch',
      items: [
        { id: 'a', method: 'x', params: [] },
        { id: null, method: 'y', params: undefined },
      ],
    })
  })

  it('answers malformed JSON with -32700 and an empty batch with -32600', () => {
    expect(parseBody('{"jsonrpc":')).toEqual({ kind: 'error', response: { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } } })
    expect(parseBody('[]')).toEqual({ kind: 'error', response: { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'empty batch' } } })
  })

  const invalid: [string, unknown, string | number | null, string][] = [
    ['a number', 1, null, 'not an object'],
    ['an array item', [], null, 'not an object'],
    ['a wrong version', { jsonrpc: '1.0', id: 1, method: 'm' }, 1, 'jsonrpc must be "2.0"'],
    ['no version', { id: 'x', method: 'm' }, 'x', 'jsonrpc must be "2.0"'],
    ['an object id', { jsonrpc: '2.0', id: {}, method: 'm' }, null, 'id must be a string, a number or null'],
    ['a numeric method', { jsonrpc: '2.0', id: 2, method: 5 }, 2, 'method must be a non-empty string'],
    ['an empty method', { jsonrpc: '2.0', id: 2, method: '' }, 2, 'method must be a non-empty string'],
    ['string params', { jsonrpc: '2.0', id: 3, method: 'm', params: '0x' }, 3, 'params must be an array or an object'],
  ]
  for (const [name, value, id, why] of invalid) {
    it(`refuses ${name} with -32600`, () => {
      expect(parseCall(value)).toEqual({ id, error: { code: -32600, message: `invalid request: ${why}` } })
    })
  }
})
