/**
 * Receiving a ratchet record (docs/SESSION.md §6.5). All work is tentative: `openRecord` reads
 * the state without changing it and returns the frame with `commit` and `discard`. The session
 * commits only once the frame also passes its own checks (§8.2, §9.2); `discard`, and every
 * refusal, wipes each tentative secret, so a refused record leaves the state exactly as it was.
 *
 * Refusals are return values, never throws: `size`, `header` (no candidate chain's header key
 * opens it, or it carries a low-order key), `dh-mismatch`, `too-far` (beyond MAX_SKIP, or past the
 * end of a superseded chain), `body`, and `duplicate` (the header opened, the key is gone).
 */
import { equalBytes } from '@noble/ciphers/utils.js'
import { assertBytes, wipe } from '../assert.ts'
import { open, openHeader } from './aead.ts'
import { kdfCk, kdfRk, kdfRkFirst, type RootStep } from './key-schedule.ts'
import { systemRandom } from './random.ts'
import { HEADER_BLOCK_BYTES, HEADER_BYTES, RECORD_SIZES_BYTES, type RatchetComponents, ZERO_NONCE } from './ratchet.ts'
import { type ChainSeed, chainSeed, MAX_SKIP, type RatchetState, type SkippedKey, wipeSeed } from './ratchet-state.ts'
import { deleteSkipped, enforceBounds, storeSkipped } from './skipped-keys.ts'
import { generateX25519, x25519 } from './x25519.ts'

/** Why a record was refused (§6.5; `duplicate` is counted as a duplicate, not a rejection). */
export type RatchetRejectReason = 'size' | 'header' | 'dh-mismatch' | 'too-far' | 'body' | 'duplicate'

/** A record whose body authenticated: nothing has changed yet. Settle it exactly once. */
export interface OpenedRecord {
  readonly ok: true
  /** The padded frame (256, 1024 or 4096 bytes). {@link OpenedRecord.discard} wipes it. */
  readonly frame: Uint8Array
  /** The record's index `n` in its chain. */
  readonly n: number
  /** Whether committing it is a DH ratchet step (the peer's turn changed). */
  readonly step: boolean
  /**
   * Makes the tentative state the state: consumes the key, stores skipped keys, and on a step
   * moves the old chain to `prev` and makes the new sending chain (eager). Applies the bounds.
   * @throws {RangeError} when the record was already settled, or the state's receiving side
   *   changed since it was opened (another commit, an expiry or a wipe)
   */
  commit(): void
  /** Wipes every tentative secret and the frame; the state stays as it was. */
  discard(): void
}

/** A refused record: the state is unchanged. */
export interface RefusedRecord {
  readonly ok: false
  readonly reason: RatchetRejectReason
}

/** The outcome of {@link openRecord}. */
export type OpenResult = OpenedRecord | RefusedRecord

const refuse = (reason: RatchetRejectReason): RefusedRecord => ({ ok: false, reason })

/** Parsed header plaintext. */
interface Header {
  readonly dh: Uint8Array
  readonly pn: number
  readonly n: number
}

/** The message keys of indices `from … to−1` of a chain at `chainKey` (index `from`), and the chain key at `to`. */
interface Advanced {
  readonly keys: Array<[number, Uint8Array]>
  readonly chainKey: Uint8Array
}

/** Derives keys without touching `chainKey`; intermediate chain keys are wiped. */
function advance(chainKey: Uint8Array, from: number, to: number): Advanced {
  const keys: Array<[number, Uint8Array]> = []
  let ck: Uint8Array = chainKey.slice()
  for (let i = from; i < to; i++) {
    const next = kdfCk(ck)
    wipe(ck)
    keys.push([i, next.messageKey])
    ck = next.chainKey
  }
  return { keys, chainKey: ck }
}

function wipeKeys(keys: ReadonlyArray<readonly [number, Uint8Array]>): void {
  for (const [, k] of keys) wipe(k)
}


/** Opens the body with `mk` (wiped either way). */
function openBody(state: RatchetState, data: Uint8Array, messageKey: Uint8Array): Uint8Array | undefined {
  const aad = new Uint8Array(state.ad.length + HEADER_BLOCK_BYTES)
  aad.set(state.ad)
  aad.set(data.subarray(0, HEADER_BLOCK_BYTES), state.ad.length)
  const frame = open(messageKey, ZERO_NONCE, aad, data.subarray(HEADER_BLOCK_BYTES))
  wipe(messageKey)
  return frame
}

/** Wraps a successful open: `apply` runs at commit, `scratch` is wiped at discard. */
function opened(state: RatchetState, frame: Uint8Array, n: number, step: boolean, apply: () => void, scratch: () => void): OpenedRecord {
  const epoch = state.epoch
  let settled = false
  const settle = (): void => {
    if (settled) throw new RangeError('this record was already committed or discarded')
    settled = true
  }
  return {
    ok: true,
    frame,
    n,
    step,
    commit() {
      settle()
      if (state.epoch !== epoch) {
        scratch()
        wipe(frame)
        throw new RangeError('the state changed since this record was opened: open it again')
      }
      apply()
      state.epoch++
    },
    discard() {
      settle()
      scratch()
      wipe(frame)
    },
  }
}

/** §6.5 step 3, and step 4 for `n < Nr`: a key stored for `(dh, n)`. */
function openSkipped(state: RatchetState, data: Uint8Array, skipped: Map<number, SkippedKey>, n: number, end: number): OpenResult {
  const key = skipped.get(n)
  if (key === undefined) return refuse(n < end ? 'duplicate' : 'too-far')
  const frame = openBody(state, data, key.messageKey.slice())
  if (frame === undefined) return refuse('body')
  return opened(state, frame, n, false, () => deleteSkipped(state, skipped, n), () => {})
}

/** §6.5 step 4: the current receiving chain. */
function openCurrent(state: RatchetState, data: Uint8Array, header: Header, nowMs: number): OpenResult {
  if (state.dhr === undefined || state.ckr === undefined || !equalBytes(header.dh, state.dhr)) return refuse('dh-mismatch')
  if (header.n < state.nr) return openSkipped(state, data, state.skipped, header.n, state.nr)
  if (header.n - state.nr > MAX_SKIP) return refuse('too-far')
  const { keys, chainKey } = advance(state.ckr, state.nr, header.n)
  const last = kdfCk(chainKey)
  wipe(chainKey)
  const frame = openBody(state, data, last.messageKey)
  const scratch = (): void => {
    wipeKeys(keys)
    wipe(last.chainKey)
  }
  if (frame === undefined) {
    scratch()
    return refuse('body')
  }
  return opened(state, frame, header.n, false, () => {
    wipe(state.ckr)
    state.ckr = last.chainKey
    state.nr = header.n + 1
    storeSkipped(state, state.skipped, keys, nowMs)
    enforceBounds(state)
  }, scratch)
}

/** The receiving root step: KDF_RK, or on the joiner's first step its mirror of KDF_RK_FIRST. */
function receivingStep(state: RatchetState, dh: Uint8Array, components: RatchetComponents): RootStep | undefined {
  const first = !state.firstStepDone
  const a = x25519(state.dhs.privateKey, dh, components.x25519)
  const b = first && state.staticPrivateKey !== undefined ? x25519(state.staticPrivateKey, dh, components.x25519) : undefined
  if (a === undefined || (first && b === undefined)) {
    wipe(a, b)
    return undefined
  }
  const step = first ? kdfRkFirst(state.rk, a, b as Uint8Array) : kdfRk(state.rk, a)
  wipe(a, b)
  return step
}

/** §6.5 step 5: the next receiving chain, a DH ratchet step. */
function openNext(state: RatchetState, data: Uint8Array, header: Header, nowMs: number, components: RatchetComponents): OpenResult {
  const { dh, pn, n } = header
  const current = state.ckr !== undefined && state.sdr !== undefined && state.dhr !== undefined
  if (state.dhr !== undefined && equalBytes(dh, state.dhr)) return refuse('dh-mismatch')
  if (n > MAX_SKIP || (current && pn - state.nr > MAX_SKIP)) return refuse('too-far')
  // The rest of the current chain, up to pn (a pn below Nr ends it at Nr).
  const end = current ? Math.max(pn, state.nr) : 0
  const old = current ? advance(state.ckr as Uint8Array, state.nr, end) : { keys: [], chainKey: new Uint8Array(0) }
  wipe(old.chainKey)
  const recv = receivingStep(state, dh, components)
  if (recv === undefined) {
    wipeKeys(old.keys)
    return refuse('header')
  }
  const fresh = advance(recv.chainKey, 0, n)
  wipe(recv.chainKey)
  const last = kdfCk(fresh.chainKey)
  wipe(fresh.chainKey)
  const frame = openBody(state, data, last.messageKey)
  if (frame === undefined) {
    wipeKeys(old.keys)
    wipeKeys(fresh.keys)
    wipe(last.chainKey, recv.rootKey, recv.nextSeed)
    return refuse('body')
  }
  // The sending half of the step, eager (§6.5 step 5): a fresh key pair for our next chain.
  const dhs = generateX25519(components.random ?? systemRandom, components.x25519)
  const sendDh = x25519(dhs.privateKey, dh, components.x25519) as Uint8Array // dh is not low-order: the receiving DH was not zero
  const send = kdfRk(recv.rootKey, sendDh)
  wipe(sendDh, recv.rootKey)
  const nsdr: ChainSeed = chainSeed(recv.nextSeed)
  const nsds: ChainSeed = chainSeed(send.nextSeed)
  const scratch = (): void => {
    wipeKeys(old.keys)
    wipeKeys(fresh.keys)
    wipe(last.chainKey, dhs.privateKey, send.rootKey, send.chainKey)
    wipeSeed(nsdr)
    wipeSeed(nsds)
  }
  return opened(state, frame, n, true, () => {
    if (current) {
      storeSkipped(state, state.skipped, old.keys, nowMs)
      state.prev.push({ dh: state.dhr as Uint8Array, seed: state.sdr as ChainSeed, end, supersededAtMs: nowMs, skipped: state.skipped })
    }
    wipe(state.ckr)
    state.skipped = new Map()
    state.sdr = state.nsdr
    state.nsdr = nsdr
    state.ckr = last.chainKey
    state.dhr = dh
    state.nr = n + 1
    storeSkipped(state, state.skipped, fresh.keys, nowMs)
    // Sending half: PN = Ns, Ns = 0, SDs = NSDs, and the chain from KDF_RK(RK', DH(DHs', DHr)).
    state.pn = state.ns
    state.ns = 0
    wipeSeed(state.sds)
    state.sds = state.nsds
    state.nsds = nsds
    wipe(state.cks, state.rk, state.dhs.privateKey)
    state.cks = send.chainKey
    state.rk = send.rootKey
    state.dhs = dhs
    if (!state.firstStepDone) {
      wipe(state.staticPrivateKey)
      state.staticPrivateKey = undefined
      state.firstStepDone = true
    }
    enforceBounds(state)
  }, scratch)
}

function readHeader(plain: Uint8Array): Header | undefined {
  if (plain.length !== HEADER_BYTES) return undefined
  const view = new DataView(plain.buffer, plain.byteOffset, plain.byteLength)
  return { dh: plain.slice(0, 32), pn: view.getUint32(32), n: view.getUint32(36) }
}

function sameTopic(seed: ChainSeed, topic: Uint8Array): boolean {
  const t = seed.topic
  return t[0] === topic[0] && t[1] === topic[1] && t[2] === topic[2] && t[3] === topic[3]
}

/**
 * Opens a record that arrived on `topic` (§6.5), tentatively. The candidates are the chains whose
 * topic is `topic`: prev chains newest first, the current receiving chain, then the next one; the
 * first whose header key opens the header block decides. `nowMs` stamps skipped keys and
 * superseded chains at commit.
 * @throws {TypeError | RangeError} when `data` is not bytes, `topic` not 4 bytes or `nowMs` not a number
 * @example
 * ```ts
 * const result = openRecord(state, envelope.data, envelope.topic, Date.now())
 * if (!result.ok) stats.rejected[result.reason]++
 * else try { handle(decodeFrame(result.frame)); result.commit() } catch { result.discard() }
 * ```
 */
export function openRecord(state: RatchetState, data: Uint8Array, topic: Uint8Array, nowMs: number, components: RatchetComponents = {}): OpenResult {
  assertBytes(data, 'data')
  assertBytes(topic, 'topic', 4)
  if (!Number.isFinite(nowMs)) throw new TypeError('nowMs must be a finite number')
  if (!RECORD_SIZES_BYTES.includes(data.length)) return refuse('size')
  const hb = data.subarray(0, HEADER_BLOCK_BYTES)
  for (let j = state.prev.length - 1; j >= 0; j--) {
    const chain = state.prev[j]
    if (!sameTopic(chain.seed, topic)) continue
    const plain = openHeader(chain.seed.headerKey, hb)
    const header = plain === undefined ? undefined : readHeader(plain)
    if (header === undefined) continue
    if (!equalBytes(header.dh, chain.dh)) return refuse('dh-mismatch')
    return openSkipped(state, data, chain.skipped, header.n, chain.end)
  }
  if (state.sdr !== undefined && sameTopic(state.sdr, topic)) {
    const plain = openHeader(state.sdr.headerKey, hb)
    const header = plain === undefined ? undefined : readHeader(plain)
    if (header !== undefined) return openCurrent(state, data, header, nowMs)
  }
  if (sameTopic(state.nsdr, topic)) {
    const plain = openHeader(state.nsdr.headerKey, hb)
    const header = plain === undefined ? undefined : readHeader(plain)
    if (header !== undefined) return openNext(state, data, header, nowMs, components)
  }
  return refuse('header')
}
