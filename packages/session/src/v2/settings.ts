/** Settings of session v2 (docs/SESSION.md §11.3, §18): defaults and argument checks in one place. */
import { assertInt } from '../assert.ts'

/** The longest delay one `setTimeout` takes (2^31 − 1 ms, about 24.8 days); longer ones fire at once. */
export const MAX_TIMER_MS = 0x7fff_ffff

/** Tunables of a v2 peer and its sessions; every field optional. */
export interface SessionV2SettingsInit {
  /** TTL of every session envelope, seconds. @default 50 */
  ttlSeconds?: number
  /** PoW target passed to the transport (a node applies its own minimum when higher). @default 0 */
  powTarget?: number
  /** Sealing time budget passed to the transport, milliseconds. @default the transport's */
  powTimeMs?: number
  /** Delay before a standalone ack when no outgoing data carries it, milliseconds. @default 200 */
  ackDelayMs?: number
  /** The first resend interval (doubling for each next one), milliseconds. @default 2000 */
  resendIntervalMs?: number
  /** The largest interval between two resends of a record, milliseconds. @default 60000 */
  maxResendIntervalMs?: number
  /** How long a record is resent before it is reported undelivered, milliseconds. @default ttlSeconds × 1000 */
  deliveryTimeoutMs?: number
  /**
   * How long a missing number blocks later ones before it is skipped as a gap, milliseconds. It
   * must exceed `deliveryTimeoutMs`: a skipped number counts as acknowledged (the ack's base moves
   * past it), so the sender must have given it up first or it would take that ack as a receipt.
   * @default deliveryTimeoutMs + 2 × resendIntervalMs
   */
  gapTimeoutMs?: number
  /** Skipped message keys one session holds at most. @default 512 */
  maxSkippedKeys?: number
  /** Skipped message keys all of a peer's sessions hold at most. @default 8192 */
  maxSkippedKeysTotal?: number
  /** Seconds an invitation stays valid (the inviter deletes its one-time key then). @default 604800 (7 days) */
  inviteLifetimeSeconds?: number
  /** How long after the invitation's expiry a joiner keeps waiting for the inviter, milliseconds. @default 86400000 (24 h) */
  handshakeGraceMs?: number
  /** The largest interval between two posts of message 1, milliseconds. @default 900000 (15 min) */
  maxInitResendIntervalMs?: number
  /** An open session with nothing sent for this long posts an ack (which also heals), milliseconds. @default 86400000 (24 h) */
  keepaliveIntervalMs?: number
  /** An open session that hears nothing authenticated from its peer for this long closes as `silent`, milliseconds. @default 2592000000 (30 days) */
  livenessTimeoutMs?: number
}

/** {@link SessionV2SettingsInit} with every default applied. */
export type SessionV2Settings = Required<Omit<SessionV2SettingsInit, 'powTimeMs'>> & { readonly powTimeMs: number | undefined }

/**
 * Applies the defaults and checks every range.
 * @throws {TypeError | RangeError} naming the offending field
 */
export function resolveV2Settings(init: SessionV2SettingsInit = {}): SessionV2Settings {
  if (typeof init !== 'object' || init === null) throw new TypeError('init must be an object')
  const ttlSeconds = init.ttlSeconds ?? 50
  assertInt(ttlSeconds, 'init.ttlSeconds', 1, 0xffff_ffff)
  const resendIntervalMs = init.resendIntervalMs ?? 2_000
  assertInt(resendIntervalMs, 'init.resendIntervalMs', 1)
  const deliveryTimeoutMs = init.deliveryTimeoutMs ?? ttlSeconds * 1000
  assertInt(deliveryTimeoutMs, 'init.deliveryTimeoutMs', 1)
  const s: SessionV2Settings = {
    ttlSeconds,
    powTarget: init.powTarget ?? 0,
    powTimeMs: init.powTimeMs,
    ackDelayMs: init.ackDelayMs ?? 200,
    resendIntervalMs,
    maxResendIntervalMs: init.maxResendIntervalMs ?? 60_000,
    deliveryTimeoutMs,
    gapTimeoutMs: init.gapTimeoutMs ?? deliveryTimeoutMs + 2 * resendIntervalMs,
    maxSkippedKeys: init.maxSkippedKeys ?? 512,
    maxSkippedKeysTotal: init.maxSkippedKeysTotal ?? 8192,
    inviteLifetimeSeconds: init.inviteLifetimeSeconds ?? 7 * 86_400,
    handshakeGraceMs: init.handshakeGraceMs ?? 86_400_000,
    maxInitResendIntervalMs: init.maxInitResendIntervalMs ?? 900_000,
    keepaliveIntervalMs: init.keepaliveIntervalMs ?? 86_400_000,
    livenessTimeoutMs: init.livenessTimeoutMs ?? 30 * 86_400_000,
  }
  if (typeof s.powTarget !== 'number' || !(s.powTarget >= 0)) throw new RangeError('init.powTarget must be a number ≥ 0')
  // Timers reach at most 2^31 − 1 ms (about 24.8 days): these run as one timer each.
  for (const [name, value] of [['resendIntervalMs', s.resendIntervalMs], ['deliveryTimeoutMs', s.deliveryTimeoutMs], ['ackDelayMs', s.ackDelayMs]] as const) {
    assertInt(value, `init.${name}`, 0, MAX_TIMER_MS)
  }
  if (s.powTimeMs !== undefined) assertInt(s.powTimeMs, 'init.powTimeMs', 1)
  assertInt(s.maxResendIntervalMs, 'init.maxResendIntervalMs', s.resendIntervalMs, MAX_TIMER_MS)
  assertInt(s.gapTimeoutMs, 'init.gapTimeoutMs', s.deliveryTimeoutMs + 1, MAX_TIMER_MS)
  assertInt(s.maxSkippedKeys, 'init.maxSkippedKeys', 0, 1 << 20)
  assertInt(s.maxSkippedKeysTotal, 'init.maxSkippedKeysTotal', 0, 1 << 24)
  assertInt(s.inviteLifetimeSeconds, 'init.inviteLifetimeSeconds', 61, 0xffff_ffff)
  assertInt(s.handshakeGraceMs, 'init.handshakeGraceMs')
  assertInt(s.maxInitResendIntervalMs, 'init.maxInitResendIntervalMs', s.resendIntervalMs, MAX_TIMER_MS)
  assertInt(s.keepaliveIntervalMs, 'init.keepaliveIntervalMs', 1, MAX_TIMER_MS)
  assertInt(s.livenessTimeoutMs, 'init.livenessTimeoutMs', 1)
  return s
}
