/**
 * How an envelope's outcome reflects on the peer that sent it (design.md §4), as a pure function:
 * invalid envelopes cost points; a hash the peer sent us before is a repeat, which honest peers
 * never make; soft outcomes (duplicates of what it knew we had, recently expired, clock skew,
 * refused by a full pool) are free within the peer's soft-drop budget, then cost a little each;
 * a duplicate it could not know we had is free (in a flood they are the normal case); a first
 * delivery earns a point.
 */
import type { ScoreEvent } from './peer-score.ts'
import { DROP_PENALTIES, type DropReason } from './validator.ts'

/** What the ingest path concluded about one envelope. */
export type Outcome = { status: 'added' } | { status: 'duplicate' } | { status: 'dropped'; reason: DropReason }

/**
 * The consequence for the sender: a score event, `'soft'` (charge the soft-drop budget, and
 * `'wasteful'` when it is spent), or `undefined` (nothing).
 * @param sentBefore - whether the peer had sent us this hash before this copy
 * @param wasTold - whether we had sent the peer a known-hashes notice for it
 */
export function conductOf(outcome: Outcome, sentBefore: boolean, wasTold: boolean): ScoreEvent | 'soft' | undefined {
  switch (outcome.status) {
    case 'added':
      return 'first-delivery'
    case 'duplicate':
      if (sentBefore) return 'repeat'
      return wasTold ? 'soft' : undefined
    case 'dropped':
      return DROP_PENALTIES[outcome.reason] ?? 'soft'
  }
}
