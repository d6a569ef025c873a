/**
 * `hush start --metrics PORT`: libp2p's Prometheus metrics (its own, the process's and the
 * node's `hush_whisper_*` counters) in one registry, served as text on `GET /metrics`.
 */
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http'
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { Registry } from 'prom-client'
import { CliError, EXIT } from './errors.ts'

/** The default `--metrics-host`: metrics say how busy the node is and whom it talks to, so loopback. */
export const DEFAULT_METRICS_HOST = '127.0.0.1'

/** A running metrics endpoint. */
export interface MetricsServer {
  /** `http://host:port/metrics`, with the port actually bound. */
  readonly url: string
  /** Stops serving (open scrape connections are closed too). */
  close(): Promise<void>
}

/** The metrics of one `hush start`: what the node registers with, and how to serve it. */
export interface NodeMetrics {
  /** libp2p's `metrics` option: the node and its services register here. */
  readonly libp2p: ReturnType<typeof prometheusMetrics>
  /**
   * Serves the registry on `http://host:port/metrics`.
   * @throws {CliError} when the port is in use or the host is not this machine's
   */
  serve(): Promise<MetricsServer>
}

/**
 * The metrics of a node, to be served on `host:port` (port 0 picks a free one): a registry of
 * their own (nothing else in the process mixes in) with the process's default metrics (CPU,
 * memory, event loop) and libp2p's. Checks the settings (they may come from a config file)
 * before anything starts.
 * @throws {CliError} when `port` is not a port or `host` not a string
 */
export function nodeMetrics(host: string, port: number): NodeMetrics {
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new CliError(`--metrics must be a port (0 to 65535); got ${JSON.stringify(port)}`)
  if (typeof host !== 'string' || host === '') throw new CliError(`--metrics-host must be a host name or address; got ${JSON.stringify(host)}`)
  const registry = new Registry()
  return {
    libp2p: prometheusMetrics({ registry }),
    serve: () => serveMetrics(registry, host, port),
  }
}

async function serveMetrics(registry: Registry, host: string, port: number): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    respond(registry, req, res).catch((err: unknown) => {
      // A metric whose collection failed: say so to the scraper rather than hang it.
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
      res.end(`metrics collection failed: ${(err as Error)?.message ?? String(err)}\n`)
    })
  })
  const where = `${host}:${port}`
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  }).catch((err: unknown) => {
    const code = (err as NodeJS.ErrnoException)?.code
    const options = { cause: err, exitCode: EXIT.failure }
    if (code === 'EADDRINUSE') throw new CliError(`cannot serve metrics on ${where}: address in use (pick another --metrics port, or 0 for a free one)`, options)
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new CliError(`cannot serve metrics on ${where}: not an address of this machine`, options)
    if (code === 'EACCES') throw new CliError(`cannot serve metrics on ${where}: permission denied`, options)
    throw new CliError(`cannot start the metrics server on ${where}: ${(err as Error)?.message?.split('\n')[0] ?? String(err)}`, options)
  })
  const address = server.address()
  const bound = typeof address === 'object' && address !== null ? address.port : port
  const shownHost = host.includes(':') ? `[${host}]` : host
  return {
    url: `http://${shownHost}:${bound}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

/** `GET /metrics` (and `HEAD`): the registry as Prometheus text; 405 for other methods there, 404 elsewhere. */
async function respond(registry: Registry, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname
  if (path !== '/metrics') {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: metrics are at /metrics\n')
    return
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('use GET\n')
    return
  }
  const body = await registry.metrics()
  res.writeHead(200, { 'content-type': registry.contentType })
  res.end(req.method === 'HEAD' ? undefined : body)
}
