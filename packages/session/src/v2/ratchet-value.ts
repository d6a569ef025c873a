/**
 * The ratchet part of a session's core value (docs/SESSION.md §12.2), from `AD` to `prev[]`:
 *
 * ```
 * AD(32) ‖ RK(32) ‖ opt(DHs.priv(32) ‖ DHs.pub(32)) ‖ opt(DHr(32)) ‖ opt(CKs) ‖ opt(CKr) ‖
 * u32 Ns ‖ u32 Nr ‖ u32 PN ‖ opt(SDs) ‖ NSDs ‖ opt(SDr) ‖ opt(NSDr) ‖ skipped ‖
 * u8 firstStepDone ‖ opt(S_A.priv(32)) ‖ u8 prevCount ‖ prevCount × (dh(32) ‖ SD(32) ‖
 * u32 Nend ‖ u64 supersededAtMs ‖ skipped)
 * skipped = u16 k ‖ k × (u32 n ‖ mk(32) ‖ u64 storedAtMs)     (oldest first)
 * ```
 *
 * `opt(S_A.priv)` (the joiner's copy of its static key, held until its first step) is not in the
 * text's list: it goes right after `firstStepDone` (§20). `DHs`, `CKs`, `SDs` and `NSDr` always
 * exist in a {@link RatchetState}: they are written present, and an absent one is refused.
 * Seeds are stored alone; the header key and topic are derived again at load.
 */
import { MAX_PREV_CHAINS, type ChainSeed, chainSeed, type PrevChain, type RatchetState, type SkippedKey, type SkippedKeyBudget } from './ratchet-state.ts'
import { corrupted, type ValueReader, type ValueWriter } from './value-bytes.ts'

const KEY_BYTES = 32

/** The per-session bounds a decoded ratchet gets (the state's `maxSkippedKeys` and `budget`). */
export interface RatchetValueLimits {
  /** Skipped keys a session may hold; a value holding more is refused. */
  readonly maxSkippedKeys: number
  /** The budget shared by the peer's sessions (its `used` is the caller's to increase). */
  readonly budget: SkippedKeyBudget
}

/**
 * What makes `state` impossible for the ratchet to have reached, or `undefined`: a receiving chain
 * half there, a first step that disagrees with the chain or the static key it consumes, prev
 * chains before any step or more than {@link MAX_PREV_CHAINS}, a skipped key at or beyond its
 * chain's end, or more than `maxSkippedKeys` skipped keys.
 */
function ratchetProblem(state: RatchetState, maxSkippedKeys: number): string | undefined {
  const parts = [state.dhr, state.ckr, state.sdr].filter((x) => x !== undefined).length
  if (parts !== 0 && parts !== 3) return 'DHr, CKr and SDr must be all present or all absent'
  if (state.firstStepDone !== (parts === 3)) return 'a receiving chain exists exactly when the first step is done'
  if (state.firstStepDone === (state.staticPrivateKey !== undefined)) return 'the static private key is held exactly until the first step'
  if (!state.firstStepDone && state.prev.length > 0) return 'prev chains before the first step'
  if (state.prev.length > MAX_PREV_CHAINS) return `${state.prev.length} prev chains, more than ${MAX_PREV_CHAINS}`
  for (const n of state.skipped.keys()) if (n >= state.nr) return `skipped key ${n} of the current chain is not below Nr (${state.nr})`
  let total = state.skipped.size
  for (const chain of state.prev) {
    for (const n of chain.skipped.keys()) if (n >= chain.end) return `skipped key ${n} of a prev chain is not below its end (${chain.end})`
    total += chain.skipped.size
  }
  if (total > maxSkippedKeys) return `${total} skipped keys, more than maxSkippedKeys (${maxSkippedKeys})`
  return undefined
}

function writeSkipped(w: ValueWriter, skipped: ReadonlyMap<number, SkippedKey>, label: string): void {
  w.u16(skipped.size, `${label}.size`)
  for (const [n, key] of skipped) {
    w.u32(n, `${label} index`)
    w.bytes(key.messageKey, KEY_BYTES, `${label}[${n}].messageKey`)
    w.u64(key.storedAtMs, `${label}[${n}].storedAtMs`)
  }
}

function writeOptional(w: ValueWriter, value: Uint8Array | undefined, label: string): void {
  w.present(value !== undefined)
  if (value !== undefined) w.bytes(value, KEY_BYTES, label)
}

/**
 * Writes the ratchet part of a core value.
 * @throws {TypeError | RangeError} when a field is malformed, `skippedCount` disagrees with the
 *   keys held, or {@link ratchetProblem} names a problem
 */
export function writeRatchet(w: ValueWriter, state: RatchetState): void {
  const problem = ratchetProblem(state, state.maxSkippedKeys)
  if (problem !== undefined) throw new RangeError(`ratchet: ${problem}`)
  const held = state.prev.reduce((sum, c) => sum + c.skipped.size, state.skipped.size)
  if (state.skippedCount !== held) throw new RangeError(`ratchet.skippedCount is ${state.skippedCount}, but ${held} keys are held`)
  w.bytes(state.ad, KEY_BYTES, 'ratchet.ad')
  w.bytes(state.rk, KEY_BYTES, 'ratchet.rk')
  w.present(true)
  w.bytes(state.dhs.privateKey, KEY_BYTES, 'ratchet.dhs.privateKey')
  w.bytes(state.dhs.publicKey, KEY_BYTES, 'ratchet.dhs.publicKey')
  writeOptional(w, state.dhr, 'ratchet.dhr')
  w.present(true)
  w.bytes(state.cks, KEY_BYTES, 'ratchet.cks')
  writeOptional(w, state.ckr, 'ratchet.ckr')
  w.u32(state.ns, 'ratchet.ns')
  w.u32(state.nr, 'ratchet.nr')
  w.u32(state.pn, 'ratchet.pn')
  w.present(true)
  w.bytes(state.sds.seed, KEY_BYTES, 'ratchet.sds.seed')
  w.bytes(state.nsds.seed, KEY_BYTES, 'ratchet.nsds.seed')
  writeOptional(w, state.sdr?.seed, 'ratchet.sdr.seed')
  w.present(true)
  w.bytes(state.nsdr.seed, KEY_BYTES, 'ratchet.nsdr.seed')
  writeSkipped(w, state.skipped, 'ratchet.skipped')
  w.flag(state.firstStepDone, 'ratchet.firstStepDone')
  writeOptional(w, state.staticPrivateKey, 'ratchet.staticPrivateKey')
  w.u8(state.prev.length, 'ratchet.prev.length')
  for (const [j, chain] of state.prev.entries()) {
    w.bytes(chain.dh, KEY_BYTES, `ratchet.prev[${j}].dh`)
    w.bytes(chain.seed.seed, KEY_BYTES, `ratchet.prev[${j}].seed.seed`)
    w.u32(chain.end, `ratchet.prev[${j}].end`)
    w.u64(chain.supersededAtMs, `ratchet.prev[${j}].supersededAtMs`)
    writeSkipped(w, chain.skipped, `ratchet.prev[${j}].skipped`)
  }
}

/** A seed, with its header key and topic derived again; all three wiped if the decode fails. */
function readSeed(r: ValueReader, what: string): ChainSeed {
  const seed = chainSeed(r.secret(KEY_BYTES, what))
  r.track(seed.headerKey, seed.topic)
  return seed
}

function readRequired(r: ValueReader, what: string): void {
  if (!r.flag(`presence of ${what}`)) throw corrupted(`${what} is absent`)
}

/** Reads `skipped`, allowing at most `room` keys, each below `end`. */
function readSkipped(r: ValueReader, room: number, end: number, what: string): Map<number, SkippedKey> {
  const k = r.u16(`${what} count`)
  if (k > room) throw corrupted(`${what}: ${k} keys go beyond maxSkippedKeys`)
  const map = new Map<number, SkippedKey>()
  for (let i = 0; i < k; i++) {
    const n = r.u32(`${what} index`)
    if (n >= end) throw corrupted(`${what}: index ${n} is not below the chain's end (${end})`)
    if (map.has(n)) throw corrupted(`${what}: index ${n} twice`)
    const messageKey = r.secret(KEY_BYTES, `${what} message key`)
    map.set(n, { messageKey, storedAtMs: r.u64(`${what} storedAtMs`) })
  }
  return map
}

/**
 * Reads the ratchet part of a core value: seeds get their header keys and topics again, `epoch`
 * is 0, `skippedCount` is the keys read. It does not touch `limits.budget.used`: the caller adds
 * `skippedCount` once the whole value has decoded.
 * @throws {StateCorruptedError} when the bytes are malformed or {@link ratchetProblem} names a problem
 */
export function readRatchet(r: ValueReader, limits: RatchetValueLimits): RatchetState {
  const ad = r.secret(KEY_BYTES, 'AD')
  const rk = r.secret(KEY_BYTES, 'RK')
  readRequired(r, 'DHs')
  const dhs = { privateKey: r.secret(KEY_BYTES, 'DHs private key'), publicKey: r.copy(KEY_BYTES, 'DHs public key') }
  const dhr = r.flag('presence of DHr') ? r.copy(KEY_BYTES, 'DHr') : undefined
  readRequired(r, 'CKs')
  const cks = r.secret(KEY_BYTES, 'CKs')
  const ckr = r.flag('presence of CKr') ? r.secret(KEY_BYTES, 'CKr') : undefined
  const ns = r.u32('Ns')
  const nr = r.u32('Nr')
  const pn = r.u32('PN')
  readRequired(r, 'SDs')
  const sds = readSeed(r, 'SDs')
  const nsds = readSeed(r, 'NSDs')
  const sdr = r.flag('presence of SDr') ? readSeed(r, 'SDr') : undefined
  readRequired(r, 'NSDr')
  const nsdr = readSeed(r, 'NSDr')
  const skipped = readSkipped(r, limits.maxSkippedKeys, nr, 'skipped keys')
  let total = skipped.size
  const firstStepDone = r.flag('firstStepDone')
  const staticPrivateKey = r.flag('presence of the static private key') ? r.secret(KEY_BYTES, 'static private key') : undefined
  const prevCount = r.u8('prev count')
  if (prevCount > MAX_PREV_CHAINS) throw corrupted(`${prevCount} prev chains, more than ${MAX_PREV_CHAINS}`)
  const prev: PrevChain[] = []
  for (let j = 0; j < prevCount; j++) {
    const dh = r.copy(KEY_BYTES, `prev[${j}].dh`)
    const seed = readSeed(r, `prev[${j}].SD`)
    const end = r.u32(`prev[${j}].Nend`)
    const supersededAtMs = r.u64(`prev[${j}].supersededAtMs`)
    const chainSkipped = readSkipped(r, limits.maxSkippedKeys - total, end, `prev[${j}] skipped keys`)
    total += chainSkipped.size
    prev.push({ dh, seed, end, supersededAtMs, skipped: chainSkipped })
  }
  const state: RatchetState = {
    dhs,
    dhr,
    rk,
    cks,
    ns,
    pn,
    sds,
    nsds,
    ckr,
    sdr,
    nr,
    nsdr,
    skipped,
    prev,
    ad,
    firstStepDone,
    staticPrivateKey,
    skippedCount: total,
    maxSkippedKeys: limits.maxSkippedKeys,
    budget: limits.budget,
    epoch: 0,
  }
  const problem = ratchetProblem(state, limits.maxSkippedKeys)
  if (problem !== undefined) throw corrupted(problem)
  return state
}
