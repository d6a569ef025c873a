/**
 * Partial-topic rotation (design.md §7): both sides derive the same schedule from the session
 * secret and the handshake's creation time, so topics change without any message.
 *
 * ```
 * epoch(t)        = floor((t − createdAtMs) / periodMs), 0 before the start
 * topic(dir, 0)   = the handshake's topicAB / topicBA
 * topic(dir, e≥1) = HMAC-SHA-256(topicSecret, dir(1: 0x01 A→B, 0x02 B→A) ‖ uint32_be(e))[0..4]
 * ```
 * A sender posts on the current epoch's topic; a receiver listens on the previous, current and
 * next epochs' topics, which absorbs clock skew and envelopes in flight up to one period (so the
 * period must exceed the TTL plus the skew).
 */
import type { Topic } from '@hush/envelope'
import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { TOPIC_BYTES } from './constants.ts'

/** A direction of the session. */
export type Direction = 'ab' | 'ba'

/** Everything both sides hold to compute the schedule. */
export interface TopicSchedule {
  /** 32-byte secret from the key schedule. */
  readonly secret: Uint8Array
  /** The handshake's creation time, unix milliseconds. */
  readonly startMs: number
  /** Epoch length, milliseconds; 0 disables rotation (epoch 0 forever). */
  readonly periodMs: number
  /** Epoch-0 topics, from the handshake. */
  readonly initial: Readonly<Record<Direction, Topic>>
}

/** The epoch at `nowMs`. */
export function epochAt(schedule: TopicSchedule, nowMs: number): number {
  if (schedule.periodMs <= 0 || nowMs <= schedule.startMs) return 0
  return Math.floor((nowMs - schedule.startMs) / schedule.periodMs)
}

/** The topic of `direction` in `epoch`. */
export function topicAt(schedule: TopicSchedule, direction: Direction, epoch: number): Topic {
  if (epoch === 0) return schedule.initial[direction]
  const input = new Uint8Array(5)
  input[0] = direction === 'ab' ? 1 : 2
  new DataView(input.buffer).setUint32(1, epoch)
  return hmac(sha256, schedule.secret, input).slice(0, TOPIC_BYTES)
}

/** The topics a receiver of `direction` listens on at `nowMs`: epochs e−1, e, e+1 (from 0). */
export function receiveTopics(schedule: TopicSchedule, direction: Direction, nowMs: number): Topic[] {
  const e = epochAt(schedule, nowMs)
  if (schedule.periodMs <= 0) return [topicAt(schedule, direction, 0)]
  const out: Topic[] = []
  for (let k = Math.max(0, e - 1); k <= e + 1; k++) out.push(topicAt(schedule, direction, k))
  return out
}

/**
 * The receive topics of `direction` for every epoch from the one before `fromMs` to the one after
 * `nowMs`: where a receiver that last heard the peer at `fromMs` looks for what it missed.
 */
export function topicsSince(schedule: TopicSchedule, direction: Direction, fromMs: number, nowMs: number): Topic[] {
  const out: Topic[] = []
  const last = schedule.periodMs <= 0 ? 0 : epochAt(schedule, nowMs) + 1
  for (let e = Math.max(0, epochAt(schedule, fromMs) - 1); e <= last; e++) out.push(topicAt(schedule, direction, e))
  return out
}

/** Milliseconds from `nowMs` to the next epoch boundary (Infinity without rotation). */
export function msToNextEpoch(schedule: TopicSchedule, nowMs: number): number {
  if (schedule.periodMs <= 0) return Number.POSITIVE_INFINITY
  if (nowMs < schedule.startMs) return schedule.startMs - nowMs + schedule.periodMs
  return schedule.periodMs - ((nowMs - schedule.startMs) % schedule.periodMs)
}
