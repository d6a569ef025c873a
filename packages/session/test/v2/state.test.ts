import { mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { decodeOutLog, decodeSnapshot, encodeOutEntry, encodeOutHeader, encodeSnapshot } from '../../src/v2/state-codec.ts'
import { FileStateStore, MemoryStateStore, type StateStore, newStateId } from '../../src/v2/state-store.ts'

const KEY = Uint8Array.from({ length: 32 }, (_, i) => i + 1)
const OTHER_KEY = Uint8Array.from({ length: 32 }, (_, i) => 200 - i)
const ID = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i)
const OTHER_ID = Uint8Array.from({ length: 16 }, (_, i) => 0xb0 + i)
let counter = 0
const random = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => counter++ & 0xff)
const bytes = (...xs: number[]): Uint8Array => Uint8Array.from(xs)
const named = (fn: () => unknown): string => {
  try {
    fn()
    return 'no error'
  } catch (err) {
    return (err as Error).name
  }
}

describe('snapshot codec', () => {
  it('round-trips, and opens only under its key and its file id', () => {
    const encoded = encodeSnapshot(KEY, ID, { kind: 2, generation: 7, value: bytes(1, 2, 3) }, random)
    expect(encoded).toHaveLength(20 + 12 + 3 + 16)
    expect(new TextDecoder().decode(encoded.subarray(0, 8))).toBe('HUSHST02')
    expect(decodeSnapshot(KEY, ID, encoded)).toEqual({ kind: 2, generation: 7, value: bytes(1, 2, 3) })
    expect(named(() => decodeSnapshot(OTHER_KEY, ID, encoded))).toBe('StateCorruptedError')
    // A file renamed to another id does not open.
    expect(named(() => decodeSnapshot(KEY, OTHER_ID, encoded))).toBe('StateCorruptedError')
  })

  it.each([
    ['empty', () => new Uint8Array(0)],
    ['wrong magic', (e: Uint8Array) => Object.assign(e.slice(), { 0: 0x48 ^ 1 })],
    ['kind 3', (e: Uint8Array) => Object.assign(e.slice(), { 8: 3 })],
    ['kind swapped (authenticated)', (e: Uint8Array) => Object.assign(e.slice(), { 8: 1 })],
    ['reserved byte set', (e: Uint8Array) => Object.assign(e.slice(), { 9: 1 })],
    ['generation altered (authenticated)', (e: Uint8Array) => Object.assign(e.slice(), { 19: e[19] ^ 1 })],
    ['ciphertext altered', (e: Uint8Array) => Object.assign(e.slice(), { 33: e[33] ^ 1 })],
    ['truncated tag', (e: Uint8Array) => e.subarray(0, e.length - 1)],
  ])('refuses a snapshot with %s as StateCorruptedError', (_name, mutate) => {
    const encoded = encodeSnapshot(KEY, ID, { kind: 2, generation: 7, value: bytes(1, 2, 3) }, random)
    expect(named(() => decodeSnapshot(KEY, ID, mutate(encoded)))).toBe('StateCorruptedError')
  })

  it('random bytes only ever give StateCorruptedError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), (b) => {
      expect(named(() => decodeSnapshot(KEY, ID, b))).toBe('StateCorruptedError')
    }))
  })

  it('names bad arguments', () => {
    expect(() => encodeSnapshot(KEY.subarray(1), ID, { kind: 1, generation: 1, value: bytes() }, random)).toThrow(new RangeError('stateKey must be 32 bytes, got 31'))
    expect(() => encodeSnapshot(KEY, ID, { kind: 3 as never, generation: 1, value: bytes() }, random)).toThrow(new RangeError('snapshot.kind must be 1 or 2'))
  })
})

describe('out log codec', () => {
  const log = (entries: Uint8Array[]): Uint8Array => {
    const parts = [encodeOutHeader(ID), ...entries.map((e, i) => encodeOutEntry(KEY, ID, i, e, random))]
    const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0))
    let at = 0
    for (const p of parts) {
      out.set(p, at)
      at += p.length
    }
    return out
  }
  const entries = [bytes(1), bytes(2, 2), bytes(3, 3, 3)]

  it('round-trips', () => {
    const file = log(entries)
    expect(decodeOutLog(KEY, ID, file)).toEqual({ entries, validLength: file.length })
    expect(decodeOutLog(KEY, ID, encodeOutHeader(ID))).toEqual({ entries: [], validLength: 24 })
  })

  it('drops a torn last entry wherever the append was cut, and keeps the rest', () => {
    const whole = log(entries)
    const before = log(entries.slice(0, 2)).length
    for (let cut = before + 1; cut < whole.length; cut++) {
      expect(decodeOutLog(KEY, ID, whole.subarray(0, cut))).toEqual({ entries: entries.slice(0, 2), validLength: before })
    }
  })

  it('drops an unreadable last entry, but refuses one in the middle', () => {
    const file = log(entries)
    const last = file.slice()
    last[last.length - 1] ^= 1
    expect(decodeOutLog(KEY, ID, last).entries).toEqual(entries.slice(0, 2))
    const middle = file.slice()
    middle[24 + 4 + 12] ^= 1 // the first entry's ciphertext
    expect(named(() => decodeOutLog(KEY, ID, middle))).toBe('StateCorruptedError')
  })

  it('binds each entry to its index and the log to its id', () => {
    const a = encodeOutEntry(KEY, ID, 0, bytes(1), random)
    const b = encodeOutEntry(KEY, ID, 1, bytes(2), random)
    const c = encodeOutEntry(KEY, ID, 2, bytes(3), random)
    const swapped = new Uint8Array([...encodeOutHeader(ID), ...b, ...a, ...c])
    expect(named(() => decodeOutLog(KEY, ID, swapped))).toBe('StateCorruptedError')
    expect(named(() => decodeOutLog(KEY, OTHER_ID, log(entries)))).toBe('StateCorruptedError')
    expect(named(() => decodeOutLog(OTHER_KEY, ID, log(entries)))).toBe('StateCorruptedError')
  })

  it('random bytes after the header only ever drop entries or give StateCorruptedError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (tail) => {
        const outcome = named(() => decodeOutLog(KEY, ID, new Uint8Array([...encodeOutHeader(ID), ...tail])))
        expect(['no error', 'StateCorruptedError']).toContain(outcome)
      })
    )
  })
})

const stores: Array<[string, () => Promise<{ store: () => StateStore; dir?: string }>]> = [
  ['memory', async () => {
    const store = new MemoryStateStore()
    return { store: () => store }
  }],
  ['files', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'hush-state-')), 'alice.account.sessions')
    return { store: () => new FileStateStore(dir, KEY, random), dir }
  }],
]

describe.each(stores)('StateStore (%s)', (_kind, make) => {
  let cleanup: string | undefined
  afterEach(async () => {
    if (cleanup !== undefined) await rm(cleanup, { recursive: true, force: true })
    cleanup = undefined
  })

  it('gives back what was committed, across a reopen', async () => {
    const { store, dir } = await make()
    cleanup = dir === undefined ? undefined : join(dir, '..')
    const a = newStateId()
    const b = newStateId()
    expect(a).toMatch(/^[0-9a-f]{32}$/)
    const first = store()
    await first.load()
    await first.commit({ appends: [{ id: a, entries: [bytes(1), bytes(2)] }], snapshots: [{ id: a, kind: 2, value: bytes(9) }, { id: b, kind: 1, value: bytes(8) }] })
    await first.commit({ appends: [{ id: a, entries: [bytes(3)] }], snapshots: [{ id: a, kind: 2, value: bytes(10) }] })
    const loaded = await store().load()
    expect(loaded.outs.get(a)).toEqual([bytes(1), bytes(2), bytes(3)])
    expect(loaded.snapshots.get(a)).toEqual({ kind: 2, generation: 2, value: bytes(10) })
    expect(loaded.snapshots.get(b)).toEqual({ kind: 1, generation: 1, value: bytes(8) })
    // Compaction rewrites the log; removal takes every file of an id.
    const again = store()
    await again.load()
    await again.commit({ rewrites: [{ id: a, entries: [bytes(3)] }], removals: [b] })
    await again.commit({ appends: [{ id: a, entries: [bytes(4)] }] })
    const final = await store().load()
    expect(final.outs.get(a)).toEqual([bytes(3), bytes(4)])
    expect([...final.snapshots.keys()]).toEqual([a])
    if (dir !== undefined) expect(await readdir(dir)).toEqual([`${a}.core`, `${a}.out`])
  })

  it('runs commits one at a time, in call order', async () => {
    const { store, dir } = await make()
    cleanup = dir === undefined ? undefined : join(dir, '..')
    const s = store()
    await s.load()
    const id = newStateId()
    await Promise.all(Array.from({ length: 20 }, (_, i) => s.commit({ appends: [{ id, entries: [bytes(i)] }], snapshots: [{ id, kind: 2, value: bytes(i) }] })))
    const loaded = await store().load()
    expect(loaded.outs.get(id)).toEqual(Array.from({ length: 20 }, (_, i) => bytes(i)))
    expect(loaded.snapshots.get(id)).toEqual({ kind: 2, generation: 20, value: bytes(19) })
  })

  it('names malformed changes', async () => {
    const { store, dir } = await make()
    cleanup = dir === undefined ? undefined : join(dir, '..')
    expect(() => store().commit({ removals: ['nope'] })).toThrow(new TypeError('changes removal id must be 32 lowercase hex characters'))
    expect(() => store().commit({ snapshots: [{ id: newStateId(), kind: 5 as never, value: bytes() }] })).toThrow(RangeError)
  })
})

describe('FileStateStore on disk', () => {
  let root: string | undefined
  afterEach(async () => {
    if (root !== undefined) await rm(root, { recursive: true, force: true })
    root = undefined
  })
  const fresh = async (): Promise<string> => {
    root = await mkdtemp(join(tmpdir(), 'hush-state-'))
    return join(root, 'alice.account.sessions')
  }

  it('keeps its directory 0700 and its files 0600, and no plaintext on disk', async () => {
    const dir = await fresh()
    const store = new FileStateStore(dir, KEY)
    await store.load()
    const id = newStateId()
    const secret = new TextEncoder().encode('the chain key that must not leak')
    await store.commit({ appends: [{ id, entries: [secret] }], snapshots: [{ id, kind: 2, value: secret }] })
    expect((await stat(dir)).mode & 0o777).toBe(0o700)
    for (const name of await readdir(dir)) {
      expect((await stat(join(dir, name))).mode & 0o777).toBe(0o600)
      expect(Buffer.from(await readFile(join(dir, name))).includes(Buffer.from(secret))).toBe(false)
    }
  })

  it('cuts a torn last append at load and appends after it at the right index', async () => {
    const dir = await fresh()
    const id = newStateId()
    const first = new FileStateStore(dir, KEY)
    await first.load()
    await first.commit({ appends: [{ id, entries: [bytes(1), bytes(2)] }] })
    const path = join(dir, `${id}.out`)
    const size = (await stat(path)).size
    await first.commit({ appends: [{ id, entries: [bytes(3)] }] })
    await truncate(path, (await stat(path)).size - 5) // a crash during the third append
    const second = new FileStateStore(dir, KEY)
    expect((await second.load()).outs.get(id)).toEqual([bytes(1), bytes(2)])
    expect((await stat(path)).size).toBe(size)
    await second.commit({ appends: [{ id, entries: [bytes(4)] }] })
    expect((await new FileStateStore(dir, KEY).load()).outs.get(id)).toEqual([bytes(1), bytes(2), bytes(4)])
  })

  it('removes temporary files a crash left, and refuses a wrong state key or a misnamed file', async () => {
    const dir = await fresh()
    const store = new FileStateStore(dir, KEY)
    await store.load()
    const id = newStateId()
    await store.commit({ snapshots: [{ id, kind: 2, value: bytes(1) }] })
    await writeFile(join(dir, `${id}.core.0a0b0c0d0e0f.tmp`), 'half a write')
    await new FileStateStore(dir, KEY).load()
    expect(await readdir(dir)).toEqual([`${id}.core`])
    await expect(new FileStateStore(dir, OTHER_KEY).load()).rejects.toMatchObject({ name: 'StateCorruptedError' })
    // A session core renamed to an invitation (or to another id) does not load.
    const { rename } = await import('node:fs/promises')
    await rename(join(dir, `${id}.core`), join(dir, `${id}.inv`))
    await expect(new FileStateStore(dir, KEY).load()).rejects.toMatchObject({ name: 'StateCorruptedError' })
  })

  it('makes the appends durable before it replaces any snapshot (the write-ahead order)', async () => {
    const dir = await fresh()
    const store = new FileStateStore(dir, KEY)
    await store.load()
    const id = newStateId()
    await store.commit({ snapshots: [{ id, kind: 2, value: bytes(0) }] })
    const real = process.getBuiltinModule('node:fs/promises')
    const calls: string[] = []
    const traced = {
      ...real,
      open: async (file: string, flags: string, mode?: number) => {
        const handle = await real.open(file, flags, mode)
        const what = file === dir ? 'dir' : file.endsWith('.out') ? 'out' : 'core'
        return Object.assign(Object.create(handle), {
          sync: () => (calls.push(`sync ${what}`), handle.sync()),
          close: () => handle.close(),
          write: (d: Uint8Array) => handle.write(d),
          writeFile: (d: Uint8Array) => handle.writeFile(d),
        })
      },
      rename: async (from: string, to: string) => {
        calls.push('rename core')
        return real.rename(from, to)
      },
    }
    const spy = vi.spyOn(process, 'getBuiltinModule').mockImplementation(((m: string) => (m === 'node:fs/promises' ? traced : real)) as typeof process.getBuiltinModule)
    try {
      await store.commit({ snapshots: [{ id, kind: 2, value: bytes(1) }], appends: [{ id, entries: [bytes(7)] }] })
    } finally {
      spy.mockRestore()
    }
    // New .out file: its data, then its directory entry; then the snapshot's file, rename, directory.
    expect(calls).toEqual(['sync out', 'sync dir', 'sync core', 'rename core', 'sync dir'])
  })
})
