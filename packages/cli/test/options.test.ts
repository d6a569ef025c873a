import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { parseDuration, parseKeyId, parsePeer, parsePublicKey, parseRpcUrl, parseSize, parseTime, readPassword } from '../src/options.ts'

const NOW = 1_764_072_000

describe('parseTime', () => {
  it('reads unix seconds, now, and ages', () => {
    expect(parseTime('1700000000', '--from', NOW)).toBe(1_700_000_000)
    expect(parseTime('now', '--to', NOW)).toBe(NOW)
    expect(parseTime('90s', '--from', NOW)).toBe(NOW - 90)
    expect(parseTime('30m', '--from', NOW)).toBe(NOW - 1800)
    expect(parseTime('2h', '--from', NOW)).toBe(NOW - 7200)
    expect(parseTime('7d', '--from', NOW)).toBe(NOW - 7 * 86_400)
    expect(parseTime('100000d', '--from', NOW)).toBe(0)
  })

  it('refuses anything else, naming the flag', () => {
    for (const bad of ['', 'yesterday', '-5', '1.5', '2w', '4294967296', 'h']) {
      expect(() => parseTime(bad, '--from', NOW)).toThrow(expect.objectContaining({ name: 'CliError', message: expect.stringMatching(/^--from must be unix seconds/) }))
    }
  })
})

describe('parseDuration and parseSize', () => {
  it('read the retention flags', () => {
    expect(parseDuration('90s', '--x')).toBe(90)
    expect(parseDuration('30d', '--x')).toBe(30 * 86_400)
    expect(parseSize('1234', '--x')).toBe(1234)
    expect(parseSize('512M', '--x')).toBe(512 * 1024 ** 2)
    expect(parseSize('2T', '--x')).toBe(2 * 1024 ** 4)
  })

  it('refuse anything else, naming the flag', () => {
    for (const bad of ['0s', '5', '5w', '-1d', '1.5h', '']) expect(() => parseDuration(bad, '--mail-max-age')).toThrow(expect.objectContaining({ name: 'CliError', message: expect.stringContaining('--mail-max-age') }))
    for (const bad of ['1.5G', '10GB', '-1', 'x', '', '99999999999999999999']) expect(() => parseSize(bad, '--mail-max-bytes')).toThrow(expect.objectContaining({ name: 'CliError', message: expect.stringContaining('--mail-max-bytes') }))
  })
})

describe('parsePeer', () => {
  it('takes a peer id or the /p2p/ part of a multiaddr', () => {
    expect(parsePeer('12D3KooWabc', '--peer')).toBe('12D3KooWabc')
    expect(parsePeer('/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWabc', '--peer')).toBe('12D3KooWabc')
  })

  it('refuses a multiaddr without a peer id, and blanks', () => {
    expect(() => parsePeer('/ip4/127.0.0.1/tcp/1', '--peer')).toThrow(/^--peer must end in \/p2p\/<peer id>/)
    expect(() => parsePeer('/ip4/127.0.0.1/tcp/1/p2p/', '--peer')).toThrow(/^--peer must end in/)
    expect(() => parsePeer('', '--peer')).toThrow(/^--peer must be a peer id/)
    expect(() => parsePeer('a b', '--peer')).toThrow(/^--peer must be a peer id/)
  })
})

describe('readPassword', () => {
  const dirs: string[] = []
  const saved = process.env.HUSH_TEST_PASSWORD
  afterEach(async () => {
    if (saved === undefined) delete process.env.HUSH_TEST_PASSWORD
    else process.env.HUSH_TEST_PASSWORD = saved
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
  })

  it('reads the file (dropping one trailing newline), else the environment', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hush-pw-'))
    dirs.push(dir)
    await writeFile(join(dir, 'pw'), 'secret words \n')
    process.env.HUSH_TEST_PASSWORD = 'from env'
    expect(await readPassword(join(dir, 'pw'), 'HUSH_TEST_PASSWORD', '--password-file')).toBe('secret words ')
    expect(await readPassword(undefined, 'HUSH_TEST_PASSWORD', '--password-file')).toBe('from env')
  })

  it('says what is missing or unreadable', async () => {
    delete process.env.HUSH_TEST_PASSWORD
    await expect(readPassword(undefined, 'HUSH_TEST_PASSWORD', '--password-file')).rejects.toThrow('the mail password is missing: give --password-file <file> or set HUSH_TEST_PASSWORD')
    await expect(readPassword('/nonexistent/pw', 'HUSH_TEST_PASSWORD', '--password-file')).rejects.toMatchObject({ name: 'CliError', message: expect.stringMatching(/^cannot read --password-file \/nonexistent\/pw: /) })
  })
})

describe('client flags: --rpc, --pub-key, key ids', () => {
  const KEY = '0483de45459068f40d9379972737933f7b3f7883703e96640a97e43a7a2aeb2225c566dff8c66d0975088e885b257fbfe82b39ddaf0d41ee3a7b9e2444df0e7789'

  it('--rpc without a scheme means http://; other schemes and non-URLs are refused', () => {
    expect(parseRpcUrl('127.0.0.1:8545')).toBe('http://127.0.0.1:8545')
    expect(parseRpcUrl('localhost:8545')).toBe('http://localhost:8545')
    expect(parseRpcUrl('https://node.example:443/rpc')).toBe('https://node.example:443/rpc')
    expect(() => parseRpcUrl('ws://127.0.0.1:8546')).toThrow(/^--rpc must be an http:\/\/ or https:\/\/ URL/)
    expect(() => parseRpcUrl('http://[')).toThrow(/^--rpc must be the node's URL/)
  })

  it('a public key with or without 0x; anything else refused in one line', () => {
    expect(parsePublicKey(KEY, '--pub-key')).toBe(`0x${KEY}`)
    expect(parsePublicKey(`0x${KEY.toUpperCase()}`, '--pub-key')).toBe(`0x${KEY}`)
    for (const bad of ['0x1234', `05${KEY.slice(2)}`, `${KEY}00`, 'zz', `04${'0'.repeat(128)}`]) {
      expect(() => parsePublicKey(bad, '--pub-key')).toThrow(expect.objectContaining({ name: 'CliError', exitCode: 2, message: expect.stringMatching(/^--pub-key must be a public key: 0x and 130 hex digits/) }))
    }
  })

  it('a key id with 0x loses it; other ids are kept as given', () => {
    const id = 'ab'.repeat(32)
    expect(parseKeyId(`0x${id}`)).toBe(id)
    expect(parseKeyId(id)).toBe(id)
    expect(parseKeyId('0x1234')).toBe('0x1234')
  })
})
