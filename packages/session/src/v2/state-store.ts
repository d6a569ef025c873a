/**
 * Where sessions and invitations persist (docs/SESSION.md §12): a {@link StateStore} takes group
 * commits in the write-ahead order of §12.3 (appends to `.out` logs, fsynced; then snapshots,
 * each atomic, in the order given; then removals) and gives everything back at load. Two
 * implementations: {@link FileStateStore} (a directory of encrypted files, mode 0700/0600) and
 * {@link MemoryStateStore} (tests, benches, and apps that do not persist).
 */
import { bytesToHex, concatBytes, hexToBytes } from '@noble/hashes/utils.js'
import { assertBytes } from '../assert.ts'
import { StateCorruptedError } from '../errors.ts'
import { appendDurable, openDirectory, readFileBytes, removeDurable, truncateDurable, writeFileAtomic } from '../durable-file.ts'
import { type RandomSource, systemRandom } from './random.ts'
import {
  STATE_ID_BYTES,
  assertStateId,
  type Snapshot,
  type SnapshotKind,
  decodeOutLog,
  decodeSnapshot,
  encodeOutEntry,
  encodeOutHeader,
  encodeSnapshot,
} from './state-codec.ts'

/** One group commit (docs/SESSION.md §12.3), applied in this order. */
export interface StateChanges {
  /** New entries of `.out` logs, appended and fsynced first. */
  readonly appends?: ReadonlyArray<{ readonly id: string; readonly entries: readonly Uint8Array[] }>
  /** `.out` logs rewritten whole with only these (live) entries: compaction. */
  readonly rewrites?: ReadonlyArray<{ readonly id: string; readonly entries: readonly Uint8Array[] }>
  /** Snapshots, each written atomically, in this order (a session's core before the invitation it consumed). */
  readonly snapshots?: ReadonlyArray<{ readonly id: string; readonly kind: SnapshotKind; readonly value: Uint8Array }>
  /** Ids whose every file is removed (a closed session, a deleted invitation). */
  readonly removals?: readonly string[]
}

/** Everything a store holds, as `load` gives it back. */
export interface LoadedState {
  /** Snapshots by id. */
  readonly snapshots: Map<string, Snapshot>
  /** `.out` log entries by id, in order. */
  readonly outs: Map<string, Uint8Array[]>
}

/** Durable storage of session state. */
export interface StateStore {
  /** Reads everything back (cutting off a torn last append). Call once, before the first commit. */
  load(): Promise<LoadedState>
  /** Applies `changes` durably; commits run one at a time, in call order. */
  commit(changes: StateChanges): Promise<void>
}

/** A fresh state file id: 16 random bytes as lowercase hex, never derived from anything. */
export function newStateId(random: RandomSource = systemRandom): string {
  return bytesToHex(random(STATE_ID_BYTES))
}

function checkChanges(changes: StateChanges): void {
  if (typeof changes !== 'object' || changes === null) throw new TypeError('changes must be an object')
  for (const a of [...(changes.appends ?? []), ...(changes.rewrites ?? [])]) {
    assertStateId(a.id, 'changes id')
    for (const e of a.entries) assertBytes(e, 'changes entry')
  }
  for (const s of changes.snapshots ?? []) {
    assertStateId(s.id, 'changes snapshot id')
    if (s.kind !== 1 && s.kind !== 2) throw new RangeError('changes snapshot kind must be 1 or 2')
    assertBytes(s.value, 'changes snapshot value')
  }
  for (const id of changes.removals ?? []) assertStateId(id, 'changes removal id')
}

const EXTENSION: Record<SnapshotKind, string> = { 1: 'inv', 2: 'core' }

/** Runs commits one at a time, in call order. */
class CommitQueue {
  private tail: Promise<void> = Promise.resolve()

  run(task: () => Promise<void>): Promise<void> {
    const next = this.tail.then(task)
    // A failed commit fails its caller, not the ones after it.
    this.tail = next.catch(() => {})
    return next
  }

  /** Resolves once every commit issued so far has finished (failed ones too). */
  idle(): Promise<void> {
    return this.tail
  }
}

/**
 * Session state in a directory (created with mode 0700): `<id>.inv` and `<id>.core` snapshots,
 * `<id>.out` logs, all encrypted under the account's 32-byte state key.
 */
export class FileStateStore implements StateStore {
  private readonly dir: string
  private readonly stateKey: Uint8Array
  private readonly random: RandomSource
  private readonly generations = new Map<string, number>()
  private readonly outCounts = new Map<string, number>()
  private readonly queue = new CommitQueue()

  /**
   * @param dir - the directory (`<account path>.sessions` by convention)
   * @param stateKey - the account's state key (32 bytes; the store keeps a copy)
   * @param random - the nonce source (tests make it deterministic)
   */
  constructor(dir: string, stateKey: Uint8Array, random: RandomSource = systemRandom) {
    if (typeof dir !== 'string' || dir.length === 0) throw new TypeError('dir must be a non-empty string')
    assertBytes(stateKey, 'stateKey', 32)
    this.dir = dir
    this.stateKey = stateKey.slice()
    this.random = random
  }

  private path(id: string, extension: string): string {
    return `${this.dir}/${id}.${extension}`
  }

  async load(): Promise<LoadedState> {
    const snapshots = new Map<string, Snapshot>()
    const outs = new Map<string, Uint8Array[]>()
    const leftovers: string[] = []
    for (const name of await openDirectory(this.dir)) {
      const match = /^([0-9a-f]{32})\.(inv|core|out)$/.exec(name)
      if (match === null) {
        // A crash during an atomic write leaves its temporary file behind.
        if (name.endsWith('.tmp')) leftovers.push(`${this.dir}/${name}`)
        continue
      }
      const [, id, extension] = match
      const bytes = await readFileBytes(`${this.dir}/${name}`)
      if (extension === 'out') {
        const log = decodeOutLog(this.stateKey, hexToBytes(id), bytes)
        if (log.validLength < bytes.length) await truncateDurable(`${this.dir}/${name}`, log.validLength)
        outs.set(id, log.entries)
        this.outCounts.set(id, log.entries.length)
        continue
      }
      const snapshot = decodeSnapshot(this.stateKey, hexToBytes(id), bytes)
      if (EXTENSION[snapshot.kind] !== extension) throw new StateCorruptedError(`${name} holds a snapshot of kind ${snapshot.kind}`)
      if (snapshots.has(id)) throw new StateCorruptedError(`id ${id} has both an invitation and a session snapshot`)
      snapshots.set(id, snapshot)
      this.generations.set(id, snapshot.generation)
    }
    if (leftovers.length > 0) await removeDurable(...leftovers)
    return { snapshots, outs }
  }

  commit(changes: StateChanges): Promise<void> {
    checkChanges(changes)
    return this.queue.run(() => this.apply(changes))
  }

  /** Resolves once every commit issued so far has finished: await it before the process exits. */
  idle(): Promise<void> {
    return this.queue.idle()
  }

  private async apply(changes: StateChanges): Promise<void> {
    for (const { id, entries } of changes.appends ?? []) {
      if (entries.length === 0) continue
      const first = this.outCounts.get(id) ?? 0
      const idb = hexToBytes(id)
      const parts = entries.map((e, i) => encodeOutEntry(this.stateKey, idb, first + i, e, this.random))
      if (first === 0) parts.unshift(encodeOutHeader(idb))
      await appendDurable(this.path(id, 'out'), concatBytes(...parts))
      this.outCounts.set(id, first + entries.length)
    }
    for (const { id, entries } of changes.rewrites ?? []) {
      const idb = hexToBytes(id)
      const parts = [encodeOutHeader(idb), ...entries.map((e, i) => encodeOutEntry(this.stateKey, idb, i, e, this.random))]
      await writeFileAtomic(this.path(id, 'out'), concatBytes(...parts))
      this.outCounts.set(id, entries.length)
    }
    for (const { id, kind, value } of changes.snapshots ?? []) {
      const generation = (this.generations.get(id) ?? 0) + 1
      await writeFileAtomic(this.path(id, EXTENSION[kind]), encodeSnapshot(this.stateKey, hexToBytes(id), { kind, generation, value }, this.random))
      this.generations.set(id, generation)
    }
    const removals = changes.removals ?? []
    if (removals.length > 0) {
      await removeDurable(...removals.flatMap((id) => ['inv', 'core', 'out'].map((ext) => this.path(id, ext))))
      for (const id of removals) {
        this.generations.delete(id)
        this.outCounts.delete(id)
      }
    }
  }
}

/**
 * Session state in memory: the same commits, applied in a microtask, gone with the process. What
 * tests and benches use, and what a session runs on when the app gives no store.
 */
export class MemoryStateStore implements StateStore {
  private readonly snapshots = new Map<string, Snapshot>()
  private readonly outs = new Map<string, Uint8Array[]>()
  private readonly queue = new CommitQueue()
  /** Commits applied so far (tests count them). */
  commits = 0

  async load(): Promise<LoadedState> {
    const outs = new Map<string, Uint8Array[]>()
    for (const [id, entries] of this.outs) outs.set(id, entries.map((e) => e.slice()))
    const snapshots = new Map<string, Snapshot>()
    for (const [id, s] of this.snapshots) snapshots.set(id, { ...s, value: s.value.slice() })
    return { snapshots, outs }
  }

  commit(changes: StateChanges): Promise<void> {
    checkChanges(changes)
    return this.queue.run(async () => {
      for (const { id, entries } of changes.appends ?? []) {
        const log = this.outs.get(id) ?? []
        for (const e of entries) log.push(e.slice())
        this.outs.set(id, log)
      }
      for (const { id, entries } of changes.rewrites ?? []) this.outs.set(id, entries.map((e) => e.slice()))
      for (const { id, kind, value } of changes.snapshots ?? []) {
        this.snapshots.set(id, { kind, generation: (this.snapshots.get(id)?.generation ?? 0) + 1, value: value.slice() })
      }
      for (const id of changes.removals ?? []) {
        this.snapshots.get(id)?.value.fill(0)
        this.snapshots.delete(id)
        this.outs.delete(id)
      }
      this.commits++
    })
  }
}
