/**
 * `hush keys`: creates (or derives from a password), imports, exports, lists and deletes keys on a
 * running node. The node keeps keys in memory under random ids; the command records the ids it
 * created, one list per node (`<data-dir>/keys/<peer id>/keys.json`), so `list` shows a node's
 * keys and whether it still holds them.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeFileAtomic } from '@hush/session'
import { CliError, EXIT } from '../errors.ts'
import { type RpcTarget, rpcCall, rpcCallIfServed } from '../rpc-client.ts'
import { warnIfWeak } from '../weak-password.ts'

/** One recorded key. */
export interface KeyRecord {
  id: string
  kind: 'pair' | 'sym'
  publicKey?: string
  createdAt: string
}

const file = (dir: string): string => join(dir, 'keys.json')

/**
 * The directory of `target`'s key list under the data dir `dir`: named by the node's peer id
 * (`hush_nodeInfo`), or, for a node that does not serve it, by its RPC URL.
 */
async function nodeKeysDir(target: RpcTarget, dir: string): Promise<string> {
  const info = await rpcCallIfServed<{ id: string }>(target, 'hush_nodeInfo')
  return join(dir, 'keys', info === undefined ? encodeURIComponent(target.url) : info.id)
}

async function readRecords(dir: string): Promise<KeyRecord[]> {
  try {
    return JSON.parse(await readFile(file(dir), 'utf8')) as KeyRecord[]
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw err
  }
}

async function writeRecords(dir: string, records: KeyRecord[]): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  await writeFileAtomic(file(dir), new TextEncoder().encode(JSON.stringify(records, null, 2)))
}

/** Records a key the node now holds, created now. */
async function recordKey(dir: string, key: Omit<KeyRecord, 'createdAt'>): Promise<KeyRecord> {
  const { publicKey, ...rest } = key
  const record: KeyRecord = { ...rest, createdAt: new Date().toISOString(), ...(publicKey !== undefined && { publicKey }) }
  await writeRecords(dir, [...(await readRecords(dir)), record])
  return record
}

/** Creates a key pair (or a symmetric key) on the node and records it. */
export async function keysNew(target: RpcTarget, dir: string, sym: boolean): Promise<KeyRecord> {
  const id = await rpcCall<string>(target, sym ? 'shh_newSymKey' : 'shh_newKeyPair')
  return recordKey(await nodeKeysDir(target, dir), sym ? { id, kind: 'sym' } : { id, kind: 'pair', publicKey: await rpcCall<string>(target, 'shh_getPublicKey', [id]) })
}

/**
 * Derives a symmetric key from a password on the node (geth's `generateSymKeyFromPassword`:
 * every node given the same password holds the same key) and records it; then a weak password
 * gets a `! weak password: …` line on stderr.
 */
export async function keysFromPassword(target: RpcTarget, dir: string, password: string): Promise<KeyRecord> {
  const record = await recordKey(await nodeKeysDir(target, dir), { id: await rpcCall<string>(target, 'shh_generateSymKeyFromPassword', [password]), kind: 'sym' })
  warnIfWeak(password)
  return record
}

/**
 * Hands the node a raw symmetric key (`0x` and 64 hex digits, surrounding white space ignored)
 * and records it. @throws {CliError} when the text is no such key
 */
export async function keysImport(target: RpcTarget, dir: string, text: string): Promise<KeyRecord> {
  const key = text.trim()
  if (!/^(0x)?[0-9a-fA-F]{64}$/.test(key)) throw new CliError('the key to import must be 0x and 64 hex digits (as `hush keys export` writes it)', { exitCode: EXIT.failure })
  return recordKey(await nodeKeysDir(target, dir), { id: await rpcCall<string>(target, 'shh_addSymKey', [key.startsWith('0x') ? key : `0x${key}`]), kind: 'sym' })
}

/**
 * The raw symmetric key the node holds under `id`, as `0x` hex; written to `out` (created with
 * mode 0600, never overwritten) when given, else returned to print.
 * @throws {CliError} when the node holds no such key, or `out` exists
 */
export async function keysExport(target: RpcTarget, id: string, out?: string): Promise<string | undefined> {
  if (!(await rpcCall<boolean>(target, 'shh_hasSymKey', [id]))) throw new CliError(`the node holds no symmetric key ${id} (\`hush keys list\` shows them)`, { exitCode: EXIT.failure })
  const key = await rpcCall<string>(target, 'shh_getSymKey', [id])
  if (out === undefined) return key
  try {
    await writeFile(out, `${key}\n`, { mode: 0o600, flag: 'wx' })
  } catch (err) {
    throw new CliError(`cannot write ${out}: ${(err as Error).message}`, { cause: err, exitCode: EXIT.failure })
  }
  return undefined
}

/** The recorded keys, each with whether the node still holds it. */
export async function keysList(target: RpcTarget, dir: string): Promise<Array<KeyRecord & { onNode: boolean }>> {
  const records = await readRecords(await nodeKeysDir(target, dir))
  return Promise.all(
    records.map(async (r) => ({ ...r, onNode: await rpcCall<boolean>(target, r.kind === 'sym' ? 'shh_hasSymKey' : 'shh_hasKeyPair', [r.id]) }))
  )
}

/** Deletes a key on the node and forgets it; returns whether the node had it. */
export async function keysDelete(target: RpcTarget, dir: string, id: string): Promise<boolean> {
  const list = await nodeKeysDir(target, dir)
  const records = await readRecords(list)
  const record = records.find((r) => r.id === id)
  const kind = record?.kind ?? ((await rpcCall<boolean>(target, 'shh_hasSymKey', [id])) ? 'sym' : 'pair')
  const deleted = await rpcCall<boolean>(target, kind === 'sym' ? 'shh_deleteSymKey' : 'shh_deleteKeyPair', [id])
  await writeRecords(list, records.filter((r) => r.id !== id))
  return deleted
}
