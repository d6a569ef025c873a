/**
 * `hush start`: runs a node with the shh JSON-RPC endpoint until SIGINT/SIGTERM.
 */
import { createHushNode } from '@hush/node'
import { createRpcServer } from '@hush/rpc'
import { CliError } from '../errors.ts'
import { readConfig } from '../options.ts'

/** Settings of `hush start` (flags, or the same keys in a JSON config file). */
export interface StartOptions {
  dataDir?: string
  listen?: string[]
  bootstrap?: string[]
  minPow?: number
  light?: boolean
  rpcHost?: string
  rpcPort?: number
  token?: string
  config?: string
}

const KNOWN = new Set(['dataDir', 'listen', 'bootstrap', 'minPow', 'light', 'rpcHost', 'rpcPort', 'token'])

/** Merges a config file under the flags; flags win. */
async function withConfig(options: StartOptions, given: Set<string>): Promise<StartOptions> {
  if (options.config === undefined) return options
  const config = await readConfig(options.config)
  for (const key of Object.keys(config)) if (!KNOWN.has(key)) throw new CliError(`unknown key "${key}" in ${options.config}`)
  const merged: Record<string, unknown> = { ...options }
  for (const [key, value] of Object.entries(config)) if (!given.has(key)) merged[key] = value
  return merged as StartOptions
}

/**
 * Starts the node and the RPC server; resolves with a function that stops both.
 * @throws {CliError} for unusable settings (a port in use, a bad address)
 */
async function startNode(options: StartOptions, given: Set<string> = new Set(), print: (line: string) => void = console.log): Promise<() => Promise<void>> {
  const o = await withConfig(options, given)
  let node
  try {
    node = await createHushNode({
      listen: o.listen ?? ['/ip4/127.0.0.1/tcp/0'],
      ...(o.bootstrap !== undefined && { bootstrap: o.bootstrap }),
      ...(o.dataDir !== undefined && { dataDir: o.dataDir }),
      whisper: { ...(o.minPow !== undefined && { minPow: o.minPow }), isLight: o.light === true },
    })
  } catch (err) {
    throw new CliError(`cannot start the node: ${(err as Error).message}`, { cause: err })
  }
  let rpc
  try {
    rpc = await createRpcServer({
      shh: node.services.shh,
      host: o.rpcHost ?? '127.0.0.1',
      port: o.rpcPort ?? 8545,
      ...(o.token !== undefined && { token: o.token }),
    })
  } catch (err) {
    await node.stop()
    throw new CliError(`cannot start the RPC server: ${(err as Error).message}`, { cause: err })
  }
  print(`peer id: ${node.peerId.toString()}`)
  for (const addr of node.getMultiaddrs()) print(`listening: ${addr.toString()}`)
  print(`rpc: ${rpc.url}`)
  if (rpc.wsUrl !== undefined) print(`ws: ${rpc.wsUrl}`)
  const server = rpc
  const libp2p = node
  return async () => {
    await server.close()
    await libp2p.stop()
  }
}

/** `hush start`: runs until SIGINT or SIGTERM, then stops cleanly. */
export async function runStart(options: StartOptions, given: Set<string>): Promise<void> {
  const stop = await startNode(options, given)
  await new Promise<void>((resolve) => {
    const onSignal = (): void => {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      resolve()
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
  })
  await stop()
}
