/**
 * Waiting for a node's first peers without polling: `peer:ready` says when `getPeers()` grows.
 */
import type { WhisperService } from '@hush/node'

/** Resolves `true` once `shh` has at least `min` ready peers, or `false` after `timeoutMs` without them. */
export function waitForPeers(shh: WhisperService, min: number, timeoutMs: number): Promise<boolean> {
  const enough = (): boolean => shh.getPeers().length >= min
  if (enough()) return Promise.resolve(true)
  return new Promise((resolve) => {
    const finish = (reached: boolean): void => {
      clearTimeout(timer)
      shh.removeEventListener('peer:ready', onReady)
      resolve(reached)
    }
    const onReady = (): void => {
      if (enough()) finish(true)
    }
    const timer = setTimeout(() => finish(false), timeoutMs)
    shh.addEventListener('peer:ready', onReady)
  })
}
