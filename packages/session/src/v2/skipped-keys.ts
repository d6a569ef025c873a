/**
 * Skipped message keys and superseded chains of a ratchet state (docs/SESSION.md §6.5 step 6):
 * storing and taking keys, and the bounds applied at commit. Keys are held per chain by index, so
 * a key is found by `(chain's ratchet key, n)`. Every key or chain that leaves is wiped.
 *
 * Keys enter in time order (a chain's skipped keys are stored before the next chain exists), so
 * "oldest by `storedAtMs`" is insertion order: the oldest prev chain's first key, and so on.
 */
import { wipe } from '../assert.ts'
import { MAX_PREV_CHAINS, type PrevChain, type RatchetState, type SkippedKey, wipeSeed } from './ratchet-state.ts'

/** Adds `keys` (index, message key) to `map`, stored at `nowMs`, and counts them. */
export function storeSkipped(state: RatchetState, map: Map<number, SkippedKey>, keys: ReadonlyArray<readonly [number, Uint8Array]>, nowMs: number): void {
  for (const [n, messageKey] of keys) map.set(n, { messageKey, storedAtMs: nowMs })
  state.skippedCount += keys.length
  state.budget.used += keys.length
}

/** Removes the key of index `n` from `map` and wipes it. */
export function deleteSkipped(state: RatchetState, map: Map<number, SkippedKey>, n: number): void {
  const key = map.get(n)
  if (key === undefined) return
  wipe(key.messageKey)
  map.delete(n)
  state.skippedCount--
  state.budget.used--
}

function clearSkipped(state: RatchetState, map: Map<number, SkippedKey>): void {
  for (const n of [...map.keys()]) deleteSkipped(state, map, n)
}

/** Drops `prev[index]`: wipes its keys, its seed, header key and topic. */
function dropPrev(state: RatchetState, index: number): void {
  const [chain] = state.prev.splice(index, 1) as [PrevChain]
  clearSkipped(state, chain.skipped)
  wipeSeed(chain.seed)
  wipe(chain.dh)
}

/** Evicts the oldest skipped key of the session; false when it holds none. */
function evictOldestKey(state: RatchetState): boolean {
  for (const map of [...state.prev.map((c) => c.skipped), state.skipped]) {
    const first = map.keys().next()
    if (!first.done) {
      deleteSkipped(state, map, first.value)
      return true
    }
  }
  return false
}

/**
 * Applies the bounds at commit: at most {@link MAX_PREV_CHAINS} prev chains (the oldest dropped
 * whole), at most `maxSkippedKeys` keys in the session, and no more than the shared budget leaves
 * to it (the keys the peer's other sessions hold are not evicted for this one, so a session a
 * peer floods starves only itself). The oldest keys go first.
 */
export function enforceBounds(state: RatchetState): void {
  while (state.prev.length > MAX_PREV_CHAINS) dropPrev(state, 0)
  const others = state.budget.used - state.skippedCount
  const allowed = Math.max(0, Math.min(state.maxSkippedKeys, state.budget.max - others))
  while (state.skippedCount > allowed && evictOldestKey(state)) {
    // evictOldestKey wipes and counts
  }
}

/**
 * Age limits (§6.5 step 6): drops skipped keys stored more than `keyMaxAgeMs` ago, then prev chains
 * with no key left that were superseded more than `chainLingerMs` ago (their topics leave
 * `listeningTopics`).
 */
export function expireSkipped(state: RatchetState, nowMs: number, keyMaxAgeMs: number, chainLingerMs: number): void {
  for (const map of [...state.prev.map((c) => c.skipped), state.skipped]) {
    for (const [n, key] of [...map]) if (nowMs - key.storedAtMs > keyMaxAgeMs) deleteSkipped(state, map, n)
  }
  for (let j = state.prev.length - 1; j >= 0; j--) {
    const chain = state.prev[j]
    if (chain.skipped.size === 0 && nowMs - chain.supersededAtMs > chainLingerMs) dropPrev(state, j)
  }
}

/** Wipes and releases every skipped key and prev chain (at close). */
export function clearAllSkipped(state: RatchetState): void {
  while (state.prev.length > 0) dropPrev(state, 0)
  clearSkipped(state, state.skipped)
}
