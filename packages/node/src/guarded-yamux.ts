/**
 * `guardedYamux(init)`: `yamux(init)` from `@libp2p/yamux`, except that a new outbound stream whose
 * connection closed before the stream's first window update was sent is aborted instead of
 * crashing the process.
 *
 * Works around `@libp2p/yamux` 8.0.3 (the latest on npm): `YamuxMuxer.onCreateStream()` sends
 * the new stream's first window update (its SYN) from a `queueMicrotask` (dist/src/muxer.js line
 * 127, src/muxer.ts line 175). When the connection's write side closes between the stream's
 * creation and that microtask (frequent when connections are trimmed or dropped under churn), the
 * write throws a `StreamStateError` ("Cannot write to a stream that is closed" / "closing") that
 * nothing catches. Drop this wrapper when upstream catches that throw.
 */
import type { Stream } from '@libp2p/interface'
import { type YamuxMuxerInit, yamux } from '@libp2p/yamux'

/** The untyped part of a yamux 8.0.3 `YamuxStream` used here. */
interface YamuxStreamInternals extends Stream {
  /** Sends a window update; the first one carries the SYN that opens the stream. */
  sendWindowUpdate(): void
}

/** The untyped (protected) part of a yamux 8.0.3 `YamuxMuxer` used here. */
interface YamuxMuxerInternals {
  /** Makes a new outbound stream and queues the microtask that sends its first window update. */
  onCreateStream(...args: unknown[]): YamuxStreamInternals
}

/**
 * A drop-in for `yamux(init)` (same settings, same factory) whose muxers abort a new outbound
 * stream, logging at trace level, when sending its first window update throws because the
 * connection closed first, instead of letting that error escape as an uncaught exception.
 * Everything else is yamux's own behaviour.
 * @param init - yamux's settings, passed on unchanged
 * @returns the factory libp2p's `streamMuxers` takes
 * @example
 * ```ts
 * const node = await createLibp2p({ streamMuxers: [guardedYamux()], ... })
 * ```
 */
export function guardedYamux(init: YamuxMuxerInit = {}): ReturnType<typeof yamux> {
  const create = yamux(init)
  return () => {
    const factory = create()
    const createStreamMuxer = factory.createStreamMuxer.bind(factory)
    factory.createStreamMuxer = (maConn) => {
      const muxer = createStreamMuxer(maConn)
      guardFirstWindowUpdate(muxer as unknown as YamuxMuxerInternals)
      return muxer
    }
    return factory
  }
}

/** Wraps `muxer.onCreateStream` so that each new stream's first `sendWindowUpdate()` cannot throw. */
function guardFirstWindowUpdate(muxer: YamuxMuxerInternals): void {
  const onCreateStream = muxer.onCreateStream.bind(muxer)
  muxer.onCreateStream = (...args) => {
    const stream = onCreateStream(...args)
    const sendWindowUpdate = stream.sendWindowUpdate
    // Own property, read by the queued microtask when it runs; it puts yamux's method back first.
    stream.sendWindowUpdate = () => {
      stream.sendWindowUpdate = sendWindowUpdate
      try {
        sendWindowUpdate.call(stream)
      } catch (err) {
        stream.log.trace('could not open the stream, its connection closed first - %e', err)
        stream.abort(err instanceof Error ? err : new Error(String(err)))
      }
    }
    return stream
  }
}
