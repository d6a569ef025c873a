import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { lockDataDir } from '../src/data-dir-lock.ts'

describe('lockDataDir', () => {
  let root = ''
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'hush-lock-'))
  })
  afterAll(() => rm(root, { recursive: true, force: true }))

  it('creates the directory, writes its pid, refuses a second holder while held, and frees it on release', async () => {
    const dir = join(root, 'a', 'b')
    const release = await lockDataDir(dir)
    expect(await readFile(join(dir, 'LOCK'), 'utf8')).toBe(`${process.pid}\n`)
    // Another live process holds it (this one's parent stands in: it is running).
    await writeFile(join(dir, 'LOCK'), `${process.ppid}\n`)
    await expect(lockDataDir(dir)).rejects.toMatchObject({ name: 'CliError', exitCode: 1, message: expect.stringContaining(`is in use by another hush (pid ${process.ppid})`) })
    await writeFile(join(dir, 'LOCK'), `${process.pid}\n`)
    await release()
    const again = await lockDataDir(dir)
    await again()
  })

  it('takes over a lock left by a process that is gone (kill -9)', async () => {
    const dir = join(root, 'stale')
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'])
    const gone = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGKILL')
    await gone
    await lockDataDir(dir).then((release) => release())
    await writeFile(join(dir, 'LOCK'), `${child.pid}\n`)
    const release = await lockDataDir(dir)
    expect(await readFile(join(dir, 'LOCK'), 'utf8')).toBe(`${process.pid}\n`)
    await release()
  })
})
