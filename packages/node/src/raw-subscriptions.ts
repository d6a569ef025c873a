/**
 * Raw-envelope subscriptions (design.md §6): for layers that do their own crypto. Each
 * subscription is a bounded queue registered in the node's one topic index; an envelope on a
 * watched topic is pushed to every queue watching it, once.
 */
import type { Topic } from '@hush/envelope'
import type { ReceivedEnvelope } from './types.ts'
import { AsyncQueue } from './async-queue.ts'
import type { Watcher } from './filters.ts'
import type { TopicIndex } from './topic-index.ts'

/** One subscription as registered in the node's topic index. */
export interface RawWatcher {
  readonly kind: 'raw'
  readonly queue: AsyncQueue<ReceivedEnvelope>
}

/** One subscription: its queue and how to end it. */
export interface RawSubscription {
  readonly queue: AsyncQueue<ReceivedEnvelope>
  /** Ends the subscription; returns whether it was still active. */
  remove(): boolean
}

/** The raw-envelope subscriptions, registered in the node's shared topic index. */
export class RawSubscriptions {
  private readonly active = new Map<RawWatcher, readonly Topic[]>()
  private readonly index: TopicIndex<Watcher>

  /** @param index - the node's one topic index, shared with filters */
  constructor(index: TopicIndex<Watcher>) {
    this.index = index
  }

  /** Subscribes to `topics` (at least one) with a queue of `capacity` envelopes. */
  add(topics: readonly Topic[], capacity: number): RawSubscription {
    if (topics.length === 0) throw new TypeError('topics must not be empty')
    const watcher: RawWatcher = { kind: 'raw', queue: new AsyncQueue<ReceivedEnvelope>(capacity) }
    this.active.set(watcher, topics)
    this.index.add(watcher, topics)
    const remove = (): boolean => {
      if (!this.active.delete(watcher)) return false
      this.index.remove(watcher, topics)
      watcher.queue.close()
      return true
    }
    return { queue: watcher.queue, remove }
  }

  /** Pushes the envelope `make()` builds (once, if anyone watches) to every subscription on `topic`. */
  deliver(topic: Topic, make: () => ReceivedEnvelope): void {
    let envelope: ReceivedEnvelope | undefined
    for (const w of this.index.watchersOf(topic)) {
      if (w.kind === 'raw') w.queue.push((envelope ??= make()))
    }
  }

  /** Ends every subscription. */
  closeAll(): void {
    // Cleared first: a closing queue ends its reader, whose `remove` then finds nothing to do.
    const active = [...this.active]
    this.active.clear()
    for (const [watcher, topics] of active) {
      this.index.remove(watcher, topics)
      watcher.queue.close()
    }
  }
}
