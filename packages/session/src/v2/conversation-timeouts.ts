/**
 * The timeouts of a session v2 conversation (docs/SESSION.md §5.5, §11.2): message 1 posted again
 * with backoff until the inviter answers or the handshake deadline passes, the keepalive of an open
 * conversation that has sent nothing for a while, and the liveness timeout when the peer has said
 * nothing authenticated for too long; and the maintenance that drops old keys and chains while the
 * peer is silent.
 */
import type { ConversationState, PendingJoin } from './conversation-api.ts'
import type { ExpiryLimits } from './ratchet.ts'
import { MAX_TIMER_MS, type SessionV2Settings } from './settings.ts'

/** What the timeouts ask of their conversation. */
export interface ConversationTimeoutsHost {
  state(): ConversationState
  /** The joiner's message 1 while the handshake runs. */
  pendingJoin(): PendingJoin | undefined
  /** Posts message 1 again. */
  resendJoin(join: PendingJoin): void
  /** The handshake deadline passed with no answer from the inviter. */
  handshakeTimeout(): void
  /** Nothing was sent for `keepaliveIntervalMs`. */
  keepalive(): void
  /** Nothing authenticated came from the peer for `livenessTimeoutMs`. */
  silent(): void
  /** Time to drop skipped keys and old chains past their age. */
  maintain(): void
}

/** The handshake, keepalive and liveness timers of one conversation. */
export class ConversationTimeouts {
  private readonly settings: SessionV2Settings
  private readonly now: () => number
  private readonly host: ConversationTimeoutsHost
  private joinResends = 0
  private joinTimer: ReturnType<typeof setTimeout> | undefined
  private keepaliveTimer: ReturnType<typeof setTimeout> | undefined
  private livenessTimer: ReturnType<typeof setTimeout> | undefined
  private livenessDueMs = 0
  private maintenanceTimer: ReturnType<typeof setInterval> | undefined

  constructor(settings: SessionV2Settings, now: () => number, host: ConversationTimeoutsHost) {
    this.settings = settings
    this.now = now
    this.host = host
  }

  /** Posts message 1 again with backoff until the inviter answers or the deadline passes (§5.5). */
  armJoin(): void {
    const join = this.host.pendingJoin()
    if (join === undefined) return
    const s = this.settings
    const interval = Math.min(s.resendIntervalMs * 2 ** this.joinResends, s.maxInitResendIntervalMs)
    const delay = Math.min(interval, Math.max(0, join.deadlineMs - this.now()))
    this.joinTimer = setTimeout(() => {
      this.joinTimer = undefined
      if (this.host.pendingJoin() === undefined || this.host.state() !== 'pending') return
      if (this.now() >= join.deadlineMs) {
        this.host.handshakeTimeout()
        return
      }
      this.joinResends++
      this.host.resendJoin(join)
      this.armJoin()
    }, delay)
  }

  /** The inviter answered: message 1 is not posted again. */
  stopJoin(): void {
    if (this.joinTimer !== undefined) clearTimeout(this.joinTimer)
    this.joinTimer = undefined
  }

  /** An open conversation that has sent nothing for `keepaliveIntervalMs` posts an ack (§11.2). */
  armKeepalive(): void {
    if (this.keepaliveTimer !== undefined) clearTimeout(this.keepaliveTimer)
    this.keepaliveTimer = undefined
    if (this.host.state() !== 'open' && this.host.state() !== 'closing') return
    this.keepaliveTimer = setTimeout(() => {
      this.keepaliveTimer = undefined
      if (this.host.state() === 'open') this.host.keepalive()
    }, Math.min(this.settings.keepaliveIntervalMs, MAX_TIMER_MS))
  }

  /** Nothing authenticated from the peer for `livenessTimeoutMs`: the conversation ends (`silent`). */
  armLiveness(): void {
    if (this.livenessTimer !== undefined) clearTimeout(this.livenessTimer)
    this.livenessDueMs = this.now() + this.settings.livenessTimeoutMs
    this.livenessTimer = setTimeout(() => this.onLivenessTimer(), Math.min(this.settings.livenessTimeoutMs, MAX_TIMER_MS))
  }

  /**
   * Drops skipped keys and old chains past their age while the peer is silent (§6.5 step 6): runs
   * `maintain` every quarter of the shorter of the two ages.
   */
  startMaintenance(limits: ExpiryLimits): void {
    const periodMs = Math.floor(Math.min(limits.skippedKeyMaxAgeMs, limits.chainLingerMs) / 4)
    this.maintenanceTimer = setInterval(() => this.host.maintain(), Math.min(MAX_TIMER_MS, Math.max(1, periodMs)))
  }

  /** The conversation ended: every timer stops. */
  end(): void {
    for (const timer of [this.joinTimer, this.keepaliveTimer, this.livenessTimer]) if (timer !== undefined) clearTimeout(timer)
    if (this.maintenanceTimer !== undefined) clearInterval(this.maintenanceTimer)
    this.joinTimer = this.keepaliveTimer = this.livenessTimer = this.maintenanceTimer = undefined
  }

  private onLivenessTimer(): void {
    this.livenessTimer = undefined
    if (this.host.state() !== 'open' && this.host.state() !== 'closing') return
    // Timers reach at most 2^31 − 1 ms (about 24.8 days); a longer timeout waits again.
    const left = this.livenessDueMs - this.now()
    if (left > 0) {
      this.livenessTimer = setTimeout(() => this.onLivenessTimer(), Math.min(left, MAX_TIMER_MS))
      return
    }
    this.host.silent()
  }
}
