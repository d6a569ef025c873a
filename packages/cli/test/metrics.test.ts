import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nodeMetrics } from '../src/metrics.ts'
import { rpcCall } from '../src/rpc-client.ts'
import { type StartedNode, startHush } from './fixtures/hush-node.ts'

/*
 * `hush start --metrics`: the endpoint in this process (routes, close), then real `hush start`
 * children from dist (house-style §3.8) on loopback, scraped as Prometheus would.
 */

/** A scrape as `name{labels}` → value (comments and blank lines left out). */
function parseScrape(text: string): Map<string, number> {
  const samples = new Map<string, number>()
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?) (\S+)$/.exec(line)
    if (match !== null) samples.set(match[1] as string, Number(match[2]))
  }
  return samples
}

async function scrape(url: string): Promise<Map<string, number>> {
  const response = await fetch(url)
  expect(response.status).toBe(200)
  return parseScrape(await response.text())
}

/** Scrapes until `ready` holds, at most 10 s; returns the last scrape. */
async function scrapeUntil(url: string, ready: (samples: Map<string, number>) => boolean, what: string): Promise<Map<string, number>> {
  for (let i = 0; i < 100; i++) {
    const samples = await scrape(url)
    if (ready(samples)) return samples
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`no scrape showed ${what} in 10 s`)
}

/** A libp2p component logger that says nothing. */
const quietLogger = {
  forComponent: () => Object.assign(() => undefined, { error: () => undefined, trace: () => undefined, newScope: () => undefined, enabled: false }),
}

describe('the metrics endpoint', () => {
  it('serves the registry on GET /metrics as Prometheus text, 404 elsewhere, 405 for other methods, and stops on close', async () => {
    const metrics = nodeMetrics('127.0.0.1', 0)
    metrics.libp2p({ logger: quietLogger as never })
    const server = await metrics.serve()
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/)
    const response = await fetch(server.url)
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8')
    const text = await response.text()
    expect(text).toContain('# TYPE nodejs_memory_usage_bytes gauge')
    expect(parseScrape(text).get('process_cpu_seconds_total')).toBeGreaterThan(0)
    expect((await fetch(`${server.url}?from=prometheus`)).status).toBe(200)
    expect((await fetch(server.url.replace('/metrics', '/'))).status).toBe(404)
    expect((await fetch(server.url.replace('/metrics', '/metricsx'))).status).toBe(404)
    const post = await fetch(server.url, { method: 'POST' })
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD'])
    await server.close()
    await expect(fetch(server.url)).rejects.toThrow()
  })

  it('refuses a port that is not one, and a host that is not a string, before anything starts', () => {
    expect(() => nodeMetrics('127.0.0.1', 70_000)).toThrow('--metrics must be a port (0 to 65535); got 70000')
    expect(() => nodeMetrics('127.0.0.1', '9090' as never)).toThrow('--metrics must be a port (0 to 65535); got "9090"')
    expect(() => nodeMetrics(7 as never, 0)).toThrow('--metrics-host must be a host name or address; got 7')
  })
})

describe('hush start --metrics', () => {
  const children: StartedNode[] = []
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hush-metrics-'))
  })
  afterAll(async () => {
    for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGTERM')
    await Promise.all(children.map((c) => c.exited))
    await rm(dir, { recursive: true, force: true })
  })
  const startOne = async (name: string, ...flags: string[]): Promise<StartedNode> => {
    const node = await startHush(['--listen', '/ip4/127.0.0.1/tcp/0', '--data-dir', join(dir, name), ...flags])
    children.push(node)
    return node
  }

  it('exports the node counters (envelopes in and out, drops by reason, pool bytes, peers, seal times) and libp2p metrics', async () => {
    const a = await startOne('a', '--metrics', '0')
    expect(a.metrics).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/)
    const url = a.metrics as string
    const before = await scrape(url)
    expect(before.get('hush_whisper_seal_seconds_count')).toBe(0)
    expect(before.get('hush_whisper_state{quantity="pool_bytes"}')).toBe(0)

    const b = await startOne('b', '--bootstrap', a.listen)
    await scrapeUntil(url, (s) => s.get('hush_whisper_state{quantity="peers"}') === 1, 'one peer')

    // A post through a's RPC: sealed once, pooled, sent to b.
    const symA = await rpcCall<string>({ url: a.rpc }, 'shh_newSymKey')
    const key = await rpcCall<string>({ url: a.rpc }, 'shh_getSymKey', [symA])
    const topic = '0x6d657472'
    await rpcCall({ url: a.rpc }, 'shh_post', [{ symKeyID: symA, topic, payload: '0x68656c6c6f', powTarget: 0.01, powTime: 5 }])
    const sent = await scrapeUntil(url, (s) => s.get('hush_whisper_traffic_total{kind="envelopes_out"}') === 1, 'the envelope sent to b')
    expect(sent.get('hush_whisper_seal_seconds_count')).toBe(1)
    expect(sent.get('hush_whisper_seal_seconds_sum')).toBeGreaterThan(0)
    expect(sent.get('hush_whisper_seal_seconds_bucket{le="+Inf"}')).toBe(1)
    expect(sent.get('hush_whisper_envelopes_total{outcome="added"}')).toBe(1)
    expect(sent.get('hush_whisper_state{quantity="pool_envelopes"}')).toBe(1)
    expect(sent.get('hush_whisper_state{quantity="pool_bytes"}')).toBeGreaterThan(0)
    expect(sent.get('hush_whisper_traffic_total{kind="envelopes_in"}')).toBe(0)
    // libp2p's own metrics, and the process's.
    expect(sent.get('libp2p_connection_manager_connections{libp2p_connection_manager_connections="inbound"}')).toBeGreaterThanOrEqual(1)
    expect(sent.get('libp2p_noise_xxhandshake_successes_total')).toBeGreaterThanOrEqual(1)
    expect(sent.has('nodejs_heap_size_used_bytes')).toBe(true)

    // A post from b arrives at a: an envelope in.
    const symB = await rpcCall<string>({ url: b.rpc }, 'shh_addSymKey', [key])
    await rpcCall({ url: b.rpc }, 'shh_post', [{ symKeyID: symB, topic, payload: '0x6869', powTarget: 0.01, powTime: 5 }])
    const received = await scrapeUntil(url, (s) => s.get('hush_whisper_traffic_total{kind="envelopes_in"}') === 1, 'the envelope from b')
    expect(received.get('hush_whisper_envelopes_total{outcome="added"}')).toBe(2)
    expect(received.get('hush_whisper_seal_seconds_count')).toBe(1) // b's seal is b's

    // A direct p2p message from b, which a does not trust: dropped, by reason.
    expect(received.has('hush_whisper_drops_total{reason="untrusted-p2p"}')).toBe(false)
    await rpcCall({ url: b.rpc }, 'shh_post', [{ symKeyID: symB, topic, payload: '0x6869', powTarget: 0.01, powTime: 5, targetPeer: a.peerId }])
    const dropped = await scrapeUntil(url, (s) => s.get('hush_whisper_drops_total{reason="untrusted-p2p"}') === 1, 'the untrusted p2p drop')
    expect(dropped.get('hush_whisper_envelopes_total{outcome="added"}')).toBe(2)

    for (const c of [a, b]) c.child.kill('SIGTERM')
    expect(await a.exited).toBe(0)
    expect(await b.exited).toBe(0)
  }, 90_000)

  it('takes metrics and metricsHost from a config file', async () => {
    const config = join(dir, 'config.json')
    await writeFile(config, JSON.stringify({ metrics: 0, metricsHost: '127.0.0.1' }))
    const c = await startOne('c', '--config', config)
    // The fixture waits for the metrics line only given --metrics: here it may come just after.
    for (let i = 0; i < 100 && !/^metrics: /m.test(c.out()); i++) await new Promise((r) => setTimeout(r, 50))
    const url = /^metrics: (http:\/\/127\.0\.0\.1:\d+\/metrics)$/m.exec(c.out())?.[1]
    expect(url).toBeDefined()
    expect((await scrape(url as string)).get('hush_whisper_state{quantity="peers"}')).toBe(0)
    c.child.kill('SIGTERM')
    expect(await c.exited).toBe(0)
  }, 60_000)
})
