/**
 * The Double Ratchet with header encryption of session v2 (docs/SESSION.md §6): initialisation
 * after Split (§6.2), the inviter's accept step (§6.3), sealing records (§6.4), the topics a party
 * listens on (§10.2), age limits and the wipe at close. Receiving is `ratchet-receive.ts`.
 *
 * A record is `hb ‖ body`: `hb = SEAL(HK(SDs), random nonce, ∅, DHs.pub ‖ u32 PN ‖ u32 Ns)` in
 * the `ct ‖ tag ‖ nonce` layout (68 bytes), and `body = SEAL(mk, 0¹², AD ‖ hb, frame)`. The frame
 * is already padded to 256, 1024 or 4096 bytes, so every record has 340, 1108 or 4180 bytes (§7).
 */
import { assertBytes, wipe } from '../assert.ts'
import { seal, sealHeader } from './aead.ts'
import { kdfCk, kdfRkFirst, type SplitKeys } from './key-schedule.ts'
import { type RandomSource, systemRandom } from './random.ts'
import {
  type ChainSeed,
  chainSeed,
  createSkippedKeyBudget,
  DEFAULT_MAX_SKIPPED_KEYS,
  type RatchetState,
  type SkippedKeyBudget,
  wipeSeed,
} from './ratchet-state.ts'
import { clearAllSkipped, expireSkipped } from './skipped-keys.ts'
import { generateX25519, type X25519Backend, type X25519KeyPair, x25519 } from './x25519.ts'

/** Bytes of the sealed header block `hb`: 40 of header, a 16-byte tag and a 12-byte nonce (§7). */
export const HEADER_BLOCK_BYTES = 68
/** Bytes a record adds to its frame: the header block and the body tag. */
const RECORD_OVERHEAD_BYTES: number = HEADER_BLOCK_BYTES + 16
/** The frame sizes a record may carry (the size classes of §8.1). */
const FRAME_SIZES: readonly number[] = [256, 1024, 4096]
/** The three record sizes: 340, 1108 and 4180 bytes. */
export const RECORD_SIZES_BYTES: readonly number[] = FRAME_SIZES.map((s) => s + RECORD_OVERHEAD_BYTES)
/** Bytes of the header plaintext: `ratchetPub(32) ‖ u32 pn ‖ u32 n`. */
export const HEADER_BYTES = 40
/** The body nonce: constant, since each message key seals one plaintext, ever (§6.4). */
export const ZERO_NONCE: Uint8Array = new Uint8Array(12)

/** The collaborators of the ratchet. */
export interface RatchetComponents {
  /** Ratchet private keys and header nonces. @default systemRandom */
  readonly random?: RandomSource
  /** The X25519 backend. @default node:crypto where reachable, else noble */
  readonly x25519?: X25519Backend
}

/** Bounds on skipped keys (§6.5 step 6). */
export interface RatchetLimits {
  /** Skipped keys held by this session at most. @default 512 */
  readonly maxSkippedKeys?: number
  /** The count shared by the peer's sessions (`maxSkippedKeysTotal`). @default a budget of 8192 for this session alone */
  readonly budget?: SkippedKeyBudget
}

function limitsOf(limits: RatchetLimits): { maxSkippedKeys: number; budget: SkippedKeyBudget } {
  const maxSkippedKeys = limits.maxSkippedKeys ?? DEFAULT_MAX_SKIPPED_KEYS
  if (!Number.isInteger(maxSkippedKeys) || maxSkippedKeys < 0) {
    throw new RangeError(`limits.maxSkippedKeys must be a non-negative integer, got ${maxSkippedKeys}`)
  }
  return { maxSkippedKeys, budget: limits.budget ?? createSkippedKeyBudget() }
}

function checkSplit(keys: SplitKeys): void {
  if (typeof keys !== 'object' || keys === null) throw new TypeError('keys must be an object')
  for (const name of ['rootKey', 'chainA1', 'seedA1', 'seedA2', 'seedB1', 'ad'] as const) assertBytes(keys[name], `keys.${name}`, 32)
}

/** What the joiner brings to its ratchet (§6.2). */
export interface JoinerRatchetInit {
  /** The output of Split. Copied: the caller wipes its arrays. */
  readonly keys: SplitKeys
  /** `e_A`, the joiner's handshake ephemeral key pair: its first `DHs`. Copied. */
  readonly ephemeral: X25519KeyPair
  /** `S_A`'s private key, for the mirror of KDF_RK_FIRST (§6.5 step 5). Copied, and the copy wiped at that step. */
  readonly staticPrivateKey: Uint8Array
  readonly limits?: RatchetLimits
}

/**
 * The joiner's state after Split (§6.2): `DHs = e_A`, `CKs = CK_A1`, `SDs = SD_A1`,
 * `NSDs = SD_A2`, no receiving chain, `NSDr = SD_B1`. It can seal early data at once.
 * (`DHr = I` in the text is left out: no receiving chain uses it before B1 replaces it.)
 * @throws {TypeError | RangeError} when an argument is malformed (naming it)
 */
export function createJoinerRatchet(init: JoinerRatchetInit): RatchetState {
  checkSplit(init.keys)
  assertBytes(init.ephemeral?.privateKey, 'ephemeral.privateKey', 32)
  assertBytes(init.ephemeral.publicKey, 'ephemeral.publicKey', 32)
  assertBytes(init.staticPrivateKey, 'staticPrivateKey', 32)
  const { keys } = init
  return {
    dhs: { privateKey: init.ephemeral.privateKey.slice(), publicKey: init.ephemeral.publicKey.slice() },
    dhr: undefined,
    rk: keys.rootKey.slice(),
    cks: keys.chainA1.slice(),
    ns: 0,
    pn: 0,
    sds: chainSeed(keys.seedA1.slice()),
    nsds: chainSeed(keys.seedA2.slice()),
    ckr: undefined,
    sdr: undefined,
    nr: 0,
    nsdr: chainSeed(keys.seedB1.slice()),
    skipped: new Map(),
    prev: [],
    ad: keys.ad.slice(),
    firstStepDone: false,
    staticPrivateKey: init.staticPrivateKey.slice(),
    skippedCount: 0,
    ...limitsOf(init.limits ?? {}),
    epoch: 0,
  }
}

/** What the inviter brings to its ratchet (§6.2–6.3). */
export interface InviterRatchetInit {
  /** The output of Split. Copied: the caller wipes its arrays. */
  readonly keys: SplitKeys
  /** `e_A`'s public key, from msg1. */
  readonly peerEphemeralKey: Uint8Array
  /** `S_A`'s public key, from msg1: only for `se` of the accept step. */
  readonly peerStaticKey: Uint8Array
  readonly limits?: RatchetLimits
}

/**
 * The inviter's state after Split (§6.2) and its accept step (§6.3): `DHr = e_A`, `CKr = CK_A1`,
 * `SDr = SD_A1`, `NSDr = SD_A2`; then `B1 = GENERATE()`, `SDs = SD_B1` and
 * `RK, CKs, NSDs = KDF_RK_FIRST(RK, DH(B1, e_A) ‖ DH(B1, S_A))`. Its first record (an ack) goes
 * out on `TOPIC(SD_B1)`. Returns `undefined` when a DH output is all zeros (a low-order key in
 * msg1): the handshake is refused.
 * @throws {TypeError | RangeError} when an argument is malformed (naming it)
 */
export function createInviterRatchet(init: InviterRatchetInit, components: RatchetComponents = {}): RatchetState | undefined {
  checkSplit(init.keys)
  assertBytes(init.peerEphemeralKey, 'peerEphemeralKey', 32)
  assertBytes(init.peerStaticKey, 'peerStaticKey', 32)
  const limits = limitsOf(init.limits ?? {})
  const { keys } = init
  const b1 = generateX25519(components.random ?? systemRandom, components.x25519)
  const ee = x25519(b1.privateKey, init.peerEphemeralKey, components.x25519)
  const se = x25519(b1.privateKey, init.peerStaticKey, components.x25519)
  if (ee === undefined || se === undefined) {
    wipe(b1.privateKey, ee, se)
    return undefined
  }
  const step = kdfRkFirst(keys.rootKey, ee, se)
  wipe(ee, se)
  return {
    dhs: b1,
    dhr: init.peerEphemeralKey.slice(),
    rk: step.rootKey,
    cks: step.chainKey,
    ns: 0,
    pn: 0,
    sds: chainSeed(keys.seedB1.slice()),
    nsds: chainSeed(step.nextSeed),
    ckr: keys.chainA1.slice(),
    sdr: chainSeed(keys.seedA1.slice()),
    nr: 0,
    nsdr: chainSeed(keys.seedA2.slice()),
    skipped: new Map(),
    prev: [],
    ad: keys.ad.slice(),
    firstStepDone: true,
    staticPrivateKey: undefined,
    skippedCount: 0,
    ...limits,
    epoch: 0,
  }
}

/** A sealed record and the topic it goes on, for its first post and every resend (§10.3). */
export interface SealedRecord {
  readonly record: Uint8Array
  readonly topic: Uint8Array
}

/**
 * Seals one padded frame as the next record of the sending chain (§6.4) and advances the chain:
 * `CKs, mk = KDF_CK(CKs)`, `Ns += 1`; `mk` and the old `CKs` are wiped. The caller makes the new
 * state durable before the record leaves (§12.3).
 * @throws {TypeError | RangeError} when `frame` is not 256, 1024 or 4096 bytes, or the chain is
 *   at index 2^32 − 1
 * @example
 * ```ts
 * const { record, topic } = sealRecord(state, encodeFrame({ type: 'ack', ack }))
 * await transport.postEnvelope({ topic, data: record })
 * ```
 */
export function sealRecord(state: RatchetState, frame: Uint8Array, components: RatchetComponents = {}): SealedRecord {
  assertBytes(frame, 'frame')
  if (!FRAME_SIZES.includes(frame.length)) throw new RangeError(`frame must be 256, 1024 or 4096 bytes, got ${frame.length}`)
  if (state.ns >= 0xffff_ffff) throw new RangeError('the sending chain is at index 2^32 − 1')
  const { messageKey, chainKey } = kdfCk(state.cks)
  wipe(state.cks)
  state.cks = chainKey
  const header = new Uint8Array(HEADER_BYTES)
  header.set(state.dhs.publicKey)
  const view = new DataView(header.buffer)
  view.setUint32(32, state.pn)
  view.setUint32(36, state.ns)
  const hb = sealHeader(state.sds.headerKey, header, components.random ?? systemRandom)
  const aad = new Uint8Array(state.ad.length + HEADER_BLOCK_BYTES)
  aad.set(state.ad)
  aad.set(hb, state.ad.length)
  const body = seal(messageKey, ZERO_NONCE, aad, frame)
  wipe(messageKey)
  const record = new Uint8Array(HEADER_BLOCK_BYTES + body.length)
  record.set(hb)
  record.set(body, HEADER_BLOCK_BYTES)
  state.ns++
  return { record, topic: state.sds.topic.slice() }
}

/** The topic the next record goes on: `TOPIC(SDs)`. */
export function sendingTopic(state: RatchetState): Uint8Array {
  return state.sds.topic.slice()
}

/**
 * The topics this party listens on (§10.2): `TOPIC(SDr)` if any, `TOPIC(NSDr)`, and the topic of
 * every prev chain held. Every topic the peer can be posting on is among them.
 */
export function listeningTopics(state: RatchetState): Uint8Array[] {
  const seeds: ChainSeed[] = [...state.prev.map((c) => c.seed)]
  if (state.sdr !== undefined) seeds.push(state.sdr)
  seeds.push(state.nsdr)
  return seeds.map((s) => s.topic.slice())
}

/** The age limits of {@link expireRatchet}. */
export interface ExpiryLimits {
  /** A skipped key is dropped this long after it was stored (`gapTimeoutMs + ttl`). */
  readonly skippedKeyMaxAgeMs: number
  /** A prev chain with no keys left is dropped this long after it was superseded (`CHAIN_LINGER`). */
  readonly chainLingerMs: number
}

/**
 * Drops (and wipes) skipped keys and prev chains past their age (§6.5 step 6, §10.2). Topics of
 * dropped chains leave {@link listeningTopics}: the caller unsubscribes them.
 */
export function expireRatchet(state: RatchetState, nowMs: number, limits: ExpiryLimits): void {
  expireSkipped(state, nowMs, limits.skippedKeyMaxAgeMs, limits.chainLingerMs)
  state.epoch++
}

/** Wipes every secret of the state and releases its skipped keys from the shared budget (close). */
export function wipeRatchet(state: RatchetState): void {
  clearAllSkipped(state)
  wipe(state.dhs.privateKey, state.rk, state.cks, state.ckr, state.staticPrivateKey, state.ad)
  for (const seed of [state.sds, state.nsds, state.sdr, state.nsdr]) wipeSeed(seed)
  state.epoch++
}
