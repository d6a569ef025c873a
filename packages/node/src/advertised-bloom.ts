/**
 * The bloom a node announces (design.md §3, the interop rule): none for a full node; in light mode
 * or under an explicit bloom, the OR-built bloom of every watched topic, united with the explicit
 * one; all ones when something watches every topic.
 */
import { type Bloom, FULL_BLOOM, type Topic, bloomUnion, topicsToBloom } from '@hush/envelope'

/** What the announced bloom depends on. */
export interface BloomInputs {
  isLight: boolean
  explicit: Bloom | undefined
  /** Topics watched by filters and raw subscriptions. */
  topics: readonly Topic[]
  /** Whether some filter watches every topic. */
  watchesAll: boolean
}

/** The bloom to announce, or `undefined` for a full node. */
export function advertisedBloom(inputs: BloomInputs): Bloom | undefined {
  if (!inputs.isLight && inputs.explicit === undefined) return undefined
  if (inputs.watchesAll) return FULL_BLOOM.slice()
  const fromTopics = topicsToBloom(inputs.topics)
  return inputs.explicit === undefined ? fromTopics : bloomUnion(inputs.explicit, fromTopics)
}

/** Whether two blooms (absent = full node) are the same. */
export function sameBloom(a: Bloom | undefined, b: Bloom | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return a.length === b.length
}
