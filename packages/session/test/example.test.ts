import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../../..', import.meta.url))

// examples/chat.ts runs as a user would run it, against the built packages (house-style §3.8).
it('examples/chat.ts chats over two TCP nodes and closes', async () => {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/chat.ts'], { cwd: root, timeout: 60_000 })
  expect(stdout).toMatch(/^session [0-9a-f]{8} established$/m)
  expect(stdout).toMatch(/^bob {3}< hi Bob$/m)
  expect(stdout).toMatch(/^bob {3}< bye$/m)
  expect(stdout).toMatch(/^closed: 3 receipts, bob's side closed$/m)
}, 90_000)
