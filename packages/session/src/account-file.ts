/**
 * Account files on disk, written atomically: the bytes go to a fresh temporary file beside the
 * target (mode 0600), are flushed with fsync, then renamed over the target, and the directory is
 * fsynced so the rename itself is durable; a crash leaves either the old file or the new one,
 * never a torn one. `node:fs` is reached through
 * `process.getBuiltinModule` rather than an import, so bundles for browsers load this package
 * without it (as @hush/envelope does for `node:crypto`).
 */
import { bytesToHex, randomBytes } from '@noble/hashes/utils.js'
import { type AccountData, type AccountKdfOptions, decryptAccount, encryptAccount } from './account.ts'

interface FileHandle {
  writeFile(data: Uint8Array): Promise<void>
  sync(): Promise<void>
  close(): Promise<void>
}

interface FsPromises {
  open(path: string, flags: string, mode?: number): Promise<FileHandle>
  rename(from: string, to: string): Promise<void>
  rm(path: string, options: { force: boolean }): Promise<void>
  readFile(path: string): Promise<Uint8Array>
}

function fs(): FsPromises {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
  const mod = proc?.getBuiltinModule?.('node:fs/promises') as FsPromises | undefined
  if (mod === undefined) throw new TypeError('account files need node:fs (Node.js ≥ 20.16); use encryptAccount/decryptAccount elsewhere')
  return mod
}

/** The directory part of `path` ('.' when it has none), without importing node:path. */
function directoryOf(path: string): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'))
  if (slash < 0) return '.'
  return slash === 0 ? path.slice(0, 1) : path.slice(0, slash)
}

/**
 * Flushes a directory's entries (the rename) to disk. Platforms that cannot open a directory
 * (Windows) make renames durable by other means; there the error is ignored.
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
 * Writes `bytes` to `path` atomically (temporary file, fsync, rename, fsync of the directory).
 * @throws {TypeError} outside Node.js
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  if (typeof path !== 'string' || path.length === 0) throw new TypeError('path must be a non-empty string')
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
 * Encrypts `account` under `password` and writes it to `path` atomically.
 * @throws {TypeError | RangeError} when the account, password or options are invalid
 * @example
 * ```ts
 * await saveAccount('alice.account', addContact(createAccountData(), 'bob', bobPublicKey), password)
 * ```
 */
export async function saveAccount(path: string, account: AccountData, password: string, options: AccountKdfOptions = {}): Promise<void> {
  await writeFileAtomic(path, await encryptAccount(account, password, options))
}

/**
 * Reads and decrypts the account at `path`.
 * @throws {InvalidAccountError} when the file is not an account file or holds invalid data
 * @throws {AccountDecryptionError} when the password is wrong or the file was altered
 */
export async function loadAccount(path: string, password: string): Promise<AccountData> {
  if (typeof path !== 'string' || path.length === 0) throw new TypeError('path must be a non-empty string')
  return decryptAccount(await fs().readFile(path), password)
}
