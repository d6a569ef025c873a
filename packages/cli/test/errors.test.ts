import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { type Server, createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CliError, EXIT, reportError } from '../src/errors.ts'

/*
 * Walks the error-message table of packages/cli/README.md: every row is run against the built
 * CLI (dist), and its stderr must be that one line and its exit code that code. Then how bin.ts
 * reports errors: user errors in one line, bugs with their stack.
 */
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url))
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
      const slow = command.startsWith('*slow:* ')
      return { command: slow ? command : code(command), stderr: code(stderr), exit: Number(exit), slow }
    })
}

/** Runs `hush …` and returns its exit code and stderr. */
async function hush(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await run(process.execPath, [bin, ...args], { timeout: 30_000, env: { ...process.env, HUSH_PASSWORD: '', HUSH_RPC: '' } })
    return { code: 0, stderr }
  } catch (err) {
    const e = err as { code: number; stderr: string }
    return { code: e.code, stderr: e.stderr }
  }
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

describe('the error-message table in the README', () => {
  let busy: Server
  let busyPort = 0
  beforeAll(async () => {
    busy = createServer()
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve))
    busyPort = (busy.address() as { port: number }).port
  })
  afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())))

  const rows = tableRows()
  it('has rows, each with a one-line message and exit code 1 or 2', () => {
    expect(rows.length).toBeGreaterThan(10)
    for (const row of rows) {
      expect(row.stderr).toMatch(/^hush: /)
      expect([1, 2]).toContain(row.exit)
    }
  })

  for (const row of rows.filter((r) => !r.slow)) {
    it(`${row.command} → exit ${row.exit}`, async () => {
      const fill = (s: string): string => s.replaceAll('<busy port>', String(busyPort))
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
