import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Server, createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CliError, EXIT, reportError } from '../src/errors.ts'
import { HUSH_BIN as bin, type StartedNode, startHush } from './fixtures/hush-node.ts'

/*
 * Walks the error-message table of packages/cli/README.md: every row is run against the built
 * CLI (dist), and its stderr must be that one line and its exit code that code. Then how bin.ts
 * reports errors: user errors in one line, bugs with their stack.
 */
const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8')
const run = promisify(execFile)

interface Row {
  command: string
  stderr: string
  exit: number
  slow: boolean
}

/** The rows between the error-table markers. */
function tableRows(): Row[] {
  const table = /<!-- error-table:start -->\n([\s\S]*?)<!-- error-table:end -->/.exec(readme)?.[1]
  if (table === undefined) throw new Error('no error table in README.md')
  const code = (cell: string): string => cell.replace(/^(`+) ?([\s\S]*?) ?\1$/, '$2')
  return table
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| you run') && !line.startsWith('| ---'))
    .map((line) => {
      const cells = line.slice(2, -2).split(' | ')
      if (cells.length !== 3) throw new Error(`bad error-table row: ${line}`)
      const [command, stderr, exit] = cells as [string, string, string]
      // A row labelled in italics (*slow:*, *Ctrl-C:*) is checked by another test, as the README says.
      const slow = /^\*[^*]+:\* /.test(command)
      return { command: slow ? command : code(command), stderr: code(stderr), exit: Number(exit), slow }
    })
}

/** The data dir every row runs with (never ~/.hush). */
const HUSH_HOME = mkdtempSync(join(tmpdir(), 'hush-errors-home-'))

/** Runs `hush …` and returns its exit code and stderr. */
async function hush(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await run(process.execPath, [bin, ...args], { timeout: 30_000, env: { ...process.env, HUSH_PASSWORD: '', HUSH_RPC: '', HUSH_TOKEN: '', HUSH_DIR: HUSH_HOME } })
    return { code: 0, stderr }
  } catch (err) {
    const e = err as { code: number; stderr: string }
    return { code: e.code, stderr: e.stderr }
  }
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** A valid secp256k1 public key (uncompressed), for rows that need one. */
const PUBLIC_KEY = '0x0483de45459068f40d9379972737933f7b3f7883703e96640a97e43a7a2aeb2225c566dff8c66d0975088e885b257fbfe82b39ddaf0d41ee3a7b9e2444df0e7789'

/** A second valid public key (the generator point). */
const ANOTHER_KEY =
  '0x0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8'

describe('the error-message table in the README', () => {
  let busy: Server
  let busyPort = 0
  let node: StartedNode | undefined
  // An account (password "pw") with the friend bob = <public key>; <own key> is its own key.
  const dir = mkdtempSync(join(tmpdir(), 'hush-errors-'))
  const account = join(dir, 'me.account')
  let ownKey = ''
  let symKey = ''
  beforeAll(async () => {
    ownKey = (await run(process.execPath, [bin, 'account', 'create', '--account', account, '--password', 'pw'])).stdout.trim()
    await run(process.execPath, [bin, 'account', 'add-friend', 'bob', PUBLIC_KEY, '--account', account, '--password', 'pw'])
    busy = createServer()
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve))
    busyPort = (busy.address() as { port: number }).port
    node = await startHush()
    symKey = (await run(process.execPath, [bin, 'keys', 'new', '--sym', '--rpc', node.rpc, '--data-dir', dir])).stdout.trim()
  }, 60_000)
  afterAll(async () => {
    if (node !== undefined && node.child.exitCode === null) {
      const exited = new Promise((resolve) => node?.child.once('exit', resolve))
      node.child.kill('SIGTERM')
      await exited
    }
    await new Promise<void>((resolve) => busy.close(() => resolve()))
    rmSync(dir, { recursive: true, force: true })
    rmSync(HUSH_HOME, { recursive: true, force: true })
  })

  const rows = tableRows()
  it('has rows, each with a one-line message and exit code 1 or 2 (130 for Ctrl-C)', () => {
    expect(rows.length).toBeGreaterThan(10)
    for (const row of rows) {
      expect(row.stderr).toMatch(/^hush: /)
      // Ctrl-C (at a prompt, or cancelling a post) exits 130; those rows are checked elsewhere.
      expect(row.slow ? [1, 2, 130] : [1, 2]).toContain(row.exit)
    }
  })

  for (const row of rows.filter((r) => !r.slow)) {
    it(`${row.command} → exit ${row.exit}`, async () => {
      const fill = (s: string): string =>
        s
          .replaceAll('<busy port>', String(busyPort))
          .replaceAll("<node's data dir>", node?.dataDir ?? '')
          .replaceAll('<node>', node?.rpc ?? '')
          .replaceAll('<public key>', PUBLIC_KEY)
          .replaceAll('<another key>', ANOTHER_KEY)
          .replaceAll('<own key>', ownKey)
          .replaceAll('<sym key>', symKey)
          .replaceAll('<account>', account)
      const args = fill(row.command).split(/\s+/).slice(1)
      const { code, stderr } = await hush(args)
      expect(stderr).toMatch(new RegExp(`^${fill(row.stderr).split('…').map(escapeRegExp).join('[^\\n]*')}\\n$`))
      expect(code).toBe(row.exit)
    }, 40_000)
  }
})

describe('reportError', () => {
  const report = (err: unknown): { code: number; text: string } => {
    let text = ''
    const code = reportError(err, (t) => (text += t))
    return { code, text }
  }

  it('shows a CliError as one line, with its exit code', () => {
    expect(report(new CliError('give exactly one of --a and --b'))).toEqual({ code: 2, text: 'hush: give exactly one of --a and --b\n' })
    expect(report(new CliError('cannot reach the node', { exitCode: EXIT.failure }))).toEqual({ code: 1, text: 'hush: cannot reach the node\n' })
  })

  it('shows anything else (also a TypeError or RangeError from inside) as a bug, with its stack, exit 70', () => {
    for (const err of [new Error('boom'), new TypeError("Cannot read properties of undefined (reading 'x')"), new RangeError('offset out of range')]) {
      const { code, text } = report(err)
      expect(code).toBe(70)
      expect(text).toMatch(/^hush: internal error \(a bug in hush, please report it with this output\):\n\w*Error: /)
      expect(text).toContain('errors.test.ts')
    }
  })
})
