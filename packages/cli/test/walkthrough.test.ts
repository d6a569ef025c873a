/*
 * Issue 14, proof: the README's "Two people, two terminals" walkthrough, run as written. Alice's
 * and Bob's terminals are interactive shells on pseudo-terminals, each in a network namespace of
 * its own (two machines, so both use the default ports), with a home of its own (so `~/.hush` is
 * each one's) and `hush` on the PATH. Every command of the README is typed into its shell and
 * every `#>` line must show in that terminal, in order: the test fails when the README and the
 * CLI part ways.
 */
import { execFile } from 'node:child_process'
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HUSH_BIN } from './fixtures/hush-node.ts'
import { createHostPair } from './fixtures/netns.ts'
import { Terminal, type WalkStep, compilePattern, parseWalkthrough, runWalkthrough } from './fixtures/walkthrough.ts'

const exec = promisify(execFile)
const README = fileURLToPath(new URL('../README.md', import.meta.url))

/** A walkthrough block of `lines` for `who` (a README in miniature). */
const block = (who: string, ...lines: string[]): string => ['```sh', `# ${who}`, ...lines, '```'].join('\n')
const walkthrough = (...blocks: string[]): string => ['<!-- walkthrough:start -->', ...blocks, '<!-- walkthrough:end -->'].join('\n')

/** A terminal on this machine, with only PATH and HOME from here. */
async function localTerminal(dir: string): Promise<Terminal> {
  return new Terminal('me', { cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, TERM: 'dumb', LANG: 'C.UTF-8' } })
}

describe('the walkthrough notation and its runner', () => {
  let dir = ''
  const terminals: Terminal[] = []
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hush-walk-self-'))
  })
  afterAll(async () => {
    await Promise.all(terminals.map((t) => t.close()))
    await rm(dir, { recursive: true, force: true })
  })

  it('reads … as any text and <name> as a word, captured once and then matched as it was', () => {
    const captures = new Map([['id', 'abc']])
    const { regex, names } = compilePattern('  peer <new> is <id> (…) <new>', captures)
    expect(names).toEqual(['new'])
    expect(regex.exec('peer x1 is abc (2 now) x1')?.[1]).toBe('x1')
    expect(regex.test('peer x1 is abd (2 now) x1')).toBe(false)
    expect(regex.test('peer x1 is abc (2 now) x2')).toBe(false)
    expect(compilePattern('a.b (c)', captures).regex.test('a.b (c)')).toBe(true)
    expect(compilePattern('a.b (c)', captures).regex.test('aXb (c)')).toBe(false)
  })

  it('types lines, waits for shown lines, types captured words back, presses Ctrl-D; the echo of a typed line is never taken for output', async () => {
    const steps = parseWalkthrough(
      walkthrough(
        block('me', '# prose, not typed', 'echo token-$((6*7))', '#> token-<token>', 'cat', 'got <token>', '#> got 42', '^D', 'echo "cat ended: $?"', '#> cat ended: 0'),
        block('me', 'echo got <token>', '#> …'),
      )
    )
    const me = await localTerminal(dir)
    terminals.push(me)
    const captures = await runWalkthrough(steps, new Map([['me', me]]), 10_000)
    expect(captures).toEqual(new Map([['token', '42']]))
    // A line typed shows on the terminal (its echo), but is not output: a pattern matching only it never shows.
    await expect(runWalkthrough(parseWalkthrough(walkthrough(block('me', 'true never printed', '#> true never printed'))), new Map([['me', me]]), 1_000)).rejects.toThrow(/never showed/)
  })

  it('fails naming the README line and showing the terminal when an expected line never shows', async () => {
    const me = await localTerminal(dir)
    terminals.push(me)
    const steps = parseWalkthrough(['intro', walkthrough(block('me', 'echo hello', '#> hello', 'echo goodbye', '#> farewell'))].join('\n'))
    await expect(runWalkthrough(steps, new Map([['me', me]]), 1_000)).rejects.toThrow(
      /^README line 8: me's terminal never showed a line matching "#> farewell" .* within 1 s\n--- me's terminal ---\n(.*\n)*>> hello\n(.*\n)*.*goodbye/
    )
  })

  it('refuses a block without whose terminal it is, a word typed before it was shown, and a README without the walkthrough', async () => {
    expect(() => parseWalkthrough(walkthrough('```sh\necho hi\n```'))).toThrow(/README line 3: a walkthrough block starts with # <who>/)
    expect(() => parseWalkthrough('# no markers')).toThrow(/no <!-- walkthrough:start -->/)
    const me = await localTerminal(dir)
    terminals.push(me)
    await expect(runWalkthrough(parseWalkthrough(walkthrough(block('me', 'echo <unseen>'))), new Map([['me', me]]), 1_000)).rejects.toThrow(/README line 4: <unseen> is typed before any terminal showed it/)
  })

  it('the README walkthrough shares a key, watches, posts, restarts a node and chats with receipts, in two terminals', async () => {
    const steps = parseWalkthrough(await readFile(README, 'utf8'))
    const typed = (who: string): string[] => steps.filter((s) => s.who === who).flatMap((s) => s.lines.flatMap(({ line }) => (line.kind === 'type' ? [line.text] : [])))
    const shown = (who: string): string[] => steps.filter((s) => s.who === who).flatMap((s) => s.lines.flatMap(({ line }) => (line.kind === 'expect' ? [line.pattern] : [])))
    expect(new Set(steps.map((s) => s.who))).toEqual(new Set(['alice', 'bob']))
    for (const who of ['alice', 'bob']) expect(typed(who)).toContainEqual(expect.stringMatching(/^hush keys new --sym --password-file /))
    expect(typed('bob')).toContainEqual(expect.stringMatching(/^hush watch /))
    expect(typed('alice')).toContainEqual(expect.stringMatching(/^hush post /))
    expect(typed('alice').filter((t) => t.startsWith('hush start')).length).toBe(2)
    expect(typed('bob')).toContain('hush chat --invite')
    expect(typed('alice')).toContainEqual(expect.stringMatching(/^hush chat --join /))
    for (const who of ['alice', 'bob']) expect(shown(who)).toContain('✓ #1')
  })
})

/** `hush` on the PATH: the built CLI of this checkout. */
const wrapper = `#!/bin/sh\nexec '${process.execPath}' '${HUSH_BIN}' "$@"\n`

describe('Two people, two terminals (the README walkthrough, two network namespaces)', () => {
  let dir = ''
  let steps: WalkStep[] = []
  let hosts: Awaited<ReturnType<typeof createHostPair>> | undefined
  const terminals = new Map<string, Terminal>()

  beforeAll(async () => {
    steps = parseWalkthrough(await readFile(README, 'utf8'))
    dir = await mkdtemp(join(tmpdir(), 'hush-walkthrough-'))
    await mkdir(join(dir, 'bin'))
    await writeFile(join(dir, 'bin', 'hush'), wrapper)
    await chmod(join(dir, 'bin', 'hush'), 0o755)
    hosts = await createHostPair()
    for (const [who, host] of [['alice', hosts.a], ['bob', hosts.b]] as const) {
      const home = join(dir, who)
      await mkdir(home)
      const env = { PATH: `${join(dir, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: home, TERM: 'dumb', LANG: 'C.UTF-8', HISTFILE: '/dev/null' }
      terminals.set(who, new Terminal(who, { cwd: home, env, prefix: ['ip', 'netns', 'exec', host.name] }))
    }
  })

  afterAll(async () => {
    for (const terminal of terminals.values()) await terminal.close()
    // Whatever still runs in the namespaces (a node in the background) is this test's: end it.
    for (const host of hosts === undefined ? [] : [hosts.a, hosts.b]) {
      const { stdout } = await exec('ip', ['netns', 'pids', host.name]).catch(() => ({ stdout: '' }))
      for (const pid of stdout.split('\n').filter((p) => /^\d+$/.test(p))) {
        try {
          process.kill(Number(pid), 'SIGKILL')
        } catch {
          // Already gone.
        }
      }
    }
    await hosts?.remove()
    await rm(dir, { recursive: true, force: true })
  })

  it('runs every block as written: a node each, a key from one phrase, a watch and a post, a restart, a chat with receipts', async () => {
    await runWalkthrough(steps, terminals, 30_000)
  }, 150_000)
})
