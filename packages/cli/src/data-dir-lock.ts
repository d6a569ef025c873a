/**
 * One `hush start` per data directory: two nodes with one peer key would be one identity in two
 * places. The lock is a `LOCK` file holding the owner's pid, made with O_EXCL; a lock whose
 * process is gone (a crash, `kill -9`) is taken over.
 */
import { mkdir, open, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { CliError, EXIT } from './errors.ts'

/** Whether a process with this pid is running (on this machine). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    // EPERM: it exists, owned by someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Takes the lock of `dir` (creating the directory, mode 0700); resolves to the function that
 * releases it.
 * @throws {CliError} when another running process holds it, or the directory cannot be made
 */
export async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, 'LOCK')
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 })
  } catch (err) {
    throw new CliError(`cannot use the data dir ${dir}: ${(err as Error).message}`, { cause: err, exitCode: EXIT.failure })
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const file = await open(path, 'wx', 0o600)
      await file.writeFile(`${process.pid}\n`)
      await file.close()
      return () => rm(path, { force: true })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new CliError(`cannot lock the data dir ${dir}: ${(err as Error).message}`, { cause: err, exitCode: EXIT.failure })
    }
    const pid = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10)
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isRunning(pid)) {
      throw new CliError(`the data dir ${dir} is in use by another hush (pid ${pid}): stop it, or give this one its own --data-dir (and --listen port)`, { exitCode: EXIT.failure })
    }
    // Left by a process that is gone: take it over.
    await rm(path, { force: true })
  }
  throw new CliError(`cannot lock the data dir ${dir}: another process keeps taking it`, { exitCode: EXIT.failure })
}
