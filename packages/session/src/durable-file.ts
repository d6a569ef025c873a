/**
 * Durable file operations for the account and the session state (docs/SESSION.md §12): atomic
 * replacement (temporary file with mode 0600, fsync, rename, fsync of the directory), appends that
 * are fsynced before they count, and removals whose directory entry is fsynced too. `node:fs` is
 * reached through `process.getBuiltinModule` rather than an import, so bundles for browsers load
 * this package without it (as @hush/envelope does for `node:crypto`).
 */
import { bytesToHex, randomBytes } from '@noble/hashes/utils.js'

interface FileHandle {
  writeFile(data: Uint8Array): Promise<void>
  write(data: Uint8Array): Promise<unknown>
  truncate(length: number): Promise<void>
  sync(): Promise<void>
  close(): Promise<void>
}

interface FsPromises {
  open(path: string, flags: string, mode?: number): Promise<FileHandle>
  rename(from: string, to: string): Promise<void>
  rm(path: string, options: { force: boolean }): Promise<void>
  readFile(path: string): Promise<Uint8Array>
  readdir(path: string): Promise<string[]>
  mkdir(path: string, options: { recursive: boolean; mode: number }): Promise<string | undefined>
}

function fs(): FsPromises {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
  const mod = proc?.getBuiltinModule?.('node:fs/promises') as FsPromises | undefined
  if (mod === undefined) throw new TypeError('files need node:fs (Node.js ≥ 20.16); use the in-memory forms elsewhere')
  return mod
}

/** The directory part of `path` ('.' when it has none), without importing node:path. */
function directoryOf(path: string): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'))
  if (slash < 0) return '.'
  return slash === 0 ? path.slice(0, 1) : path.slice(0, slash)
}

function assertPath(path: unknown, label = 'path'): asserts path is string {
  if (typeof path !== 'string' || path.length === 0) throw new TypeError(`${label} must be a non-empty string`)
}

/**
 * Flushes a directory's entries (a rename, a new or removed file) to disk. Platforms that cannot
 * open a directory (Windows) make them durable by other means; there the error is ignored.
 */
async function syncDirectory(f: FsPromises, dir: string): Promise<void> {
  let handle: FileHandle
  try {
    handle = await f.open(dir, 'r')
  } catch {
    return
  }
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/**
 * Writes `bytes` to `path` atomically (temporary file, fsync, rename, fsync of the directory): a
 * crash leaves either the old file or the new one, never a torn one.
 * @throws {TypeError} outside Node.js, or when `path` is not a non-empty string
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  assertPath(path)
  const f = fs()
  const tmp = `${path}.${bytesToHex(randomBytes(6))}.tmp`
  const handle = await f.open(tmp, 'wx', 0o600)
  try {
    await handle.writeFile(bytes)
    await handle.sync()
  } catch (err) {
    await handle.close()
    await f.rm(tmp, { force: true })
    throw err
  }
  await handle.close()
  try {
    await f.rename(tmp, path)
  } catch (err) {
    await f.rm(tmp, { force: true })
    throw err
  }
  await syncDirectory(f, directoryOf(path))
}

/**
 * Appends `bytes` to `path` (created with mode 0600, and its directory entry fsynced, when new)
 * and fsyncs the file before resolving: once it resolves, the bytes survive a crash.
 * @throws {TypeError} outside Node.js, or when `path` is not a non-empty string
 */
export async function appendDurable(path: string, bytes: Uint8Array): Promise<void> {
  assertPath(path)
  const f = fs()
  let created = false
  let handle: FileHandle
  try {
    handle = await f.open(path, 'ax', 0o600)
    created = true
  } catch {
    handle = await f.open(path, 'a', 0o600)
  }
  try {
    await handle.write(bytes)
    await handle.sync()
  } finally {
    await handle.close()
  }
  if (created) await syncDirectory(f, directoryOf(path))
}

/** Cuts `path` to its first `length` bytes, durably (a torn last append found at load). */
export async function truncateDurable(path: string, length: number): Promise<void> {
  assertPath(path)
  const handle = await fs().open(path, 'r+')
  try {
    await handle.truncate(length)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Removes the files `paths` (missing ones too) and fsyncs each one's directory once. */
export async function removeDurable(...paths: string[]): Promise<void> {
  const f = fs()
  const dirs = new Set<string>()
  for (const path of paths) {
    assertPath(path)
    await f.rm(path, { force: true })
    dirs.add(directoryOf(path))
  }
  for (const dir of dirs) await syncDirectory(f, dir)
}

/** Reads `path` (throws what `node:fs` throws, `ENOENT` included). */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  assertPath(path)
  return fs().readFile(path)
}

/** Creates `dir` (mode 0700) and its parents if needed, and lists its entries. */
export async function openDirectory(dir: string): Promise<string[]> {
  assertPath(dir, 'dir')
  const f = fs()
  await f.mkdir(dir, { recursive: true, mode: 0o700 })
  return (await f.readdir(dir)).sort()
}
