/** Polls `isReady` every 50 ms until it holds or `timeoutMs` passed; returns whether it held. */
export async function waitUntil(isReady: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (!isReady()) {
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return true
}
