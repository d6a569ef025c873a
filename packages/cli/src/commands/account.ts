/**
 * `hush account`: the identity and friends `hush chat` uses (the paper's account management),
 * kept in one file encrypted under a password (@hush/session: scrypt + AES-256-GCM, atomic writes).
 */
import { stat } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { getPublicKey } from '@hush/envelope'
import { type AccountData, addContact, createAccountData, loadAccount, removeContact, saveAccount } from '@hush/session'
import { CliError, EXIT } from '../errors.ts'
import { fromHex, toHex } from '../format.ts'
import { type PromptPasswordOptions, canPrompt, promptPassword } from '../prompt.ts'
import { warnIfWeak } from '../weak-password.ts'

const equalBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b)

/** Where the account lives and how to open it. */
export interface AccountTarget {
  path: string
  password: string
}

/**
 * The password of the account at `path`: from `--password` (`flag`), else `$HUSH_PASSWORD`,
 * else, when stdin and stderr are terminals, asked for there without echo (twice with `confirm`,
 * for a new account).
 * @throws {CliError} when none of them gives one (or the question is cancelled)
 */
export async function accountPassword(flag: string | undefined, path: string, options: PromptPasswordOptions = {}): Promise<string> {
  const given = flag ?? process.env.HUSH_PASSWORD
  if (given !== undefined && given !== '') return given
  if (canPrompt()) return promptPassword(`${options.confirm === true ? 'new password' : 'password'} for ${path}`, options)
  throw new CliError('give the account password with --password or HUSH_PASSWORD, or run hush on a terminal to be asked for it')
}

/** Opens the account. @throws {CliError} for a missing file or a wrong password */
export async function openAccount(target: AccountTarget): Promise<AccountData> {
  try {
    return await loadAccount(target.path, target.password)
  } catch (err) {
    const e = err as Error & { code?: string }
    if (e.code === 'ENOENT') throw new CliError(`no account at ${target.path}: create one with \`hush account create\``, { cause: err, exitCode: EXIT.failure })
    if (e.name === 'AccountDecryptionError') throw new CliError(`wrong password for ${target.path}`, { cause: err, exitCode: EXIT.failure })
    throw new CliError(`cannot open the account ${target.path}: ${e.message}`, { cause: err, exitCode: EXIT.failure })
  }
}

/** Writes the account; a missing or unwritable directory is a {@link CliError} naming it. */
async function save(target: AccountTarget, account: AccountData): Promise<void> {
  try {
    await saveAccount(target.path, account, target.password)
  } catch (err) {
    const code = (err as { code?: string }).code
    const dir = dirname(resolve(target.path))
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new CliError(`cannot write ${target.path}: the directory ${dir} does not exist`, { cause: err, exitCode: EXIT.failure })
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') throw new CliError(`cannot write ${target.path}: no permission to write in ${dir}`, { cause: err, exitCode: EXIT.failure })
    throw err
  }
}

/**
 * Creates a new identity at `path` under the password `choosePassword` gives (asked only once
 * the path is known to be free); refuses to overwrite an existing account. Returns the public key
 * (hex). A weak password gets a `! weak password: …` line on stderr once the account is written.
 * @throws {CliError} when `path` exists or cannot be written
 */
export async function accountCreate(path: string, choosePassword: () => Promise<string>): Promise<string> {
  // Anything stat cannot see (no such file, no such directory, no permission) is left to the write to report.
  const exists = await stat(path).then(
    () => true,
    () => false
  )
  if (exists) throw new CliError(`${path} exists already; remove it first to start a new identity`, { exitCode: EXIT.failure })
  const target = { path, password: await choosePassword() }
  const account = createAccountData()
  await save(target, account)
  warnIfWeak(target.password)
  return toHex(getPublicKey(account.privateKey))
}

/** Options of {@link accountAddFriend}. */
export interface AddFriendOptions {
  /** Replace the key of a friend already known by that name (else that is refused). */
  replace?: boolean
}

/**
 * Adds a friend by name and public key (hex).
 * @throws {CliError} when the key is your own, or the name is taken and `replace` is not set
 */
export async function accountAddFriend(target: AccountTarget, name: string, publicKeyHex: string, options: AddFriendOptions = {}): Promise<void> {
  const account = await openAccount(target)
  const publicKey = fromHex(publicKeyHex, 'public key')
  if (equalBytes(publicKey, getPublicKey(account.privateKey))) throw new CliError(`cannot add ${name}: that is your own public key`, { exitCode: EXIT.failure })
  const known = account.contacts.find((c) => c.name === name)
  if (known !== undefined && options.replace !== true) {
    if (equalBytes(known.publicKey, publicKey)) return
    throw new CliError(`${name} is already a friend with another key (${toHex(known.publicKey).slice(0, 18)}…): give --replace to change it`, {
      exitCode: EXIT.failure,
    })
  }
  let updated: AccountData
  try {
    updated = addContact(account, name, publicKey)
  } catch (err) {
    throw new CliError(`cannot add ${name}: ${(err as Error).message}`, { cause: err })
  }
  await save(target, updated)
}

/** Removes a friend by name. @throws {CliError} when there is no such friend */
export async function accountRemoveFriend(target: AccountTarget, name: string): Promise<void> {
  const account = await openAccount(target)
  if (!account.contacts.some((c) => c.name === name)) throw new CliError(`no friend named ${name}`, { exitCode: EXIT.failure })
  await save(target, removeContact(account, name))
}

/** The public key and friends, one per line. */
export async function accountShow(target: AccountTarget): Promise<string[]> {
  const account = await openAccount(target)
  return [`me: ${toHex(getPublicKey(account.privateKey))}`, ...account.contacts.map((c) => `${c.name}: ${toHex(c.publicKey)}`)]
}
