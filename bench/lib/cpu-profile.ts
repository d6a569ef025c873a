/**
 * CPU attribution for the benches: which code the process spent a measured window in, from a
 * sampling profile (`node:inspector`).
 */
import { Session } from 'node:inspector/promises'

/**
 * Runs `run` under a 200 µs sampling profile; `hushMs` is the non-idle CPU time spent in Hush's own
 * packages (node, pool, envelope incl. its WASM Keccak, pow). The rest of the samples are libp2p,
 * the muxer, the encrypter, uint8arraylist, the runtime and GC.
 */
export async function profiled<T>(run: () => Promise<T>): Promise<{ result: T; hushMs: number }> {
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: 200 })
  await session.post('Profiler.start')
  const result = await run()
  const { profile } = await session.post('Profiler.stop')
  session.disconnect()
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  let hushMs = 0
  const samples = profile.samples ?? []
  const deltas = profile.timeDeltas ?? []
  for (let i = 0; i < samples.length; i++) {
    const node = byId.get(samples[i])
    const ms = (deltas[i] ?? 0) / 1000
    const url = node?.callFrame.url ?? ''
    const name = node?.callFrame.functionName ?? ''
    if (name === '(idle)') continue
    // Our WASM Keccak shows up as a wasm:// URL; our sources as .../packages/<name>/...
    if (/\/packages\/(node|pool|envelope|pow)\//.test(url) || url.startsWith('wasm://')) hushMs += ms
  }
  return { result, hushMs }
}
