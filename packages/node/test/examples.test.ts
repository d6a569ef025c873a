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
})
