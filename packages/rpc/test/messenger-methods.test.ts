/**
 * The `hush_*` messenger methods over the dispatcher, with a fake messenger: what reaches the
 * messenger, the malformed-params table (−32602, one per decoder rule), refusals (−32000 with
 * the messenger's text), and a property of the param decoders. The methods against two real
 * nodes over a real WebSocket are in packages/messenger/test/rpc.test.ts.
 */
import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import { createDispatcher } from '../src/dispatcher.ts'
import { type MessengerApi, parseConversationId, parsePublicKey, parseText } from '../src/messenger-methods.ts'
import type { CallContext } from '../src/methods.ts'
import { fakeShh } from './fixtures/fake-shh.ts'

const KEY = `0x04${'ab'.repeat(64)}`
const ID = '0123456789abcdef'

function fakeMessenger(): MessengerApi & { [K in keyof MessengerApi]: ReturnType<typeof vi.fn> } {
  return {
    info: vi.fn(async () => ({ exists: true, unlocked: false })),
    createAccount: vi.fn(async () => ({ exists: true, unlocked: true, publicKey: KEY })),
    unlock: vi.fn(async () => ({ exists: true, unlocked: true, publicKey: KEY })),
    lock: vi.fn(async () => {}),
    friends: vi.fn(() => [{ name: 'bob', publicKey: KEY }]),
    addFriend: vi.fn(async (name: string, publicKey: string) => ({ name, publicKey })),
    renameFriend: vi.fn(async (publicKey: string, name: string) => ({ name, publicKey })),
    removeFriend: vi.fn(async () => {}),
    open: vi.fn(async () => ({ id: ID, state: 'inviting' })),
    requests: vi.fn(() => []),
    accept: vi.fn(async () => ({ id: ID, state: 'pending' })),
    reject: vi.fn(async () => {}),
    conversations: vi.fn(() => []),
    messages: vi.fn(() => [{ direction: 'in', seq: 1, text: 'hi', atMs: 5 }]),
    send: vi.fn(async () => 7),
    close: vi.fn(async () => {}),
    events: vi.fn(async function* () {}),
  } as never
}

const http: CallContext = { signal: new AbortController().signal, subscriptions: undefined }

async function call(messenger: MessengerApi, method: string, params: unknown[]): Promise<{ result?: unknown; error?: { code: number; message: string } }> {
  const dispatcher = createDispatcher(fakeShh(), { messenger })
  return JSON.parse((await dispatcher.handle(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }), http)) as string)
}

describe('hush_* messenger methods', () => {
  it('pass decoded params to the messenger and its results back', async () => {
    const m = fakeMessenger()
    expect(await call(m, 'hush_accountCreate', ['pw'])).toMatchObject({ result: { unlocked: true, publicKey: KEY } })
    expect(m.createAccount).toHaveBeenCalledWith('pw')
    expect(await call(m, 'hush_friendAdd', ['bob', KEY.toUpperCase().replace('0X', '0x')])).toMatchObject({ result: { name: 'bob', publicKey: KEY } })
    expect(m.addFriend).toHaveBeenCalledWith('bob', KEY)
    expect(await call(m, 'hush_friendRename', [KEY, 'robert'])).toMatchObject({ result: { name: 'robert' } })
    expect(await call(m, 'hush_friendRemove', [KEY])).toEqual({ jsonrpc: '2.0', id: 1, result: true })
    expect(await call(m, 'hush_friendList', [])).toMatchObject({ result: [{ name: 'bob' }] })
    expect(await call(m, 'hush_open', [KEY])).toMatchObject({ result: { id: ID, state: 'inviting' } })
    expect(await call(m, 'hush_accept', [ID.toUpperCase()])).toMatchObject({ result: { id: ID } })
    expect(m.accept).toHaveBeenCalledWith(ID)
    expect(await call(m, 'hush_reject', [ID])).toMatchObject({ result: true })
    expect(await call(m, 'hush_send', [ID, 'hello'])).toMatchObject({ result: 7 })
    expect(m.send).toHaveBeenCalledWith(ID, 'hello', expect.objectContaining({ signal: expect.any(AbortSignal) }))
    expect(await call(m, 'hush_close', [ID])).toMatchObject({ result: true })
    expect(await call(m, 'hush_accountLock', [])).toMatchObject({ result: true })
    expect(await call(m, 'hush_accountInfo', [])).toMatchObject({ result: { exists: true, unlocked: false } })
    expect(await call(m, 'hush_requests', [])).toMatchObject({ result: [] })
    expect(await call(m, 'hush_conversations', [])).toMatchObject({ result: [] })
    expect(await call(m, 'hush_messages', [ID])).toMatchObject({ result: [{ direction: 'in', seq: 1, text: 'hi', atMs: 5 }] })
    expect(m.messages).toHaveBeenCalledWith(ID)
  })

  it('are not served without a messenger', async () => {
    const dispatcher = createDispatcher(fakeShh())
    const reply = JSON.parse((await dispatcher.handle('{"jsonrpc":"2.0","id":1,"method":"hush_accountInfo","params":[]}', http)) as string)
    expect(reply.error.code).toBe(-32601)
    expect(() => createDispatcher(fakeShh(), { messenger: {} as MessengerApi })).toThrow(TypeError)
  })

  it('refuse with −32000 and the messenger’s text', async () => {
    const m = fakeMessenger()
    m.unlock.mockRejectedValueOnce(Object.assign(new Error('wrong password (or the account file was altered)'), { name: 'WrongPasswordError' }))
    expect(await call(m, 'hush_accountUnlock', ['nope'])).toMatchObject({ error: { code: -32000, message: 'wrong password (or the account file was altered)' } })
    m.friends.mockImplementationOnce(() => {
      throw Object.assign(new Error('the messenger account is locked: unlock it first'), { name: 'LockedError' })
    })
    expect(await call(m, 'hush_friendList', [])).toMatchObject({ error: { code: -32000, message: 'the messenger account is locked: unlock it first' } })
    expect(await call(m, 'hush_subscribe', ['messenger'])).toMatchObject({ error: { code: -32000, message: 'notifications not supported' } })
  })

  const long = 'é'.repeat(2026) // 4052 bytes of UTF-8
  it.each([
    ['hush_accountCreate', 'missing value for required argument 0', []],
    ['hush_accountCreate', 'invalid argument 0: a password must be 1–1024 characters', ['']],
    ['hush_accountUnlock', 'invalid argument 0: expected a string, got number', [42]],
    ['hush_accountUnlock', 'invalid argument 0: a password must be 1–1024 characters', ['x'.repeat(1025)]],
    ['hush_accountLock', 'too many arguments, want at most 0', [1]],
    ['hush_friendAdd', 'missing value for required argument 1', ['bob']],
    ['hush_friendAdd', 'invalid argument 0: a name must be 1–256 characters', ['', KEY]],
    ['hush_friendAdd', 'invalid argument 0: a name must be 1–256 characters', ['x'.repeat(257), KEY]],
    ['hush_friendAdd', 'invalid argument 1: expected a public key, 0x04 and 128 hex digits', ['bob', KEY.slice(0, -2)]],
    ['hush_friendAdd', 'invalid argument 1: expected a public key, 0x04 and 128 hex digits', ['bob', `0x02${'ab'.repeat(32)}`]],
    ['hush_friendRename', 'invalid argument 0: expected a public key, 0x04 and 128 hex digits', ['bob', KEY]],
    ['hush_friendRemove', 'invalid argument 0: expected a public key, 0x04 and 128 hex digits', [`${KEY}00`]],
    ['hush_open', 'invalid argument 0: expected a public key, 0x04 and 128 hex digits', [KEY.slice(2)]],
    ['hush_accept', 'invalid argument 0: expected an id of 16 hex digits', ['0123']],
    ['hush_reject', 'invalid argument 0: expected an id of 16 hex digits', [`0x${ID}`]],
    ['hush_send', 'missing value for required argument 1', [ID]],
    ['hush_send', 'invalid argument 1: expected a string, got number', [ID, 5]],
    ['hush_send', 'invalid argument 1: a message is at most 4051 bytes of UTF-8, got 4052', [ID, long]],
    ['hush_send', 'invalid argument 0: expected an id of 16 hex digits', ['zz23456789abcdef', 'hi']],
    ['hush_close', 'too many arguments, want at most 1', [ID, ID]],
    ['hush_messages', 'invalid argument 0: expected an id of 16 hex digits', [`${ID}0`]],
    ['hush_subscribe', 'missing value for required argument 0', []],
  ])('%s is −32602: %s', async (method, message, params) => {
    const m = fakeMessenger()
    expect(await call(m, method, params)).toMatchObject({ error: { code: -32602, message } })
    for (const fn of Object.values(m)) if (fn !== m.events) expect(fn).not.toHaveBeenCalled()
  })

  it('decoders accept exactly their shapes (property)', () => {
    const hex = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: n, maxLength: n })
    fc.assert(
      fc.property(hex(128), (digits) => {
        expect(parsePublicKey(`0x04${digits}`, 'k')).toBe(`0x04${digits.toLowerCase()}`)
      })
    )
    fc.assert(
      fc.property(hex(16), (digits) => {
        expect(parseConversationId(digits, 'id')).toBe(digits.toLowerCase())
      })
    )
    // Anything else is refused as bad params, never with another error.
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.object(), hex(15), hex(17), hex(130)), (value) => {
        for (const decode of [parsePublicKey, parseConversationId]) {
          expect(() => decode(value, 'x')).toThrow(expect.objectContaining({ name: 'InvalidParamsError' }))
        }
      })
    )
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 5000 }), (text) => {
        const bytes = new TextEncoder().encode(text).length
        if (bytes <= 4051) expect(parseText(text, 't')).toBe(text)
        else expect(() => parseText(text, 't')).toThrow(expect.objectContaining({ name: 'InvalidParamsError' }))
      })
    )
  })
})
