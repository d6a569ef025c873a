/**
 * The subscriptions of a session v2 conversation (docs/SESSION.md §10.2): one per topic of the
 * listening set, each including the pool's copies (the peer may have posted on a chain before we
 * listened: early data), every envelope handed to one callback with the topic it came on.
 */
import { bytesToHex } from '@noble/hashes/utils.js'
import { pump } from '../pump.ts'
import type { SessionTransport } from '../transport.ts'

const NONE: ReadonlySet<string> = new Set()

/** The topics one conversation listens on, by hex. */
export class TopicSubscriptions {
  private readonly transport: SessionTransport
  private readonly onEnvelope: (topic: Uint8Array, data: Uint8Array) => void
  private readonly controllers = new Map<string, AbortController>()

  constructor(transport: SessionTransport, onEnvelope: (topic: Uint8Array, data: Uint8Array) => void) {
    this.transport = transport
    this.onEnvelope = onEnvelope
  }

  /** The topics subscribed now (hex). */
  get topics(): string[] {
    return [...this.controllers.keys()]
  }

  /** Subscribes every topic of `wanted` that is not yet, and drops those that left it. */
  sync(wanted: readonly Uint8Array[]): void {
    const byHex = new Map<string, Uint8Array>()
    for (const topic of wanted) byHex.set(bytesToHex(topic), topic)
    this.dropAllBut(byHex)
    for (const [hex, topic] of byHex) {
      if (this.controllers.has(hex)) continue
      const controller = new AbortController()
      this.controllers.set(hex, controller)
      const source = this.transport.subscribeEnvelopes([topic], { signal: controller.signal, includePooled: true })
      void pump(source, (data) => this.onEnvelope(topic, data), () => {})
    }
  }

  /** Unsubscribes every topic not in `keep` (hex; none by default). */
  dropAllBut(keep: { has(hex: string): boolean } = NONE): void {
    for (const [hex, controller] of this.controllers) {
      if (keep.has(hex)) continue
      controller.abort()
      this.controllers.delete(hex)
    }
  }
}
