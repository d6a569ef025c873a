/*
 * Issue 14 item 11: passwords are asked for on a terminal with nothing echoed (after the flag or
 * file and the environment variable), twice when chosen; without a terminal the one-line error
 * stays; a weak password chosen gets a one-line warning. The terminal is a real pseudo-terminal:
 * util-linux `script` runs `hush` under one, and the test types into it once each question shows.
 */
import { execFile, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { editLine } from '../src/prompt.ts'
import { passwordWeakness, warnIfWeak } from '../src/weak-password.ts'
import { HUSH_BIN, type StartedNode, startHush } from './fixtures/hush-node.ts'

const run = promisify(execFile)

/** No password in the environment unless a test gives one. */
const NO_PASSWORDS = { HUSH_PASSWORD: '', HUSH_KEY_PASSWORD: '', HUSH_MAIL_PASSWORD: '' }

/** `hush …args` without a terminal (stdin and stdout pipes): exit code, stdout, stderr. */
async function hush(args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [HUSH_BIN, ...args], { timeout: 30_000, env: { ...process.env, ...NO_PASSWORDS, ...env } })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

const quote = (arg: string): string => `'${arg.replaceAll("'", "'\\''")}'`

/** Questions `hush` asks: `… password …: `. */
const QUESTION = /password[^\n]*: /g

/**
 * Runs `hush …args` on a pseudo-terminal (`script -qec`; `redirect` is appended to the shell
 * command, e.g. `> out.txt`) and types `answers[i]` once the i-th question has appeared. Returns
 * the exit code and everything the terminal showed (CR LF read as LF); gives up after 30 s.
 */
function onTerminal(args: readonly string[], answers: readonly string[], redirect = ''): Promise<{ code: number | null; screen: string }> {
  const command = `${[process.execPath, HUSH_BIN, ...args].map(quote).join(' ')} ${redirect}`
  const child = spawn('/usr/bin/script', ['-qec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...NO_PASSWORDS } })
  let screen = ''
  let typed = 0
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`no exit in 30 s; the terminal showed: ${JSON.stringify(screen)}`))
    }, 30_000)
    child.stdout.on('data', (chunk: Buffer) => {
      screen += chunk.toString().replaceAll('\r\n', '\n')
      const asked = screen.match(QUESTION)?.length ?? 0
      if (asked > typed && typed < answers.length) child.stdin.write(answers[typed++] as string)
    })
    child.stderr.on('data', (chunk: Buffer) => (screen += chunk.toString()))
    child.once('exit', (code) => {
      clearTimeout(timer)
      child.stdin.destroy()
      resolve({ code, screen })
    })
  })
}

const PUBLIC_KEY_LINE = /^0x04[0-9a-f]{128}$/m
const STRONG = 'correct horse battery staple'

describe('passwords on a terminal', () => {
  let dir = ''
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hush-password-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('account create asks twice without echo, on stderr, and the account opens with what was typed', async () => {
    const account = join(dir, 'typed.account')
    const out = join(dir, 'typed.out')
    // Typing with corrections: a wrong last character erased with Backspace, an arrow key (dropped).
    const typing = `${STRONG}X\x7f\x1b[D\r`
    const { code, screen } = await onTerminal(['account', 'create', '--account', account], [typing, typing], `> ${quote(out)}`)
    expect(code).toBe(0)
    expect(screen).toBe(`new password for ${account}: \nnew password for ${account} (again): \n`)
    expect(screen).not.toContain('horse')
    // stdout (redirected) holds only the public key: the questions went to stderr.
    const key = (await readFile(out, 'utf8')).trim()
    expect(key).toMatch(PUBLIC_KEY_LINE)
    expect(await hush(['account', 'show', '--account', account], { HUSH_PASSWORD: STRONG })).toEqual({ code: 0, stdout: `me: ${key}\n`, stderr: '' })
    // Opening it asks once (and a wrong answer is the usual one line).
    const shown = await onTerminal(['account', 'show', '--account', account], [`${STRONG}\r`])
    expect(shown.screen).toBe(`password for ${account}: \nme: ${key}\n`)
    const wrong = await onTerminal(['account', 'show', '--account', account], ['correct horse\r'])
    expect(wrong).toEqual({ code: 1, screen: `password for ${account}: \nhush: wrong password for ${account}\n` })
  }, 60_000)

  it('refuses two different answers with one line, and writes nothing', async () => {
    const account = join(dir, 'mismatch.account')
    const { code, screen } = await onTerminal(['account', 'create', '--account', account], [`${STRONG}\r`, `${STRONG}!\r`])
    expect(code).toBe(1)
    expect(screen.endsWith('(again): \nhush: the passwords do not match\n')).toBe(true)
    expect(existsSync(account)).toBe(false)
  }, 60_000)

  it('Ctrl-C at the question cancels (exit 130), Ctrl-D or an empty line gives no password (exit 1)', async () => {
    const account = join(dir, 'cancelled.account')
    expect(await onTerminal(['account', 'create', '--account', account], ['half typed\x03'])).toEqual({ code: 130, screen: `new password for ${account}: \nhush: cancelled\n` })
    expect(await onTerminal(['account', 'create', '--account', account], ['\x04'])).toEqual({ code: 1, screen: `new password for ${account}: \nhush: no password given\n` })
    expect(await onTerminal(['account', 'create', '--account', account], ['\r'])).toEqual({ code: 1, screen: `new password for ${account}: \nhush: no password given\n` })
    expect(existsSync(account)).toBe(false)
  }, 60_000)

  it('asks only when there is no --password and no HUSH_PASSWORD, and before asking checks that the account is new', async () => {
    const account = join(dir, 'flag.account')
    const created = await onTerminal(['account', 'create', '--account', account, '--password', STRONG], [])
    expect(created.code).toBe(0)
    expect(created.screen).toMatch(/^0x04[0-9a-f]{128}\n$/)
    expect(await onTerminal(['account', 'create', '--account', account], [])).toEqual({ code: 1, screen: `hush: ${account} exists already; remove it first to start a new identity\n` })
  }, 60_000)

  it('without a terminal on stdin, or on stderr, the one-line error stays (exit 2)', async () => {
    const account = join(dir, 'no-tty.account')
    const line = 'hush: give the account password with --password or HUSH_PASSWORD, or run hush on a terminal to be asked for it\n'
    expect(await hush(['account', 'create', '--account', account])).toEqual({ code: 2, stdout: '', stderr: line })
    // stdin a terminal, stderr a file: no question either.
    const err = join(dir, 'no-tty.err')
    expect(await onTerminal(['account', 'create', '--account', account], [], `2> ${quote(err)}`)).toEqual({ code: 2, screen: '' })
    expect(await readFile(err, 'utf8')).toBe(line)
    expect(existsSync(account)).toBe(false)
  }, 60_000)

  it('account create warns on stderr about a weak password, and not about a strong one', async () => {
    const weak = await hush(['account', 'create', '--account', join(dir, 'weak.account'), '--password', 'hunter2'])
    expect(weak.code).toBe(0)
    expect(weak.stdout).toMatch(PUBLIC_KEY_LINE)
    expect(weak.stderr).toBe('! weak password: one of the most common passwords\n')
    const strong = await hush(['account', 'create', '--account', join(dir, 'strong.account')], { HUSH_PASSWORD: STRONG })
    expect(strong).toMatchObject({ code: 0, stderr: '' })
    const typed = await onTerminal(['account', 'create', '--account', join(dir, 'weak-typed.account')], ['short\r', 'short\r'])
    expect(typed.code).toBe(0)
    expect(typed.screen).toContain('(again): \n! weak password: shorter than 12 characters\n0x04')
  }, 60_000)

  describe('with a node', () => {
    let node: StartedNode
    beforeAll(async () => {
      node = await startHush(['--mail', '--data-dir', join(dir, 'node')], { HUSH_MAIL_PASSWORD: 'mail' })
    }, 30_000)
    afterAll(async () => {
      node.child.kill('SIGTERM')
      await node.exited
    })

    it('start --mail warns about a weak mail password', async () => {
      // On stderr, which may be read after the stdout lines startHush waited for.
      await vi.waitFor(() => expect(node.out()).toContain('! weak password: shorter than 12 characters\n'), { timeout: 5_000, interval: 50 })
    })

    it('keys new --sym --from-password asks twice on a terminal and derives the key that --password-file gives', async () => {
      const keyDir = join(dir, 'keys')
      const { code, screen } = await onTerminal(['keys', 'new', '--sym', '--from-password', '--rpc', node.rpc, '--data-dir', keyDir], [`${STRONG}\r`, `${STRONG}\r`])
      expect(code).toBe(0)
      const [asked, again, id] = screen.split('\n')
      expect([asked, again]).toEqual(['key password: ', 'key password (again): '])
      expect(id).toMatch(/^[0-9a-f]{64}$/)
      await writeFile(join(dir, 'key.pw'), `${STRONG}\n`)
      const fromFile = await hush(['keys', 'new', '--sym', '--password-file', join(dir, 'key.pw'), '--rpc', node.rpc, '--data-dir', keyDir])
      expect(fromFile).toMatchObject({ code: 0, stderr: '' })
      const exported = await Promise.all([id as string, fromFile.stdout.trim()].map(async (k) => (await hush(['keys', 'export', k, '--rpc', node.rpc])).stdout))
      expect(exported[0]).toMatch(/^0x[0-9a-f]{64}\n$/)
      expect(exported[1]).toBe(exported[0])
    }, 60_000)

    it('keys new --sym --from-password warns about a weak password; without one and no terminal, one line (exit 2)', async () => {
      const weak = await hush(['keys', 'new', '--sym', '--from-password', '--rpc', node.rpc, '--data-dir', join(dir, 'keys')], { HUSH_KEY_PASSWORD: '12345678901234' })
      expect(weak).toMatchObject({ code: 0, stderr: '! weak password: a run of keys on the keyboard, letters or digits\n' })
      expect(await hush(['keys', 'new', '--sym', '--from-password', '--rpc', node.rpc])).toEqual({
        code: 2,
        stdout: '',
        stderr: 'hush: the key password is missing: give --password-file <file> or set HUSH_KEY_PASSWORD, or run hush on a terminal to be asked for it\n',
      })
    }, 60_000)
  })
})

describe('the weak-password rule', () => {
  const cases: [string, string | undefined][] = [
    ['hunter2', 'one of the most common passwords'],
    ['Password1234!', 'one of the most common passwords'],
    ['P@ssw0rd2026', 'one of the most common passwords'],
    ['5ecret', 'one of the most common passwords'],
    ['passwordpassword', 'one of the most common passwords'],
    ['123456789012', 'a run of keys on the keyboard, letters or digits'],
    ['qwertyuiop!!', 'a run of keys on the keyboard, letters or digits'],
    ['zyxwvutsrqponm', 'a run of keys on the keyboard, letters or digits'],
    ['2024qwertyuiop', 'a run of keys on the keyboard, letters or digits'],
    ['Tr0ub4dor&3', 'shorter than 12 characters'],
    ['çava', 'shorter than 12 characters'],
    ['aaaaaaaaaaaaaaaaaaaa', 'only 1 different character'],
    ['ab12ab12ab12ab12', 'only 4 different characters'],
    ['horsebattery', 'only lowercase letters, and shorter than 16 characters'],
    ['HORSEBATTERY', 'only uppercase letters, and shorter than 16 characters'],
    ['839201746583', 'only digits, and shorter than 16 characters'],
    ['horsebatterystaple', undefined],
    ['correct horse battery staple', undefined],
    ['Tr0ub4dor&3x', undefined],
    ['8392017465839201', undefined],
    ['mail server password', undefined],
  ]
  for (const [password, why] of cases) {
    it(`${password}: ${why ?? 'not weak'}`, () => {
      expect(passwordWeakness(password)).toBe(why)
    })
  }

  it('warnIfWeak writes one line for a weak password and nothing for a strong one', () => {
    const lines: string[] = []
    warnIfWeak('hunter2', (line) => lines.push(line))
    warnIfWeak(STRONG, (line) => lines.push(line))
    expect(lines).toEqual(['! weak password: one of the most common passwords'])
  })
})

describe('editLine', () => {
  it('ends the line at Enter (CR, LF or CR LF) and keeps what follows for the next question', () => {
    expect(editLine('', 'secret\r')).toEqual({ line: 'secret', end: 'enter', rest: '' })
    expect(editLine('sec', 'ret\r\nagain\r')).toEqual({ line: 'secret', end: 'enter', rest: 'again\r' })
    expect(editLine('', 'a\nb')).toEqual({ line: 'a', end: 'enter', rest: 'b' })
    expect(editLine('', 'no end yet')).toEqual({ line: 'no end yet', rest: '' })
  })

  it('erases with Backspace (DEL or BS), whole characters, and the line with Ctrl-U', () => {
    expect(editLine('', 'abcd\x7f\x7fx\r')).toMatchObject({ line: 'abx', end: 'enter' })
    expect(editLine('', 'ab\bc\r')).toMatchObject({ line: 'ac', end: 'enter' })
    expect(editLine('', 'né😀\x7f\r')).toMatchObject({ line: 'né', end: 'enter' })
    expect(editLine('', '\x7f\x7fok\r')).toMatchObject({ line: 'ok', end: 'enter' })
    expect(editLine('', 'wrong\x15right\r')).toMatchObject({ line: 'right', end: 'enter' })
  })

  it('drops escape sequences and control characters other than tab', () => {
    expect(editLine('', 'a\x1b[Db\x1bOPc\x1b[200~d\x1b[201~\x00\x07\x85e\r')).toMatchObject({ line: 'abcde', end: 'enter' })
    expect(editLine('', 'tab\there\r')).toMatchObject({ line: 'tab\there', end: 'enter' })
  })

  it('interrupts at Ctrl-C, ends the input at Ctrl-D on an empty line only', () => {
    expect(editLine('typed', 'more\x03\r')).toEqual({ line: '', end: 'interrupt', rest: '' })
    expect(editLine('', '\x04')).toEqual({ line: '', end: 'eof', rest: '' })
    expect(editLine('ab', '\x04c\r')).toEqual({ line: 'abc', end: 'enter', rest: '' })
  })
})
