import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../../..', import.meta.url))

/*
 * The examples run as real child processes against the built packages (dist), as a user would
 * run them: `npx tsx examples/<name>.ts` (house-style §3.8: tests that spawn processes use dist).
 */
describe('examples', () => {
  it('two-nodes.ts exchanges a signed message between two TCP nodes', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/two-nodes.ts'], { cwd: root, timeout: 60_000 })
    expect(stdout).toMatch(/received "Hello, Bob!" \(PoW [0-9.]+, signed by Alice: true\)/)
  }, 90_000)

  it('chat.ts runs a forward-secure session between two nodes and closes it', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/chat.ts'], { cwd: root, timeout: 60_000 })
    expect(stdout).toContain('bob   < bye')
    expect(stdout).toMatch(/closed: 3 receipts, bob's side closed/)
  }, 90_000)

  it('web3-shh.ts makes the paper\'s calls with the real web3-shh client against two `hush start` nodes', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/web3-shh.ts'], { cwd: root, timeout: 60_000 })
    expect(stdout).toContain('bob got "hello over symmetric" signed by alice')
    expect(stdout).toContain('bob got "hello over asymmetric" for his key')
  }, 90_000)
})
