/*
 * Properties of the codecs and the dispatcher: round trips, and "any input gets a JSON-RPC answer
 * or a named params error, never a crash".
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createDispatcher } from '../src/dispatcher.ts'
import { bytesToHex, hexToBytes } from '../src/hex.ts'
import { parseBody } from '../src/jsonrpc.ts'
import { METHODS } from '../src/methods.ts'
import { parseCriteria, parseNewMessage } from '../src/shapes.ts'
import { fakeShh } from './fixtures/fake-shh.ts'

const throwsOnlyParamsErrors = (run: () => unknown): void => {
  try {
    run()
  } catch (error) {
    expect((error as Error).name).toBe('InvalidParamsError')
  }
}

describe('codec properties', () => {
  it('hexToBytes(bytesToHex(b)) is b, and the hex is lowercase', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const hex = bytesToHex(bytes)
        expect(hex).toMatch(/^0x[0-9a-f]*$/)
        expect(hexToBytes(hex, 'x')).toEqual(bytes)
      }),
    )
  })

  it('decoders throw nothing but InvalidParamsError on any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string(), (value, text) => {
        throwsOnlyParamsErrors(() => hexToBytes(value, 'x'))
        throwsOnlyParamsErrors(() => hexToBytes(text, 'x', 4))
        throwsOnlyParamsErrors(() => parseNewMessage(value, 'x'))
        throwsOnlyParamsErrors(() => parseCriteria(value, 'x'))
      }),
    )
  })

  it('parseBody never throws', () => {
    fc.assert(fc.property(fc.string(), (text) => void parseBody(text)))
    fc.assert(fc.property(fc.jsonValue(), (value) => void parseBody(JSON.stringify(value) ?? 'null')))
  })

  it('every method answers any params with a JSON-RPC response', async () => {
    const dispatcher = createDispatcher(fakeShh())
    const ctx = { signal: new AbortController().signal, subscriptions: undefined }
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...Object.keys(METHODS)), fc.array(fc.jsonValue(), { maxLength: 3 }), async (method, params) => {
        const out = await dispatcher.handle(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }), ctx)
        const response = JSON.parse(out as string) as { result?: unknown; error?: { code: number } }
        expect('result' in response || [-32602, -32000].includes(response.error?.code as number)).toBe(true)
      }),
      { numRuns: 300 },
    )
  })
})
