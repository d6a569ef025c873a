/**
 * Process memory after a forced garbage collection: `heapUsed + arrayBuffers`. Uses `gc` from
 * `--expose-gc` when given, else enables it at run time (V8 flag), as pool.bench.ts does, so the
 * bench also measures memory when `npm run bench` starts it with plain tsx.
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

/** `gc`, or `undefined` when this runtime allows neither the flag nor enabling it. */
function findGc(): (() => void) | undefined {
  const existing = (globalThis as { gc?: () => void }).gc
  if (typeof existing === 'function') return existing
  try {
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as unknown
    return typeof gc === 'function' ? (gc as () => void) : undefined
  } catch {
    return undefined
  }
}

const gc = findGc()

/** Whether {@link memoryAfterGc} collects first (when not, its figures include garbage). */
export const hasGc: boolean = gc !== undefined

/** `heapUsed + arrayBuffers` in bytes, after two full collections when {@link hasGc}. */
export function memoryAfterGc(): number {
  if (gc !== undefined) {
    gc()
    gc()
  }
  const m = process.memoryUsage()
  return m.heapUsed + m.arrayBuffers
}

/**
 * {@link memoryAfterGc} once it has stopped falling for `quietMs`: a stopped network's memory can
 * stay referenced for seconds after `stop()` (seen: 200 stopped Hush nodes held 70 MB for 7 s,
 * then released it at once), and would count in a baseline taken at once. Reads once a second;
 * gives up after `maxWaitMs` with the lowest reading.
 */
export async function settledMemoryAfterGc(quietMs = 12_000, maxWaitMs = 60_000): Promise<number> {
  let lowest = memoryAfterGc()
  let lowestAt = Date.now()
  const deadline = lowestAt + maxWaitMs
  while (Date.now() - lowestAt < quietMs && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1000))
    const now = memoryAfterGc()
    if (now < lowest * 0.99) lowestAt = Date.now()
    lowest = Math.min(lowest, now)
  }
  return lowest
}
