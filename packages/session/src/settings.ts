/** Session settings: defaults and argument checks in one place. */
import { assertInt } from './assert.ts'
import {
  DEFAULT_ACK_DELAY_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_DISCOVERY_PARTITIONS,
  DEFAULT_FUTURE_ALLOWANCE_MS,
  DEFAULT_HANDSHAKE_MAX_AGE_MS,
  DEFAULT_MAX_GAP,
  DEFAULT_MAX_SKIPPED_KEYS,
  DEFAULT_RESEND_INTERVAL_MS,
  DEFAULT_TOPIC_ROTATION_MS,
  DEFAULT_TTL_SECONDS,
  MIN_TOPIC_ROTATION_MS,
} from './constants.ts'

/** Tunables shared by the peer and its sessions; every field optional. */
export interface SessionSettingsInit {
  /** TTL of every session envelope, seconds. @default 50 */
  ttlSeconds?: number
  /** PoW target passed to the transport (the node applies its own minimum when higher). @default 0 */
  powTarget?: number
  /** Sealing time budget passed to the transport, milliseconds. @default the transport's */
  powTimeMs?: number
  /** Discovery-topic partitions (same value on both sides). @default 16 */
  discoveryPartitions?: number
  /** Delay before a standalone ack when no outgoing data carries it, milliseconds. @default 200 */
  ackDelayMs?: number
  /** Interval before the first resend of an unacknowledged record (doubling for each next one, up to 32×) and between handshake resends, milliseconds. @default 2000 */
  resendIntervalMs?: number
  /** How long a message is resent before it is reported undelivered, milliseconds. @default ttlSeconds × 1000 */
  deliveryTimeoutMs?: number
  /** How long a missing number blocks later ones before it is reported as a gap, milliseconds. @default deliveryTimeoutMs + 2 × resendIntervalMs */
  gapTimeoutMs?: number
  /** Largest accepted distance beyond the last delivered number (bounds the out-of-order buffer). @default 256 */
  maxGap?: number
  /** Bound of the skipped-message-key cache per direction. @default 512 */
  maxSkippedKeys?: number
  /** Age after which a handshake is refused as stale, milliseconds. @default 60000 */
  handshakeMaxAgeMs?: number
  /** Accepted clock skew of a handshake's timestamp, milliseconds. @default 10000 */
  futureAllowanceMs?: number
  /** How long `connect` waits for the reply, milliseconds. @default 30000 */
  connectTimeoutMs?: number
  /**
   * Period of the partial-topic rotation, milliseconds (0, or 50 to 2^32 − 1); 0 keeps the
   * handshake's topics. Must exceed the TTL plus the clock skew between the parties. As
   * initiator, the period proposed in the handshake, which both sides then use; as responder,
   * the longest accepted (a handshake proposing a longer one, or none while this is set, is
   * refused).
   * @default 600000
   */
  topicRotationMs?: number
}

/** Settings with every default applied. */
export type SessionSettings = Required<Omit<SessionSettingsInit, 'powTimeMs'>> & { powTimeMs: number | undefined }

/**
 * Applies defaults and checks ranges.
 * @throws {TypeError | RangeError} naming the offending field
 */
export function resolveSettings(init: SessionSettingsInit): SessionSettings {
  const ttlSeconds = init.ttlSeconds ?? DEFAULT_TTL_SECONDS
  assertInt(ttlSeconds, 'init.ttlSeconds', 1, 0xffff_ffff)
  const resendIntervalMs = init.resendIntervalMs ?? DEFAULT_RESEND_INTERVAL_MS
  assertInt(resendIntervalMs, 'init.resendIntervalMs', 1)
  const deliveryTimeoutMs = init.deliveryTimeoutMs ?? ttlSeconds * 1000
  assertInt(deliveryTimeoutMs, 'init.deliveryTimeoutMs', 1)
  const settings: SessionSettings = {
    ttlSeconds,
    powTarget: init.powTarget ?? 0,
    powTimeMs: init.powTimeMs,
    discoveryPartitions: init.discoveryPartitions ?? DEFAULT_DISCOVERY_PARTITIONS,
    ackDelayMs: init.ackDelayMs ?? DEFAULT_ACK_DELAY_MS,
    resendIntervalMs,
    deliveryTimeoutMs,
    gapTimeoutMs: init.gapTimeoutMs ?? deliveryTimeoutMs + 2 * resendIntervalMs,
    maxGap: init.maxGap ?? DEFAULT_MAX_GAP,
    maxSkippedKeys: init.maxSkippedKeys ?? DEFAULT_MAX_SKIPPED_KEYS,
    handshakeMaxAgeMs: init.handshakeMaxAgeMs ?? DEFAULT_HANDSHAKE_MAX_AGE_MS,
    futureAllowanceMs: init.futureAllowanceMs ?? DEFAULT_FUTURE_ALLOWANCE_MS,
    connectTimeoutMs: init.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    topicRotationMs: init.topicRotationMs ?? DEFAULT_TOPIC_ROTATION_MS,
  }
  if (typeof settings.powTarget !== 'number' || !(settings.powTarget >= 0)) throw new RangeError('init.powTarget must be a number ≥ 0')
  if (settings.powTimeMs !== undefined) assertInt(settings.powTimeMs, 'init.powTimeMs', 1)
  assertInt(settings.discoveryPartitions, 'init.discoveryPartitions', 1, 0xffff_ffff)
  assertInt(settings.ackDelayMs, 'init.ackDelayMs')
  assertInt(settings.gapTimeoutMs, 'init.gapTimeoutMs', 1)
  assertInt(settings.maxGap, 'init.maxGap', 1, 1 << 20)
  assertInt(settings.maxSkippedKeys, 'init.maxSkippedKeys', 0, 1 << 20)
  assertInt(settings.handshakeMaxAgeMs, 'init.handshakeMaxAgeMs', 1)
  assertInt(settings.futureAllowanceMs, 'init.futureAllowanceMs')
  assertInt(settings.connectTimeoutMs, 'init.connectTimeoutMs', 1)
  assertInt(settings.topicRotationMs, 'init.topicRotationMs', 0, 0xffff_ffff)
  if (settings.topicRotationMs !== 0 && settings.topicRotationMs < MIN_TOPIC_ROTATION_MS) {
    throw new RangeError(`init.topicRotationMs must be 0 or at least ${MIN_TOPIC_ROTATION_MS}, got ${settings.topicRotationMs}`)
  }
  return settings
}
