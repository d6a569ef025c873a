/**
 * Starting sealing workers and keeping count of them. Node's `worker_threads` is loaded lazily, so
 * the package still loads where it does not exist (the sealer then falls back to time slices).
 */
import type { Worker } from 'node:worker_threads'

/** Every sealing worker that has not exited yet (tests check it drains to zero). */
export const liveWorkers: Set<Worker> = new Set()

type WorkerThreads = typeof import('node:worker_threads')

let threads: WorkerThreads | null | undefined

/** `node:worker_threads`, or `undefined` where it (or WebAssembly, which the workers need) is missing. */
export async function loadWorkerThreads(): Promise<WorkerThreads | undefined> {
  if (threads === undefined) {
    try {
      const hasWasm = typeof (globalThis as { WebAssembly?: unknown }).WebAssembly === 'object'
      threads = hasWasm ? await import('node:worker_threads') : null
    } catch {
      threads = null
    }
  }
  return threads ?? undefined
}

/** One worker per core: `os.availableParallelism()`, or `navigator.hardwareConcurrency`, or 1. */
export async function defaultWorkerCount(): Promise<number> {
  try {
    const os = await import('node:os')
    return Math.max(1, os.availableParallelism())
  } catch {
    const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency
    return typeof n === 'number' && n > 0 ? n : 1
  }
}

/** Starts a worker running `source` and tracks it in {@link liveWorkers} until it exits. */
export function startWorker(wt: WorkerThreads, source: string, workerData: unknown): Worker {
  const worker = new wt.Worker(source, { eval: true, workerData })
  liveWorkers.add(worker)
  worker.once('exit', () => liveWorkers.delete(worker))
  return worker
}
