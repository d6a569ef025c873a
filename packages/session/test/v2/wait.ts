/** Small helpers of the v2 conversation tests: text payloads and a bounded wait. */

/** UTF-8 bytes of `s`. */
export const text = (s: string): Uint8Array => new TextEncoder().encode(s)

/** The text of UTF-8 bytes. */
export const read = (b: Uint8Array): string => new TextDecoder().decode(b)

/** Polls `condition` every 5 ms; throws naming `what` after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}
