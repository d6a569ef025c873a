/**
 * Accounts (design.md §7, the paper's "account management"): a static identity and named
 * contacts, encrypted at rest under a password. Pure: bytes in, bytes out (`account-file.ts`
 * writes them atomically).
 *
 * ```
 * "HUSHACCT"(8) ‖ version(1) = 2 ‖ log2 N(1) ‖ r(1) ‖ p(1) ‖ salt(16) ‖ nonce(12)     header, 40 bytes
 * ‖ AES-256-GCM(key = scrypt(password, salt, N, r, p, 32), nonce, aad = header, JSON)   ciphertext ‖ tag(16)
 * JSON: { "privateKey": hex, "sessionIdentity": hex, "stateKey": hex,
 *         "contacts": [{ "name": string, "publicKey": hex }] }
 * ```
 * Version 2 (docs/SESSION.md §12.1) adds the X25519 session identity and the key of the session
 * state files. A version-1 file still opens: both keys are generated then, and the next save
 * writes version 2.
 * The header (KDF parameters included) is authenticated as AAD, so a file cannot be downgraded
 * to cheaper parameters without the password check failing.
 */
import { gcm } from '@noble/ciphers/aes.js'
import { scryptAsync } from '@noble/hashes/scrypt.js'
import { bytesToHex, hexToBytes, randomBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { generatePrivateKey, isValidPrivateKey, isValidPublicKey } from '@hush/envelope'
import { assertBytes, assertInt, wipe } from './assert.ts'
import { AccountDecryptionError, InvalidAccountError } from './errors.ts'

/** A named contact. */
export interface Contact {
  /** Display name, unique within the account (1–256 UTF-16 units). */
  readonly name: string
  /** 65-byte uncompressed secp256k1 public key. */
  readonly publicKey: Uint8Array
}

/** What an account holds. */
export interface AccountData {
  /** The static secp256k1 private key (the node's `shh` identity). */
  readonly privateKey: Uint8Array
  /**
   * The account-wide X25519 private key of session v2 (32 bytes): the static key of sessions
   * that use the account identity rather than a per-contact one (docs/SESSION.md §4.3).
   */
  readonly sessionIdentity: Uint8Array
  /** 32 random bytes that encrypt the session state files (docs/SESSION.md §12.2); not derived. */
  readonly stateKey: Uint8Array
  /** Contacts, in insertion order. */
  readonly contacts: readonly Contact[]
}

/**
 * scrypt cost of {@link encryptAccount}. Besides each field's range, scrypt's memory,
 * 128 · r · (2^logN + p + 1) bytes, must stay within 1 GiB + 4 KiB (N = 2^20 with r = 8 is the most).
 */
export interface AccountKdfOptions {
  /** log2 of scrypt's N, in [10, 20]. @default 15 */
  logN?: number
  /** scrypt block size. @default 8 */
  r?: number
  /** scrypt parallelism. @default 1 */
  p?: number
}

const MAGIC = utf8ToBytes('HUSHACCT')
const VERSION = 2
/** Bytes of the session identity and of the state key. */
const SESSION_KEY_BYTES = 32
const HEADER_BYTES = 40
const SALT_BYTES = 16
const NONCE_BYTES = 12
const TAG_BYTES = 16
const MAX_NAME_LENGTH = 256

/** A new account with fresh keys and no contacts. */
export function createAccountData(): AccountData {
  return { privateKey: generatePrivateKey(), sessionIdentity: randomBytes(SESSION_KEY_BYTES), stateKey: randomBytes(SESSION_KEY_BYTES), contacts: [] }
}

function checkName(name: unknown, label: string): asserts name is string {
  if (typeof name !== 'string') throw new TypeError(`${label} must be a string`)
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) throw new RangeError(`${label} must be 1–${MAX_NAME_LENGTH} characters`)
}

/**
 * A copy of `account` with `name` → `publicKey` added or replaced.
 * @throws {TypeError | RangeError} when the name or key is invalid
 */
export function addContact(account: AccountData, name: string, publicKey: Uint8Array): AccountData {
  checkName(name, 'name')
  if (!isValidPublicKey(publicKey)) throw new RangeError('publicKey must be an uncompressed secp256k1 public key')
  const contacts = account.contacts.filter((c) => c.name !== name)
  return { ...account, contacts: [...contacts, { name, publicKey: publicKey.slice() }] }
}

/** A copy of `account` without the contact `name` (unchanged when absent). */
export function removeContact(account: AccountData, name: string): AccountData {
  return { ...account, contacts: account.contacts.filter((c) => c.name !== name) }
}

/** The memory limit passed to scrypt: 1 GiB for N = 2^20, r = 8, plus noble's scratch blocks. */
const KDF_MAX_MEMORY_BYTES = 2 ** 30 + 4096

function kdfParams(options: AccountKdfOptions): { logN: number; r: number; p: number } {
  const params = { logN: options.logN ?? 15, r: options.r ?? 8, p: options.p ?? 1 }
  assertInt(params.logN, 'options.logN', 10, 20)
  assertInt(params.r, 'options.r', 1, 32)
  assertInt(params.p, 'options.p', 1, 16)
  // noble's scrypt allocates 128 · r · (N + p + 1) bytes and refuses more than maxmem, but only
  // after the caller has waited for it: check here, before any work.
  const memoryBytes = 128 * params.r * (2 ** params.logN + params.p + 1)
  if (memoryBytes > KDF_MAX_MEMORY_BYTES) {
    throw new RangeError(
      `options.logN, options.r and options.p need 128·r·(2^logN + p + 1) = ${memoryBytes} bytes, more than scrypt's limit of ${KDF_MAX_MEMORY_BYTES}`
    )
  }
  return params
}

async function deriveKey(password: string, salt: Uint8Array, params: { logN: number; r: number; p: number }): Promise<Uint8Array> {
  return scryptAsync(utf8ToBytes(password.normalize('NFKC')), salt, { N: 2 ** params.logN, r: params.r, p: params.p, dkLen: 32, maxmem: KDF_MAX_MEMORY_BYTES })
}

/**
 * Encrypts an account under `password` (scrypt + AES-256-GCM, fresh salt and nonce).
 * @throws {TypeError | RangeError} when the account, password or options are invalid
 */
export async function encryptAccount(account: AccountData, password: string, options: AccountKdfOptions = {}): Promise<Uint8Array> {
  if (typeof password !== 'string') throw new TypeError('password must be a string')
  if (!isValidPrivateKey(account.privateKey)) throw new RangeError('account.privateKey is not a valid private key')
  assertBytes(account.sessionIdentity, 'account.sessionIdentity', SESSION_KEY_BYTES)
  assertBytes(account.stateKey, 'account.stateKey', SESSION_KEY_BYTES)
  const names = new Set<string>()
  for (const [i, c] of account.contacts.entries()) {
    checkName(c.name, `account.contacts[${i}].name`)
    if (!isValidPublicKey(c.publicKey)) throw new RangeError(`account.contacts[${i}].publicKey is not a valid public key`)
    if (names.has(c.name)) throw new RangeError(`account.contacts has the name ${JSON.stringify(c.name)} twice`)
    names.add(c.name)
  }
  const params = kdfParams(options)
  const header = new Uint8Array(HEADER_BYTES)
  header.set(MAGIC, 0)
  header.set([VERSION, params.logN, params.r, params.p], 8)
  header.set(randomBytes(SALT_BYTES), 12)
  header.set(randomBytes(NONCE_BYTES), 12 + SALT_BYTES)
  const json = utf8ToBytes(
    JSON.stringify({
      privateKey: bytesToHex(account.privateKey),
      sessionIdentity: bytesToHex(account.sessionIdentity),
      stateKey: bytesToHex(account.stateKey),
      contacts: account.contacts.map((c) => ({ name: c.name, publicKey: bytesToHex(c.publicKey) })),
    })
  )
  const key = await deriveKey(password, header.subarray(12, 12 + SALT_BYTES), params)
  const sealed = gcm(key, header.subarray(12 + SALT_BYTES, HEADER_BYTES), header).encrypt(json)
  wipe(key, json)
  const out = new Uint8Array(HEADER_BYTES + sealed.length)
  out.set(header, 0)
  out.set(sealed, HEADER_BYTES)
  return out
}

function invalid(message: string, cause?: unknown): never {
  throw new InvalidAccountError(message, cause === undefined ? undefined : { cause })
}

function parsePlaintext(plaintext: Uint8Array, version: number): AccountData {
  let value: unknown
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plaintext))
  } catch (err) {
    invalid('account content is not JSON', err)
  }
  const obj = value as { privateKey?: unknown; sessionIdentity?: unknown; stateKey?: unknown; contacts?: unknown }
  if (typeof obj !== 'object' || obj === null || typeof obj.privateKey !== 'string' || !Array.isArray(obj.contacts)) invalid('account content has the wrong shape')
  const hexKey = (text: unknown, length: number): Uint8Array => {
    if (typeof text !== 'string' || text.length !== 2 * length || !/^[0-9a-f]*$/.test(text)) invalid('account key is not lowercase hex of the right length')
    return hexToBytes(text)
  }
  const privateKey = hexKey(obj.privateKey, 32)
  if (!isValidPrivateKey(privateKey)) invalid('account private key is out of range')
  // Version 1 had neither session key: they are made now, and the next save writes version 2.
  const sessionIdentity = version === 1 ? randomBytes(SESSION_KEY_BYTES) : hexKey(obj.sessionIdentity, SESSION_KEY_BYTES)
  const stateKey = version === 1 ? randomBytes(SESSION_KEY_BYTES) : hexKey(obj.stateKey, SESSION_KEY_BYTES)
  const contacts: Contact[] = []
  const names = new Set<string>()
  for (const c of obj.contacts as unknown[]) {
    const entry = c as { name?: unknown; publicKey?: unknown }
    if (typeof entry !== 'object' || entry === null || typeof entry.name !== 'string' || entry.name.length === 0 || entry.name.length > MAX_NAME_LENGTH || names.has(entry.name)) {
      invalid('account contact has a bad or repeated name')
    }
    const publicKey = hexKey(entry.publicKey, 65)
    if (!isValidPublicKey(publicKey)) invalid('account contact key is not on the curve')
    names.add(entry.name)
    contacts.push({ name: entry.name, publicKey })
  }
  return { privateKey, sessionIdentity, stateKey, contacts }
}

/**
 * Decrypts and validates account bytes.
 * @throws {InvalidAccountError} when the bytes are not a version-1 or version-2 account, or hold invalid data
 * @throws {AccountDecryptionError} when the password is wrong or the file was altered
 */
export async function decryptAccount(bytes: Uint8Array, password: string): Promise<AccountData> {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array')
  if (typeof password !== 'string') throw new TypeError('password must be a string')
  if (bytes.length < HEADER_BYTES + TAG_BYTES) invalid('account file too short')
  if (!MAGIC.every((b, i) => bytes[i] === b)) invalid('not an account file')
  const version = bytes[8]
  if (version !== 1 && version !== VERSION) invalid(`unknown account file version ${version}`)
  const header = bytes.subarray(0, HEADER_BYTES)
  let params
  try {
    params = kdfParams({ logN: bytes[9], r: bytes[10], p: bytes[11] })
  } catch (err) {
    invalid('account KDF parameters out of range', err)
  }
  const key = await deriveKey(password, header.subarray(12, 12 + SALT_BYTES), params)
  let plaintext: Uint8Array
  try {
    plaintext = gcm(key, header.subarray(12 + SALT_BYTES), header).decrypt(bytes.subarray(HEADER_BYTES))
  } catch (err) {
    throw new AccountDecryptionError(undefined, { cause: err })
  } finally {
    wipe(key)
  }
  try {
    return parsePlaintext(plaintext, version)
  } finally {
    wipe(plaintext)
  }
}
