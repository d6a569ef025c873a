import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { MAX_PENDING_REQUESTS_PER_CONNECTION } from '../src/constants.ts'
import { type RpcServer, createRpcServer } from '../src/server.ts'
import { ID, MESSAGE, fakeShh } from './fixtures/fake-shh.ts'

let servers: RpcServer[] = []
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()))
  servers = []
})

async function start(init: Omit<Parameters<typeof createRpcServer>[0], 'shh'> = {}, shh = fakeShh()): Promise<RpcServer> {
  const server = await createRpcServer({ shh, port: 0, ...init })
  servers.push(server)
  return server
}

const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
  signal: AbortSignal.timeout(5_000),
})

const version = { jsonrpc: '2.0', id: 1, method: 'shh_version', params: [] }

/** Opens a WebSocket; resolves when open, or rejects with the HTTP status of a refused upgrade. */
function openWs(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, handshakeTimeout: 5_000 })
    ws.once('open', () => resolve(ws))
    ws.once('unexpected-response', (_req, res) => reject(new Error(`status ${res.statusCode}`)))
    ws.once('error', reject)
  })
}

function nextMessage(ws: WebSocket): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no message within 5 s')), 5_000)
    ws.once('message', (data) => {
      clearTimeout(timer)
      resolve(JSON.parse(String(data)))
    })
  })
}

describe('createRpcServer over HTTP', () => {
  it('binds 127.0.0.1 and answers JSON-RPC', async () => {
    const server = await start()
    expect(server.address.address).toBe('127.0.0.1')
    expect(server.url).toBe(`http://127.0.0.1:${server.address.port}`)
    expect(server.wsUrl).toBe(`ws://127.0.0.1:${server.address.port}`)
    const res = await fetch(server.url, json(version))
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(await res.json()).toEqual({ jsonrpc: '2.0', id: 1, result: '6.0' })
  })

  it('answers malformed JSON with -32700 and notifications with an empty body', async () => {
    const server = await start()
    expect(await (await fetch(server.url, json('{"jsonrpc"'))).json()).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } })
    const res = await fetch(server.url, json({ jsonrpc: '2.0', method: 'shh_version' }))
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('')
  })

  it('refuses other HTTP methods, content types and foreign origins', async () => {
    const server = await start()
    const get = await fetch(server.url, { signal: AbortSignal.timeout(5_000) })
    expect(get.status).toBe(405)
    expect(get.headers.get('allow')).toBe('POST, OPTIONS')
    const text = await fetch(server.url, { ...json(version), headers: { 'content-type': 'text/plain' } })
    expect(text.status).toBe(415)
    const foreign = await fetch(server.url, json(version, { origin: 'https://evil.example' }))
    expect(foreign.status).toBe(403)
  })

  it('accepts listed origins', async () => {
    const server = await start({ allowedOrigins: ['https://app.example'] })
    expect((await fetch(server.url, json(version, { origin: 'https://app.example' }))).status).toBe(200)
    expect((await fetch(server.url, json(version, { origin: 'https://other.example' }))).status).toBe(403)
  })

  it('requires the bearer token when one is set', async () => {
    const server = await start({ token: 's3cret' })
    const none = await fetch(server.url, json(version))
    expect(none.status).toBe(401)
    expect(none.headers.get('www-authenticate')).toBe('Bearer')
    expect((await fetch(server.url, json(version, { authorization: 'Bearer wrong' }))).status).toBe(401)
    expect((await fetch(server.url, json(version, { authorization: 's3cret' }))).status).toBe(401)
    const good = await fetch(server.url, json(version, { authorization: 'Bearer s3cret' }))
    expect(good.status).toBe(200)
    expect(await good.json()).toEqual({ jsonrpc: '2.0', id: 1, result: '6.0' })
  })

  it('answers an oversized body with 413 and keeps serving', async () => {
    const server = await start({ maxRequestBytes: 1024 })
    const big = { jsonrpc: '2.0', id: 1, method: 'shh_addSymKey', params: [`0x${'00'.repeat(1024)}`] }
    const res = await fetch(server.url, json(big))
    expect(res.status).toBe(413)
    // Chunked (no content-length): the limit applies while reading.
    const chunked = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new Blob([JSON.stringify(big)]).stream(),
      duplex: 'half',
      signal: AbortSignal.timeout(5_000),
    } as RequestInit)
    expect(chunked.status).toBe(413)
    expect((await fetch(server.url, json(version))).status).toBe(200)
  })

  it('rejects invalid init', async () => {
    const shh = fakeShh()
    await expect(createRpcServer({ shh, port: 70_000 })).rejects.toThrow(expect.objectContaining({ name: 'RangeError', message: 'init.port must be an integer in [0, 65535]' }))
    await expect(createRpcServer({ shh, token: '' })).rejects.toThrow(expect.objectContaining({ name: 'TypeError', message: 'init.token must be a non-empty string' }))
    await expect(createRpcServer({ shh, maxRequestBytes: 0 })).rejects.toThrow(expect.objectContaining({ name: 'RangeError' }))
    await expect(createRpcServer({ shh: null as never })).rejects.toThrow(expect.objectContaining({ name: 'TypeError', message: 'init.shh must be an object' }))
  })

  it('reports a port in use', async () => {
    const server = await start()
    await expect(createRpcServer({ shh: fakeShh(), port: server.address.port })).rejects.toThrow(expect.objectContaining({ code: 'EADDRINUSE' }))
  })
})

describe('CORS for browser pages (allowedOrigins)', () => {
  const APP = 'https://app.example'
  const preflight = (origin: string, extra: Record<string, string> = {}): RequestInit => ({
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type', ...extra },
    signal: AbortSignal.timeout(5_000),
  })

  it('answers a preflight from an allowed origin with 204, POST and the headers a client sends, before the token check', async () => {
    const server = await start({ allowedOrigins: [APP], token: 's3cret' })
    const res = await fetch(server.url, preflight(APP))
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-origin')).toBe(APP)
    expect(res.headers.get('access-control-allow-methods')).toBe('POST')
    expect(res.headers.get('access-control-allow-headers')).toBe('content-type, authorization')
    expect(res.headers.get('access-control-max-age')).toBe('600')
    expect(res.headers.get('vary')).toBe('Origin')
    expect(await res.text()).toBe('')
  })

  it('grants Chrome private network access to an allowed origin that asks for it', async () => {
    const server = await start({ allowedOrigins: [APP] })
    const res = await fetch(server.url, preflight(APP, { 'access-control-request-private-network': 'true' }))
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-private-network')).toBe('true')
    expect((await fetch(server.url, preflight(APP))).headers.get('access-control-allow-private-network')).toBeNull()
  })

  it('refuses a preflight or a call from another origin, without CORS headers', async () => {
    const server = await start({ allowedOrigins: [APP] })
    for (const init of [preflight('https://evil.example'), json(version, { origin: 'https://evil.example' })]) {
      const res = await fetch(server.url, init)
      expect(res.status).toBe(403)
      expect(res.headers.get('access-control-allow-origin')).toBeNull()
      expect(res.headers.get('vary')).toBe('Origin')
    }
  })

  it('lets an allowed page read its answers, errors included: the origin is echoed, with Vary: Origin', async () => {
    const server = await start({ allowedOrigins: [APP], token: 's3cret' })
    const ok = await fetch(server.url, json(version, { origin: APP, authorization: 'Bearer s3cret' }))
    expect(ok.status).toBe(200)
    expect(ok.headers.get('access-control-allow-origin')).toBe(APP)
    expect(ok.headers.get('vary')).toBe('Origin')
    expect(await ok.json()).toEqual({ jsonrpc: '2.0', id: 1, result: '6.0' })
    const unauthorized = await fetch(server.url, json(version, { origin: APP }))
    expect(unauthorized.status).toBe(401)
    expect(unauthorized.headers.get('access-control-allow-origin')).toBe(APP)
  })

  it("echoes any origin with '*' and sends no CORS headers to clients without an Origin", async () => {
    const server = await start({ allowedOrigins: ['*'] })
    const res = await fetch(server.url, preflight('https://any.example'))
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-origin')).toBe('https://any.example')
    const plain = await fetch(server.url, json(version))
    expect(plain.headers.get('access-control-allow-origin')).toBeNull()
    expect(plain.headers.get('vary')).toBe('Origin')
  })
})

describe('createRpcServer over WebSocket', () => {
  it('answers calls and pushes subscription notifications', async () => {
    const shh = fakeShh()
    const server = await start({}, shh)
    const ws = await openWs(server.wsUrl as string)
    try {
      ws.send(JSON.stringify(version))
      expect(await nextMessage(ws)).toEqual({ jsonrpc: '2.0', id: 1, result: '6.0' })
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'shh_subscribe', params: ['messages', { symKeyID: ID, topics: ['0x01020304'] }] }))
      const reply = (await nextMessage(ws)) as { result: string }
      expect(reply.result).toMatch(/^0x[0-9a-f]{32}$/)
      const note = nextMessage(ws)
      shh.push(MESSAGE)
      expect(await note).toMatchObject({ jsonrpc: '2.0', method: 'shh_subscription', params: { subscription: reply.result, result: { payload: '0x6869' } } })
    } finally {
      ws.close()
    }
  })

  it('ends subscriptions when the client disconnects', async () => {
    const shh = fakeShh()
    const server = await start({}, shh)
    const ws = await openWs(server.wsUrl as string)
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'shh_subscribe', params: ['messages', { symKeyID: ID, topics: ['0x01020304'] }] }))
    await nextMessage(ws)
    expect(shh.live.size).toBe(1)
    const closed = new Promise((r) => ws.once('close', r))
    ws.close()
    await closed
    const deadline = Date.now() + 5_000
    while (shh.live.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
    expect(shh.live.size).toBe(0)
  })

  it('closes the connection on an oversized message and keeps serving', async () => {
    const server = await start({ maxRequestBytes: 1024 })
    const ws = await openWs(server.wsUrl as string)
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)))
    ws.on('error', () => undefined)
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'shh_addSymKey', params: [`0x${'00'.repeat(1024)}`] }))
    expect(await closed).toBe(1009)
    const again = await openWs(server.wsUrl as string)
    again.send(JSON.stringify(version))
    expect(await nextMessage(again)).toEqual({ jsonrpc: '2.0', id: 1, result: '6.0' })
    again.close()
  })

  it('closes a connection that piles up requests, and aborts its running posts', async () => {
    const shh = fakeShh()
    let aborted = 0
    shh.post = (_params, options) =>
      new Promise((_resolve, reject) => {
        options?.signal?.addEventListener('abort', () => {
          aborted++
          reject(options.signal?.reason)
        })
      })
    const server = await start({}, shh)
    const ws = await openWs(server.wsUrl as string)
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)))
    const post = { symKeyID: ID, topic: '0x01020304', payload: '0x01', powTime: 5 }
    for (let i = 0; i <= MAX_PENDING_REQUESTS_PER_CONNECTION; i++) ws.send(JSON.stringify({ jsonrpc: '2.0', id: i, method: 'shh_post', params: [post] }))
    expect(await closed).toBe(1008)
    const deadline = Date.now() + 5_000
    while (aborted < MAX_PENDING_REQUESTS_PER_CONNECTION && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
    expect(aborted).toBe(MAX_PENDING_REQUESTS_PER_CONNECTION)
  })

  it('requires the token and a listed origin on upgrade', async () => {
    const server = await start({ token: 's3cret' })
    await expect(openWs(server.wsUrl as string)).rejects.toThrow('status 401')
    await expect(openWs(server.wsUrl as string, { authorization: 'Bearer s3cret', origin: 'https://evil.example' })).rejects.toThrow('status 403')
    const ws = await openWs(server.wsUrl as string, { authorization: 'Bearer s3cret' })
    ws.send(JSON.stringify(version))
    expect(await nextMessage(ws)).toEqual({ jsonrpc: '2.0', id: 1, result: '6.0' })
    ws.close()
  })

  it('serves HTTP only when ws is false', async () => {
    const server = await start({ ws: false })
    expect(server.wsUrl).toBeUndefined()
    await expect(openWs(`ws://127.0.0.1:${server.address.port}`)).rejects.toThrow('status 404')
  })

  it('close() drops open connections', async () => {
    const shh = fakeShh()
    const server = await createRpcServer({ shh, port: 0 })
    const ws = await openWs(server.wsUrl as string)
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'shh_subscribe', params: ['messages', { symKeyID: ID, topics: ['0x01020304'] }] }))
    await nextMessage(ws)
    const closed = new Promise((r) => ws.once('close', r))
    await server.close()
    await closed
    expect(shh.live.size).toBe(0)
    await server.close()
  })
})
