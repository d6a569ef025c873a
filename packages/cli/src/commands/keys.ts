/**
 * `hush keys`: creates, lists and deletes keys on a running node. The node keeps keys in memory
 * under random ids; the command records the ids it created in `<data-dir>/keys.json` so `list`
 * can show them and whether the node still holds them.
 */
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeFileAtomic } from '@hush/session'
import { type RpcTarget, rpcCall } from '../rpc-client.ts'

/** One recorded key. */
export interface KeyRecord {
  id: string
  kind: 'pair' | 'sym'
  publicKey?: string
  createdAt: string
}

const file = (dir: string): string => join(dir, 'keys.json')

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

/** Creates a key pair (or a symmetric key) on the node and records it. */
export async function keysNew(target: RpcTarget, dir: string, sym: boolean): Promise<KeyRecord> {
  const id = await rpcCall<string>(target, sym ? 'shh_newSymKey' : 'shh_newKeyPair')
  const record: KeyRecord = { id, kind: sym ? 'sym' : 'pair', createdAt: new Date().toISOString() }
  if (!sym) record.publicKey = await rpcCall<string>(target, 'shh_getPublicKey', [id])
  await writeRecords(dir, [...(await readRecords(dir)), record])
  return record
}

/** The recorded keys, each with whether the node still holds it. */
export async function keysList(target: RpcTarget, dir: string): Promise<Array<KeyRecord & { onNode: boolean }>> {
  const records = await readRecords(dir)
  return Promise.all(
    records.map(async (r) => ({ ...r, onNode: await rpcCall<boolean>(target, r.kind === 'sym' ? 'shh_hasSymKey' : 'shh_hasKeyPair', [r.id]) }))
  )
}

/** Deletes a key on the node and forgets it; returns whether the node had it. */
export async function keysDelete(target: RpcTarget, dir: string, id: string): Promise<boolean> {
  const records = await readRecords(dir)
  const record = records.find((r) => r.id === id)
  const kind = record?.kind ?? ((await rpcCall<boolean>(target, 'shh_hasSymKey', [id])) ? 'sym' : 'pair')
  const deleted = await rpcCall<boolean>(target, kind === 'sym' ? 'shh_deleteSymKey' : 'shh_deleteKeyPair', [id])
  await writeRecords(dir, records.filter((r) => r.id !== id))
  return deleted
}
