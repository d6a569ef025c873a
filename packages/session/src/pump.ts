/** Drives an envelope subscription into a handler; never rejects (a session must not crash its host). */
import type { Envelope } from '@hush/envelope'

/**
 * Iterates `source` until it ends or fails, calling `handler` for each envelope's data. Errors
 * thrown by `handler` go to `onError` and iteration continues.
 */
export function pump(source: AsyncIterable<Envelope>, handler: (data: Uint8Array) => void, onError: (err: unknown) => void): Promise<void> {
  return (async () => {
    try {
      for await (const envelope of source) {
        try {
          handler(envelope.data)
        } catch (err) {
          onError(err)
        }
      }
    } catch {
      // the subscription ended with an error (aborted, node stopped): nothing to deliver anymore
    }
  })()
}
