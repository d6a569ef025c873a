/**
 * The bloom a node announces (design.md §3, the interop rule): none for a full node; in light mode
 * or under an explicit bloom, the OR-built bloom of every watched topic, united with the explicit
 * one; all ones when something watches every topic. {@link AnnouncedBloom} keeps it current.
 */
import { type Bloom, FULL_BLOOM, type Topic, bloomUnion, topicsToBloom } from '@hush/envelope'
import { type Requirement, changeRequirement, requirement } from './requirement.ts'

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

/** What {@link AnnouncedBloom} reads and calls. */
export interface AnnouncedBloomInit {
  isLight: boolean
  /** An explicit bloom from the settings, if any. */
  explicit: Bloom | undefined
  /** The topics watched now, and whether something watches all of them. */
  watched(): { topics: readonly Topic[]; watchesAll: boolean }
  /** Sends a bloom to every peer (all ones for a full node). */
  announce(bloom: Bloom): void
  /** Delay before a subscription change is announced, so bursts become one announcement. */
  delayMs: number
  now(): number
}

/**
 * The bloom this node announces, as a {@link Requirement} (the previous value is tolerated briefly
 * after a change), recomputed when what is watched changes, and announced at once or after a
 * short delay.
 */
export class AnnouncedBloom {
  /** Changed in place: the ingest rules hold this object. */
  readonly requirement: Requirement<Bloom | undefined>
  private explicit: Bloom | undefined
  private readonly init: AnnouncedBloomInit
  private timer: ReturnType<typeof setTimeout> | undefined
  private isAnnouncing = false

  constructor(init: AnnouncedBloomInit) {
    this.init = init
    this.explicit = init.explicit
    this.requirement = requirement(this.compute(), init.now())
  }

  /** The bloom announced now; `undefined` for a full node. */
  get current(): Bloom | undefined {
    return this.requirement.current
  }

  /** Starts announcing changes (before this, changes only update the value). */
  start(): void {
    this.isAnnouncing = true
  }

  /** Stops announcing and clears a pending announcement. */
  stop(): void {
    this.isAnnouncing = false
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
  }

  /** Sets the explicit bloom and announces the result at once. */
  setExplicit(bloom: Bloom): void {
    this.explicit = bloom.slice()
    this.update(true)
  }

  /** Recomputes the bloom; announces a change at once or after the delay. */
  update(immediately: boolean): void {
    const next = this.compute()
    if (sameBloom(next, this.requirement.current)) return
    changeRequirement(this.requirement, next, this.init.now())
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    const announce = (): void => {
      this.timer = undefined
      // Back to a full node: announce all ones, which peers read as "everything".
      if (this.isAnnouncing) this.init.announce(this.requirement.current ?? FULL_BLOOM)
    }
    if (immediately || !this.isAnnouncing) announce()
    else {
      this.timer = setTimeout(announce, this.init.delayMs)
      this.timer.unref?.()
    }
  }

  private compute(): Bloom | undefined {
    const { topics, watchesAll } = this.init.watched()
    return advertisedBloom({ isLight: this.init.isLight, explicit: this.explicit, topics, watchesAll })
  }
}
