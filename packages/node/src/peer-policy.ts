/**
 * Peer scores and temporary bans, kept per peer id so that reconnecting neither resets a score nor
 * escapes a ban (design.md §4). Pure bookkeeping over an injected clock; the router acts on it.
 */
import { type PeerScore, type ScoreEvent, type ScoreParams, applyScoreEvent, currentScore } from './peer-score.ts'

/** Scores and bans by peer id. */
export class PeerPolicy {
  private readonly scores = new Map<string, PeerScore>()
  private readonly banned = new Map<string, number>()
  private readonly params: ScoreParams
  private readonly now: () => number

  constructor(params: ScoreParams, now: () => number) {
    this.params = params
    this.now = now
  }

  /** The score record of a peer (created at zero), shared with its `Peer` object. */
  scoreOf(key: string): PeerScore {
    let score = this.scores.get(key)
    if (score === undefined) this.scores.set(key, (score = { value: 0, updatedMs: this.now() }))
    return score
  }

  /** The peer's score now (decayed), or `undefined` when the node keeps none for it. */
  peek(key: string): number | undefined {
    const score = this.scores.get(key)
    return score === undefined ? undefined : currentScore(score, this.params, this.now())
  }

  /** Applies `event` to the peer's score; returns whether it fell below the threshold. */
  apply(key: string, event: ScoreEvent): boolean {
    return applyScoreEvent(this.scoreOf(key), event, this.params, this.now())
  }

  /** Refuses the peer for the ban period; returns false when it was banned already. */
  ban(key: string): boolean {
    if (this.isBanned(key)) return false
    this.banned.set(key, this.now() + this.params.banMs)
    return true
  }

  /** Whether the peer is refused now (expired bans are forgotten on the way). */
  isBanned(key: string): boolean {
    const until = this.banned.get(key)
    if (until === undefined) return false
    if (until <= this.now()) {
      this.banned.delete(key)
      return false
    }
    return true
  }

  /** Forgets the faded scores of peers that are not connected. */
  prune(isConnected: (key: string) => boolean): void {
    const nowMs = this.now()
    for (const [key, score] of this.scores) {
      if (!isConnected(key) && Math.abs(currentScore(score, this.params, nowMs)) < 1) this.scores.delete(key)
    }
  }

  /** Forgets everything. */
  clear(): void {
    this.scores.clear()
    this.banned.clear()
  }
}
