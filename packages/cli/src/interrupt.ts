/**
 * Ctrl-C and `kill`: the commands that run until stopped end on SIGINT or SIGTERM.
 */

/**
 * Runs `task` with a signal that aborts on the first SIGINT or SIGTERM; the handlers are removed
 * when the task ends, so a second Ctrl-C after that ends the process as usual.
 */
export async function untilInterrupted<T>(task: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController()
  const stop = (): void => controller.abort()
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  try {
    return await task(controller.signal)
  } finally {
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
  }
}
