import { getPublicKey, symKeyFromPassword } from '@hush/envelope'
import { describe, expect, it } from 'vitest'
import { KeyStore } from '../src/key-store.ts'

const isKeyNotFound = expect.objectContaining({ name: 'KeyNotFoundError' })

describe('KeyStore', () => {
  it('stores key pairs under random 64-hex ids', () => {
    const ks = new KeyStore()
    const a = ks.newKeyPair()
    const b = ks.newKeyPair()
    expect(a).toMatch(/^[0-9a-f]{64}$/)
    expect(a).not.toBe(b)
    expect(ks.hasKeyPair(a)).toBe(true)
    expect(ks.getPublicKey(a)).toEqual(getPublicKey(ks.getPrivateKey(a)))
    expect(ks.getPublicKey(a).length).toBe(65)
  })
  it('adds private keys by copy and derives the public key', () => {
    const ks = new KeyStore()
    const priv = new Uint8Array(32).fill(7)
    const id = ks.addPrivateKey(priv)
    priv.fill(0)
    expect(ks.getPrivateKey(id)).toEqual(new Uint8Array(32).fill(7))
    expect(() => ks.addPrivateKey(new Uint8Array(32))).toThrow(RangeError)
    expect(() => ks.addPrivateKey('x' as unknown as Uint8Array)).toThrow(TypeError)
  })
  it('zeroizes keys on delete', () => {
    const ks = new KeyStore()
    const id = ks.newKeyPair()
    const inner = ks.pair(id).privateKey
    expect(ks.deleteKeyPair(id)).toBe(true)
    expect(inner.every((b) => b === 0)).toBe(true)
    expect(ks.deleteKeyPair(id)).toBe(false)
    expect(() => ks.getPublicKey(id)).toThrow(isKeyNotFound)
    const sid = ks.addSymKey(new Uint8Array(32).fill(1))
    const sym = ks.symKey(sid)
    expect(ks.deleteSymKey(sid)).toBe(true)
    expect(sym.every((b) => b === 0)).toBe(true)
    expect(() => ks.getSymKey(sid)).toThrow(isKeyNotFound)
  })
  it('generates and returns symmetric keys as copies', () => {
    const ks = new KeyStore()
    const id = ks.newSymKey()
    const k = ks.getSymKey(id)
    expect(k.length).toBe(32)
    k.fill(0)
    expect(ks.getSymKey(id).some((b) => b !== 0)).toBe(true)
    expect(() => ks.addSymKey(new Uint8Array(31))).toThrow(RangeError)
    expect(() => ks.hasSymKey(5 as unknown as string)).toThrow(TypeError)
  })
  it('clear() zeroizes everything', () => {
    const ks = new KeyStore()
    const id = ks.newSymKey()
    const k = ks.symKey(id)
    ks.clear()
    expect(k.every((b) => b === 0)).toBe(true)
    expect(ks.hasSymKey(id)).toBe(false)
  })
  it('derives password keys asynchronously, with the same bytes as the sync derivation', async () => {
    const ks = new KeyStore()
    const id = await ks.addSymKeyFromPasswordAsync('correct horse')
    expect(id).toMatch(/^[0-9a-f]{64}$/)
    expect(ks.getSymKey(id)).toEqual(symKeyFromPassword('correct horse'))
    expect(ks.getSymKey(ks.addSymKeyFromPassword('correct horse'))).toEqual(ks.getSymKey(id))
    await expect(ks.addSymKeyFromPasswordAsync(7 as unknown as string)).rejects.toThrow(TypeError)
  })
  it('stores no password key when aborted or cleared during the derivation', async () => {
    const ks = new KeyStore()
    await expect(ks.addSymKeyFromPasswordAsync('pw', { signal: AbortSignal.abort() })).rejects.toThrow(expect.objectContaining({ name: 'AbortError' }))
    const pending = ks.addSymKeyFromPasswordAsync('pw')
    ks.clear()
    await expect(pending).rejects.toThrow(expect.objectContaining({ name: 'AbortError' }))
  })
})
