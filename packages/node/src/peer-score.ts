/**
 * Peer scoring (design.md §4): misbehaviour costs points, useful first deliveries earn some,
 * and the score decays exponentially towards zero with a half-life, so old sins and old merits
 * fade. Below the threshold the node disconnects the peer and refuses it for a while.
 */

/** Why a peer's score changes. */
export type ScoreEvent =
  | 'malformed-frame'
  | 'invalid-envelope'
  | 'expired-far'
  | 'future'
  | 'low-pow'
  | 'too-large'
  | 'rate-limited'
  | 'bloom-mismatch'
  | 'repeat'
  | 'wasteful'
  | 'bad-request'
  | 'first-delivery'

/** Points per event. Negative costs, positive earns. */
const SCORE_WEIGHTS: Readonly<Record<ScoreEvent, number>> = {
  'malformed-frame': -50,
  'invalid-envelope': -20,
  'expired-far': -10,
  future: -10,
  'low-pow': -10,
  'too-large': -20,
  'rate-limited': -5,
  'bloom-mismatch': -1,
  /** The peer sent an envelope it had sent us before: honest peers never do. */
  repeat: -10,
  /** A soft drop or a told duplicate beyond the peer's soft-drop budget. */
  wasteful: -2,
  /** The app's mail server refused a request from the peer (`penalize`): as an invalid envelope. */
  'bad-request': -20,
  'first-delivery': 1,
}

/** Settings for peer scoring. */
export interface PeerScoreInit {
  /**
   * A peer whose score falls below this is disconnected and refused for `banMs`.
   * @default -100
   */
  threshold?: number
  /**
   * Half-life of the score's decay towards zero.
   * @default 60000
   */
  halfLifeMs?: number
  /**
   * Highest score a peer can earn, so a long honest history cannot buy a flood of junk.
   * @default 50
   */
  maxScore?: number
  /**
   * How long a disconnected peer is refused.
   * @default 300000
   */
  banMs?: number
}

/** One peer's score. */
export interface PeerScore {
  value: number
  updatedMs: number
}

/** Resolved scoring settings. */
export interface ScoreParams {
  threshold: number
  halfLifeMs: number
  maxScore: number
  banMs: number
}

/** Fills in defaults and checks ranges. */
export function scoreParams(init: PeerScoreInit = {}): ScoreParams {
  const params = {
    threshold: init.threshold ?? -100,
    halfLifeMs: init.halfLifeMs ?? 60_000,
    maxScore: init.maxScore ?? 50,
    banMs: init.banMs ?? 300_000,
  }
  if (!(params.threshold < 0)) throw new RangeError('init.threshold must be negative')
  if (!(params.halfLifeMs > 0)) throw new RangeError('init.halfLifeMs must be positive')
  if (!(params.maxScore >= 0)) throw new RangeError('init.maxScore must not be negative')
  if (!(params.banMs >= 0)) throw new RangeError('init.banMs must not be negative')
  return params
}

/** The score decayed to `nowMs`. */
export function currentScore(score: PeerScore, params: ScoreParams, nowMs: number): number {
  const elapsed = Math.max(0, nowMs - score.updatedMs)
  return score.value * Math.pow(0.5, elapsed / params.halfLifeMs)
}

/** Applies `event` at `nowMs`; returns whether the peer is now below the threshold. */
export function applyScoreEvent(score: PeerScore, event: ScoreEvent, params: ScoreParams, nowMs: number): boolean {
  score.value = Math.min(params.maxScore, currentScore(score, params, nowMs) + SCORE_WEIGHTS[event])
  score.updatedMs = nowMs
  return score.value < params.threshold
}
