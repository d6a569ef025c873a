/**
 * What only the LevelDB backend has: its settings, its directory lock, its totals record, write
 * ordering under overlapping calls, and durability across `kill -9` of the writing process.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { encodeEnvelope, keccak256 } from '@hush/envelope'
import { ClassicLevel } from 'classic-level'
import { afterAll, describe, expect, it } from 'vitest'
import { openLevelArchive } from '../src/index.ts'
import { entryOf } from './fixtures/entries.ts'

const dirs: string[] = []
async function freshPath(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hush-level-'))
  dirs.push(dir)
  return join(dir, 'db')
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
})

describe('openLevelArchive', () => {
  it('checks its settings, naming them', async () => {
    await expect(openLevelArchive(null as never)).rejects.toMatchObject({ name: 'TypeError', message: expect.stringContaining('init') })
    await expect(openLevelArchive({ path: '' })).rejects.toMatchObject({ name: 'TypeError', message: expect.stringContaining('init.path') })
    await expect(openLevelArchive({ path: await freshPath(), sync: 'yes' as never })).rejects.toMatchObject({ name: 'TypeError', message: expect.stringContaining('init.sync') })
  })

  it('creates missing parent directories, and refuses a second opener of the same directory', async () => {
    const path = join(await freshPath(), 'a', 'b')
    const archive = await openLevelArchive({ path })
    await expect(openLevelArchive({ path })).rejects.toMatchObject({ code: 'LEVEL_DATABASE_NOT_OPEN', cause: expect.objectContaining({ code: 'LEVEL_LOCKED' }) })
    await archive.close()
    const again = await openLevelArchive({ path })
    await again.close()
  })

  it('refuses a LevelDB database that is not a Hush archive', async () => {
    const path = await freshPath()
    const db = new ClassicLevel<Uint8Array, Uint8Array>(path, { keyEncoding: 'view', valueEncoding: 'view' })
    await db.put(new Uint8Array([0]), new Uint8Array([1, 2, 3]))
    await db.close()
    await expect(openLevelArchive({ path })).rejects.toThrow('not a Hush archive')
  })

  it('keeps its totals right when puts of overlapping entries overlap in time', async () => {
    const archive = await openLevelArchive({ path: await freshPath() })
    const entries = Array.from({ length: 200 }, (_, n) => entryOf(n, 1000 + (n % 20)))
    const results = await Promise.all([0, 1, 2, 3].map((k) => archive.put(entries.slice(k * 30, k * 30 + 100))))
    expect(results.reduce((a, b) => a + b, 0)).toBe(190)
    expect(await archive.stats()).toEqual({ count: 190, bytes: entries.slice(0, 190).reduce((s, e) => s + e.raw.length, 0) })
    await archive.close()
  })

  it('serves, after kill -9 of the writer, every envelope whose put had resolved', async () => {
    const path = await freshPath()
    const writer = fileURLToPath(new URL('./fixtures/crash-writer.mjs', import.meta.url))
    const child = spawn(process.execPath, [writer, path, '100'], { stdio: ['ignore', 'pipe', 'inherit'] })
    let acked = 0
    const lines = createInterface({ input: child.stdout })
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)))
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`writer acknowledged only ${acked} envelopes in 20 s`)), 20_000)
      lines.on('line', (line) => {
        acked = Number(line.split(' ')[1])
        if (acked >= 3000) {
          clearTimeout(timer)
          child.kill('SIGKILL') // mid-write: the next batch is on its way
          resolve()
        }
      })
    })
    expect(await exited).toBe('SIGKILL')
    const archive = await openLevelArchive({ path })
    const { count } = await archive.stats()
    expect(count).toBeGreaterThanOrEqual(acked)
    // Every acknowledged envelope, by its exact bytes.
    const page = await archive.query({ from: 0, to: 0xffff_ffff, limit: 10_000 })
    const topic = new Uint8Array([1, 2, 3, 4])
    for (let n = 0; n < acked; n++) {
      const data = new Uint8Array(1024)
      new DataView(data.buffer).setUint32(0, n)
      const raw = encodeEnvelope({ expiry: 2_000_000 + n, ttl: 100, topic, data, nonce: BigInt(n) })
      expect(page.hashes[n]).toEqual(keccak256(raw))
      expect(page.envelopes[n]).toEqual(raw)
    }
    expect(page.envelopes.length).toBe(count)
    await archive.close()
  })
})
