/**
 * Account files on disk, written atomically (see `durable-file.ts`): a crash leaves either the
 * old file or the new one, never a torn one.
 */
import { type AccountData, type AccountKdfOptions, decryptAccount, encryptAccount } from './account.ts'
import { readFileBytes, writeFileAtomic } from './durable-file.ts'

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
 * @throws {TypeError} when `path` is not a non-empty string
 */
export async function loadAccount(path: string, password: string): Promise<AccountData> {
  return decryptAccount(await readFileBytes(path), password)
}
