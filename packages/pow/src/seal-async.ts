/**
 * The asynchronous sealer: the nonce search runs on `worker_threads`, one per core by default, each
 * over its own disjoint range of nonces; where workers are unavailable (or `workers: 0`) it runs on
 * the calling thread in ~10 ms slices that yield to the event loop (house-style §3.7).
 */
import type { Envelope } from '@hush/envelope'
import { keccakWasmBytes } from '@hush/envelope/keccak'
import type { Worker } from 'node:worker_threads'
import { assertInt } from './assert.ts'
import {
  DEFAULT_PROGRESS_INTERVAL_MS,
  MAX_NONCE,
  SLICE_MS,
  WORKER_NONCE_BATCH,
  WORKER_STOP_GRACE_MS,
} from './constants.ts'
import { type SealProgress, progressOf } from './progress.ts'
import { finishSeal } from './seal.ts'
import { type SealOptions, type SealPlan, type SealResult, noWorkResult, planSeal } from './seal-plan.ts'
import { createSearchLoop } from './search-loop.ts'
import { WORKER_SOURCE } from './worker-source.ts'
import { defaultWorkerCount, loadWorkerThreads, startWorker } from './worker-pool.ts'

/** Options of {@link sealEnvelopeAsync}. */
export interface SealAsyncOptions extends SealOptions {
  /** Aborting rejects with `signal.reason` and terminates every worker. */
  signal?: AbortSignal
  /**
   * Worker threads to search on; `0` searches on the calling thread in time slices.
   * @default one per core (`os.availableParallelism()`)
   */
  workers?: number
  /** Called about every `progressIntervalMs` with the state of the search. */
  onProgress?: (progress: SealProgress) => void
  /** @default 100 */
  progressIntervalMs?: number
}

interface WorkerState {
  attempts: number
  bestBits: number
  bestNonce: bigint
  stopped: boolean
}

interface WorkerMessage {
  type: 'progress' | 'found' | 'stopped'
  attempts: number
  bestBits: number
  bestHi: number
  bestLo: number
}

function bestOf(states: WorkerState[]): { attempts: number; bestBits: number; bestNonce: bigint } {
  let best = states[0]
  let attempts = 0
  for (const s of states) {
    attempts += s.attempts
    if (s.bestBits > best.bestBits) best = s
  }
  return { attempts, bestBits: best.bestBits, bestNonce: best.bestNonce }
}

function sealOnWorkers(
  wt: typeof import('node:worker_threads'),
  plan: SealPlan,
  count: number,
  options: SealAsyncOptions
): Promise<SealResult> {
  const { signal, onProgress } = options
  const control = new SharedArrayBuffer(4)
  const stopFlag = new Int32Array(control)
  const wasmBytes = keccakWasmBytes()
  const stride = (MAX_NONCE + 1n) / BigInt(count)
  const share = Number.isFinite(plan.maxIterations) ? Math.ceil(plan.maxIterations / count) : Infinity
  const states: WorkerState[] = []
  const pool: Worker[] = []
  return new Promise<SealResult>((resolve, reject) => {
    let settled = false
    const timers: ReturnType<typeof setTimeout>[] = []
    const settle = (outcome: () => SealResult): void => {
      if (settled) return
      settled = true
      Atomics.store(stopFlag, 0, 1)
      for (const t of timers) clearTimeout(t)
      clearInterval(ticker)
      signal?.removeEventListener('abort', onAbort)
      void Promise.allSettled(pool.map((w) => w.terminate())).then(() => {
        try {
          resolve(outcome())
        } catch (err) {
          reject(err)
        }
      })
    }
    const fail = (err: unknown): void =>
      settle(() => {
        throw err
      })
    const report = (): void => {
      if (settled || onProgress === undefined) return
      const b = bestOf(states)
      try {
        onProgress(progressOf(plan, b.attempts, b.bestBits))
      } catch (err) {
        fail(err)
      }
    }
    const onAbort = (): void => fail(signal?.reason)
    const ticker = onProgress === undefined ? undefined : setInterval(report, options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS)
    signal?.addEventListener('abort', onAbort, { once: true })
    if (Number.isFinite(plan.deadline)) {
      // Workers stop themselves at the deadline; this only guards against one that never reports.
      timers.push(setTimeout(() => settle(() => finishSeal(plan, bestOf(states))), plan.deadline - Date.now() + WORKER_STOP_GRACE_MS))
    }
    for (let i = 0; i < count; i++) {
      const start = (plan.start + BigInt(i) * stride) & MAX_NONCE
      const state: WorkerState = { attempts: 0, bestBits: -1, bestNonce: start, stopped: false }
      states.push(state)
      let worker: Worker
      try {
        worker = startWorker(wt, WORKER_SOURCE, {
          wasmBytes,
          prefix: plan.prefix,
          startHi: Number(start >> 32n),
          startLo: Number(start & 0xffff_ffffn),
          targetBits: plan.targetBits,
          maxIterations: share,
          deadline: plan.deadline,
          batch: WORKER_NONCE_BATCH,
          progressMs: Math.min(50, options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS),
          control,
        })
      } catch (err) {
        fail(err)
        return
      }
      pool.push(worker)
      worker.on('message', (m: WorkerMessage) => {
        state.attempts = m.attempts
        if (m.bestBits > state.bestBits) {
          state.bestBits = m.bestBits
          state.bestNonce = (BigInt(m.bestHi) << 32n) | BigInt(m.bestLo)
        }
        if (m.type === 'found') {
          const b = bestOf(states)
          settle(() => finishSeal(plan, { ...b, bestBits: state.bestBits, bestNonce: state.bestNonce }))
        } else if (m.type === 'stopped') {
          state.stopped = true
          if (states.every((s) => s.stopped)) settle(() => finishSeal(plan, bestOf(states)))
        }
      })
      worker.on('error', fail)
      worker.on('exit', (code) => {
        if (!state.stopped) fail(new Error(`sealing worker exited early with code ${code}`))
      })
    }
  })
}

async function sealSliced(plan: SealPlan, options: SealAsyncOptions): Promise<SealResult> {
  const { signal, onProgress } = options
  const interval = options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS
  const loop = createSearchLoop(plan, options.backend)
  let lastReport = Date.now()
  while (!loop.done) {
    signal?.throwIfAborted()
    loop.run(Date.now() + SLICE_MS)
    if (onProgress !== undefined && Date.now() - lastReport >= interval) {
      lastReport = Date.now()
      onProgress(progressOf(plan, loop.attempts, loop.bestBits))
    }
    // A macrotask, not a microtask: lets timers (AbortSignal.timeout) and I/O run between slices.
    if (!loop.done) await new Promise((resolve) => setTimeout(resolve, 0))
  }
  return finishSeal(plan, loop)
}

/**
 * Seals `envelope` without blocking: the same modes and result as {@link sealEnvelope}, searched on
 * worker threads (one per core by default, each over a disjoint nonce range from a random start).
 * Workers are self-contained (the WASM kernel travels in `workerData`) and are always terminated,
 * on success, error and abort alike.
 *
 * @throws {TypeError | RangeError} (as a rejection) for a malformed envelope or options, or TTL 0
 * @throws {PowTargetNotReachedError} when a bounded search misses `targetPow`
 * @throws the signal's `reason` (an `AbortError` / `TimeoutError` DOMException by default) on abort
 * @example
 * ```ts
 * const { envelope: sealed } = await sealEnvelopeAsync(envelope, {
 *   targetPow: 2,
 *   signal: AbortSignal.timeout(10_000),
 *   onProgress: (p) => console.log(`${p.hashRate.toFixed(0)} H/s, ~${p.estimatedMsLeft.toFixed(0)} ms left`),
 * })
 * ```
 */
export async function sealEnvelopeAsync(envelope: Envelope, options: SealAsyncOptions): Promise<SealResult> {
  const plan = planSeal(envelope, options)
  if (options.workers !== undefined) assertInt(options.workers, 'options.workers', 0, 1024)
  if (options.progressIntervalMs !== undefined) assertInt(options.progressIntervalMs, 'options.progressIntervalMs', 1)
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw new TypeError('options.onProgress must be a function')
  }
  const { signal } = options
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError('options.signal must be an AbortSignal')
  signal?.throwIfAborted()
  if (plan.noWork) return noWorkResult(plan)
  const count = options.workers ?? (await defaultWorkerCount())
  const wt = count > 0 && options.backend !== 'ts' ? await loadWorkerThreads() : undefined
  signal?.throwIfAborted()
  return wt === undefined ? sealSliced(plan, options) : sealOnWorkers(wt, plan, count, options)
}
