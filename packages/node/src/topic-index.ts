/**
 * The node's one topic index (design.md §6): everything that watches topics — message filters
 * and raw-envelope subscriptions alike — is registered here under the topics it watches, or
 * under "every topic". Delivery asks it who watches an envelope's topic; the advertised bloom
 * asks it which topics are watched.
 */
import { type Topic, topicFromNumber, topicToNumber } from '@hush/envelope'

/** Watchers of type `T` by topic. */
export class TopicIndex<T> {
  private readonly byTopic = new Map<number, Set<T>>()
  private readonly everyTopic = new Set<T>()

  /** Registers `watcher` under `topics` (duplicates collapse); an empty list means every topic. */
  add(watcher: T, topics: readonly Topic[]): void {
    if (topics.length === 0) {
      this.everyTopic.add(watcher)
      return
    }
    for (const topic of topics) {
      const k = topicToNumber(topic)
      let set = this.byTopic.get(k)
      if (set === undefined) this.byTopic.set(k, (set = new Set()))
      set.add(watcher)
    }
  }

  /** Unregisters `watcher` from `topics` (the list it was added with). */
  remove(watcher: T, topics: readonly Topic[]): void {
    if (topics.length === 0) {
      this.everyTopic.delete(watcher)
      return
    }
    for (const topic of topics) {
      const k = topicToNumber(topic)
      const set = this.byTopic.get(k)
      set?.delete(watcher)
      if (set?.size === 0) this.byTopic.delete(k)
    }
  }

  /** Whether anything watches `topic` (no watcher, no work: the common case for relayed envelopes). */
  watches(topic: Topic): boolean {
    return this.everyTopic.size > 0 || this.byTopic.has(topicToNumber(topic))
  }

  /** Every watcher of `topic`, each once: those of the topic, then those of every topic. */
  *watchersOf(topic: Topic): Generator<T> {
    const set = this.byTopic.get(topicToNumber(topic))
    if (set !== undefined) yield* set
    for (const w of this.everyTopic) if (set === undefined || !set.has(w)) yield w
  }

  /** Every topic some watcher watches, each once. */
  topics(): Topic[] {
    return [...this.byTopic.keys()].map(topicFromNumber)
  }

  /** Whether some watcher watches every topic. */
  get watchesAll(): boolean {
    return this.everyTopic.size > 0
  }
}
