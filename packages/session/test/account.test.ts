import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@hush/envelope'
import { gcm } from '@noble/ciphers/aes.js'
import { scrypt } from '@noble/hashes/scrypt.js'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { addContact, createAccountData, decryptAccount, encryptAccount, removeContact } from '../src/account.ts'
import { loadAccount, saveAccount } from '../src/account-file.ts'

const FAST = { logN: 10 }
const bob = generateKeyPair().publicKey
const carol = generateKeyPair().publicKey

/** Builds a version-1 file around arbitrary content, following the documented layout. */
function fileWith(content: string, password: string, version = 2): Uint8Array {
  const header = new Uint8Array(40)
  header.set(utf8ToBytes('HUSHACCT'), 0)
  header.set([version, 10, 8, 1], 8)
  header.fill(7, 12, 40)
  const key = scrypt(utf8ToBytes(password), header.subarray(12, 28), { N: 1024, r: 8, p: 1, dkLen: 32 })
  const sealed = gcm(key, header.subarray(28, 40), header).encrypt(utf8ToBytes(content))
  const out = new Uint8Array(40 + sealed.length)
  out.set(header)
  out.set(sealed, 40)
  return out
}

describe('account encryption', () => {
  it('round-trips identity and contacts; add replaces by name, remove drops', async () => {
    let account = createAccountData()
    account = addContact(account, 'bob', bob)
    account = addContact(account, 'carol', carol)
    account = addContact(account, 'bob', carol)
    expect(account.contacts.map((c) => c.name)).toEqual(['carol', 'bob'])
    account = removeContact(account, 'carol')
    const bytes = await encryptAccount(account, 'correct horse', FAST)
    expect(new TextDecoder().decode(bytes.subarray(0, 8))).toBe('HUSHACCT')
    expect(bytes.length).toBeGreaterThan(40 + 16)
    expect(bytesToHex(bytes).includes(bytesToHex(account.privateKey))).toBe(false)
    const back = await decryptAccount(bytes, 'correct horse')
    expect(back).toEqual(account)
    expect(await encryptAccount(account, 'correct horse', FAST)).not.toEqual(bytes) // fresh salt and nonce
  })

  it('refuses a wrong password and any altered byte with AccountDecryptionError', async () => {
    const bytes = await encryptAccount(addContact(createAccountData(), 'bob', bob), 'pw', FAST)
    await expect(decryptAccount(bytes, 'pw!')).rejects.toMatchObject({ name: 'AccountDecryptionError' })
    for (const index of [12, 30, 39, 40, bytes.length - 1]) {
      const altered = bytes.slice()
      altered[index] ^= 1
      await expect(decryptAccount(altered, 'pw')).rejects.toMatchObject({ name: 'AccountDecryptionError' })
    }
    const cheaper = bytes.slice()
    cheaper[10] = 1 // r: 8 → 1, authenticated as AAD
    await expect(decryptAccount(cheaper, 'pw')).rejects.toMatchObject({ name: 'AccountDecryptionError' })
  })

  const keys = { sessionIdentity: '22'.repeat(32), stateKey: '33'.repeat(32) }
  const valid = fileWith(JSON.stringify({ privateKey: bytesToHex(createAccountData().privateKey), ...keys, contacts: [] }), 'pw')
  const withHeader = (i: number, v: number): Uint8Array => {
    const b = valid.slice()
    b[i] = v
    return b
  }
  const contentCases: [string, string][] = [
    ['not JSON', '{'],
    ['wrong shape', '[]'],
    ['missing contacts', JSON.stringify({ privateKey: '11'.repeat(32), ...keys })],
    ['missing session identity', JSON.stringify({ privateKey: '11'.repeat(32), stateKey: keys.stateKey, contacts: [] })],
    ['missing state key', JSON.stringify({ privateKey: '11'.repeat(32), sessionIdentity: keys.sessionIdentity, contacts: [] })],
    ['short state key', JSON.stringify({ privateKey: '11'.repeat(32), ...keys, stateKey: '33'.repeat(31), contacts: [] })],
    ['uppercase key hex', JSON.stringify({ privateKey: 'AA'.repeat(32), ...keys, contacts: [] })],
    ['zero private key', JSON.stringify({ privateKey: '00'.repeat(32), ...keys, contacts: [] })],
    ['short private key', JSON.stringify({ privateKey: '11'.repeat(31), ...keys, contacts: [] })],
    ['contact off the curve', JSON.stringify({ privateKey: '11'.repeat(32), ...keys, contacts: [{ name: 'x', publicKey: '04' + 'ff'.repeat(64) }] })],
    ['repeated name', JSON.stringify({ privateKey: '11'.repeat(32), ...keys, contacts: [{ name: 'x', publicKey: bytesToHex(bob) }, { name: 'x', publicKey: bytesToHex(carol) }] })],
    ['empty name', JSON.stringify({ privateKey: '11'.repeat(32), ...keys, contacts: [{ name: '', publicKey: bytesToHex(bob) }] })],
  ]
  const headerCases: [string, Uint8Array][] = [
    ['too short', valid.subarray(0, 50)],
    ['bad magic', withHeader(0, 0x41)],
    ['unknown version', withHeader(8, 3)],
    ['logN beyond 20', withHeader(9, 30)],
    ['logN below 10', withHeader(9, 4)],
    ['p zero', withHeader(11, 0)],
  ]
  it.each([...headerCases, ...contentCases.map(([n, c]): [string, Uint8Array] => [n, fileWith(c, 'pw')])])('rejects %s with InvalidAccountError', async (_name, bytes) => {
    await expect(decryptAccount(bytes, 'pw')).rejects.toMatchObject({ name: 'InvalidAccountError' })
  })

  it('the hand-built valid file opens (the layout above is the documented one)', async () => {
    const account = await decryptAccount(valid, 'pw')
    expect(account.contacts).toEqual([])
    expect(bytesToHex(account.sessionIdentity) + bytesToHex(account.stateKey)).toBe(keys.sessionIdentity + keys.stateKey)
  })

  it('opens a version-1 file with fresh session keys, and saves it as version 2', async () => {
    const v1 = fileWith(JSON.stringify({ privateKey: '11'.repeat(32), contacts: [{ name: 'bob', publicKey: bytesToHex(bob) }] }), 'pw', 1)
    const account = await decryptAccount(v1, 'pw')
    expect(bytesToHex(account.privateKey)).toBe('11'.repeat(32))
    expect(account.contacts.map((c) => c.name)).toEqual(['bob'])
    expect(account.sessionIdentity).toHaveLength(32)
    expect(account.stateKey).toHaveLength(32)
    expect(bytesToHex(account.sessionIdentity)).not.toBe(bytesToHex(account.stateKey))
    const saved = await encryptAccount(account, 'pw', FAST)
    expect(saved[8]).toBe(2)
    expect(await decryptAccount(saved, 'pw')).toEqual(account)
  })

  it('rejects bad arguments', async () => {
    expect(() => addContact(createAccountData(), '', bob)).toThrow(RangeError)
    expect(() => addContact(createAccountData(), 'x', new Uint8Array(65))).toThrow(RangeError)
    await expect(encryptAccount(createAccountData(), 'pw', { logN: 25 })).rejects.toThrow(RangeError)
    await expect(encryptAccount({ ...createAccountData(), privateKey: new Uint8Array(32) }, 'pw', FAST)).rejects.toThrow(RangeError)
    await expect(encryptAccount({ ...createAccountData(), stateKey: new Uint8Array(16) }, 'pw', FAST)).rejects.toThrow(new RangeError('account.stateKey must be 32 bytes, got 16'))
    await expect(encryptAccount(createAccountData(), 1 as unknown as string, FAST)).rejects.toThrow(TypeError)
    await expect(decryptAccount(valid, undefined as unknown as string)).rejects.toThrow(TypeError)
  })

  it('refuses KDF costs beyond the scrypt memory limit up front, naming the argument', async () => {
    // 128 · r · (2^logN + p + 1) bytes must fit in the 1 GiB + 4 KiB limit passed to scrypt.
    await expect(encryptAccount(createAccountData(), 'pw', { logN: 20, r: 9 })).rejects.toThrow(expect.objectContaining({ name: 'RangeError', message: expect.stringContaining('options.r') }))
    await expect(encryptAccount(createAccountData(), 'pw', { logN: 20, r: 8, p: 4 })).rejects.toThrow(expect.objectContaining({ name: 'RangeError', message: expect.stringContaining('options.p') }))
    await expect(encryptAccount(createAccountData(), 'pw', { logN: 20, r: 16 })).rejects.toThrow(RangeError)
    await expect(decryptAccount(withHeader(10, 9).map((b, i) => (i === 9 ? 20 : b)), 'pw')).rejects.toMatchObject({ name: 'InvalidAccountError' })
  })
})

describe('account files', () => {
  let dir = ''
  afterEach(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true })
    dir = ''
  })

  it('saves atomically with mode 0600, replaces, and loads', async () => {
    dir = await mkdtemp(join(tmpdir(), 'hush-account-'))
    const path = join(dir, 'alice.account')
    const first = addContact(createAccountData(), 'bob', bob)
    await saveAccount(path, first, 'pw', FAST)
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    expect(await loadAccount(path, 'pw')).toEqual(first)
    const second = addContact(first, 'carol', carol)
    await saveAccount(path, second, 'pw', FAST)
    expect(await loadAccount(path, 'pw')).toEqual(second)
    expect(await readdir(dir)).toEqual(['alice.account']) // no temporary files left behind
    await writeFile(join(dir, 'junk'), 'not an account')
    await expect(loadAccount(join(dir, 'junk'), 'pw')).rejects.toMatchObject({ name: 'InvalidAccountError' })
    await expect(loadAccount(join(dir, 'missing'), 'pw')).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('fsyncs the directory after the rename, so the new name survives a crash', async () => {
    dir = await mkdtemp(join(tmpdir(), 'hush-account-'))
    const path = join(dir, 'alice.account')
    const real = process.getBuiltinModule('node:fs/promises')
    const calls: string[] = []
    const traced = {
      ...real,
      open: async (file: string, flags: string, mode?: number) => {
        const handle = await real.open(file, flags, mode)
        const what = file === dir ? 'dir' : 'file'
        calls.push(`open ${what}`)
        return Object.assign(Object.create(handle), { sync: () => (calls.push(`sync ${what}`), handle.sync()), close: () => handle.close(), writeFile: (d: Uint8Array) => handle.writeFile(d) })
      },
      rename: async (from: string, to: string) => {
        calls.push('rename')
        return real.rename(from, to)
      },
    }
    const spy = vi.spyOn(process, 'getBuiltinModule').mockImplementation(((id: string) => (id === 'node:fs/promises' ? traced : real)) as typeof process.getBuiltinModule)
    try {
      await saveAccount(path, createAccountData(), 'pw', FAST)
    } finally {
      spy.mockRestore()
    }
    expect(calls).toEqual(['open file', 'sync file', 'rename', 'open dir', 'sync dir'])
  })
})
