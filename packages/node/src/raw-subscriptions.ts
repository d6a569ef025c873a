/**
 * Raw-envelope subscriptions by topic (design.md §6): for layers that do their own crypto. Each
 * subscription is a bounded queue; an envelope on a watched topic is pushed to every queue
 * watching it, once.
 */
import type { Topic } from '@hush/envelope'
import type { ReceivedEnvelope } from './types.ts'
import { AsyncQueue } from './async-queue.ts'
import { topicNumber, topicOfNumber } from './topic-number.ts'

/** One subscription: its queue and how to end it. */
export interface RawSubscription {
  readonly queue: AsyncQueue<ReceivedEnvelope>
  /** Ends the subscription; returns whether it was still active. */
  remove(): boolean
}

/** The set of raw-envelope subscriptions with a topic index. */
export class RawSubscriptions {
  private readonly byTopic = new Map<number, Set<AsyncQueue<ReceivedEnvelope>>>()

  /** Subscribes to `topics` with a queue of `capacity` envelopes. */
  add(topics: readonly Topic[], capacity: number): RawSubscription {
    const queue = new AsyncQueue<ReceivedEnvelope>(capacity)
    const keys = [...new Set(topics.map(topicNumber))]
    for (const k of keys) {
      let set = this.byTopic.get(k)
      if (set === undefined) this.byTopic.set(k, (set = new Set()))
      set.add(queue)
    }
    let active = true
    const remove = (): boolean => {
      if (!active) return false
      active = false
      for (const k of keys) {
        const set = this.byTopic.get(k)
        set?.delete(queue)
        if (set?.size === 0) this.byTopic.delete(k)
      }
      queue.close()
      return true
    }
    return { queue, remove }
  }

  /** Whether some subscription watches `topic`. */
  watches(topic: Topic): boolean {
    return this.byTopic.has(topicNumber(topic))
  }

  /** Pushes the envelope `make()` builds (once) to every queue watching its topic. */
  deliver(topic: Topic, make: () => ReceivedEnvelope): void {
    const queues = this.byTopic.get(topicNumber(topic))
    if (queues === undefined) return
    const envelope = make()
    for (const q of queues) q.push(envelope)
  }

  /** Every watched topic. */
  topics(): Topic[] {
    return [...this.byTopic.keys()].map(topicOfNumber)
  }

  /** Ends every subscription. */
  closeAll(): void {
    for (const set of this.byTopic.values()) for (const q of set) q.close()
    this.byTopic.clear()
  }
}
