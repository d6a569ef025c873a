import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkRpcExposure, isLoopbackHost, readToken } from '../src/rpc-access.ts'

describe('who may use the RPC', () => {
  let dir = ''
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hush-token-'))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('knows loopback hosts from the rest', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]']) expect(isLoopbackHost(host)).toBe(true)
    for (const host of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.20', 'example.org', '128.0.0.1', '127.0.0.1.example.org']) expect(isLoopbackHost(host)).toBe(false)
  })

  it('refuses an RPC beyond loopback without a token unless --insecure, naming the way out', () => {
    expect(() => checkRpcExposure('0.0.0.0', undefined, false)).toThrow(
      expect.objectContaining({ name: 'CliError', exitCode: 2, message: expect.stringContaining('--rpc-host 0.0.0.0 lets other machines use this node') })
    )
    expect(() => checkRpcExposure('0.0.0.0', 'secret', false)).not.toThrow()
    expect(() => checkRpcExposure('0.0.0.0', undefined, true)).not.toThrow()
    expect(() => checkRpcExposure('127.0.0.1', undefined, false)).not.toThrow()
  })

  it('reads the token from the flag, else the first line of the file, else $HUSH_TOKEN', async () => {
    const file = join(dir, 'token')
    await writeFile(file, 's3cret\nignored\n')
    const saved = process.env.HUSH_TOKEN
    try {
      process.env.HUSH_TOKEN = 'from-env'
      expect(readToken('flag', undefined)).toBe('flag')
      expect(readToken(undefined, file)).toBe('s3cret')
      expect(readToken(undefined, undefined)).toBe('from-env')
      process.env.HUSH_TOKEN = ''
      expect(readToken(undefined, undefined)).toBeUndefined()
    } finally {
      if (saved === undefined) delete process.env.HUSH_TOKEN
      else process.env.HUSH_TOKEN = saved
    }
    expect(() => readToken('flag', file)).toThrow(expect.objectContaining({ name: 'CliError', message: 'give at most one of --token and --token-file' }))
    await writeFile(join(dir, 'empty'), '\nx\n')
    expect(() => readToken(undefined, join(dir, 'empty'))).toThrow(expect.objectContaining({ name: 'CliError', message: expect.stringContaining('holds no token') }))
  })
})
