/**
 * Bytes a router writes on its protocol streams, counted the same way for every router: a libp2p
 * `Metrics` whose `trackProtocolStream` hook wraps each matching stream's `send`. libp2p calls the
 * hook once a protocol is negotiated, so multistream-select is not counted, nor Noise or yamux
 * framing: what is counted is the protocol's own frames, length prefixes included.
 */
import type { Metrics, Stream } from '@libp2p/interface'

/** A metrics object for `createLibp2p({ metrics: () => counter.metrics })`, and its total. */
export interface SentByteCounter {
  /** Pass as `metrics: () => counter.metrics` to every node of one network. */
  readonly metrics: Metrics
  /** Bytes written so far on streams whose protocol starts with the counter's prefix, all nodes together. */
  sent(): number
}

/**
 * A counter of the bytes written on every stream whose protocol starts with `protocolPrefix`
 * (`'/shh/'`, `'/meshsub/'`, `'/naive-flood/'`). Every other metrics call is a no-op.
 */
export function sentByteCounter(protocolPrefix: string): SentByteCounter {
  let bytes = 0
  const noop: any = new Proxy(() => {}, { get: (_t, p) => (p === 'then' ? undefined : noop), apply: () => noop })
  const hooks = {
    trackProtocolStream(stream: Stream): void {
      if (typeof stream.protocol !== 'string' || !stream.protocol.startsWith(protocolPrefix)) return
      const send = stream.send.bind(stream)
      stream.send = (data) => {
        bytes += data.byteLength
        return send(data)
      }
    },
    trackMultiaddrConnection(): void {},
    traceFunction: (_name: string, fn: unknown) => fn,
    createTrace: () => undefined,
  }
  const metrics = new Proxy(hooks, {
    get: (target: any, p) => (p in target ? target[p] : p === 'then' ? undefined : () => noop),
  }) as Metrics
  return { metrics, sent: () => bytes }
}
